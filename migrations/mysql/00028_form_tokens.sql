-- Issue 6: the conversation page's reply form carries a token Parley signs
-- (inbox/formtoken.go) instead of a GoAdmin token written to
-- goadmin_session on every page view and known only to the node that made
-- it. A token is single use: its nonce is written here when a form is sent.
-- Rows older than a token's lifetime are pruned as new ones are written.

-- +goose Up
CREATE TABLE form_tokens_used (
    nonce   CHAR(32) NOT NULL PRIMARY KEY,
    used_at DATETIME(6) NOT NULL,
    KEY form_tokens_used_at (used_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE form_tokens_used;
