-- Issue 6: single-use nonces of the reply form's Parley-signed tokens
-- (see the MariaDB migration of the same number).

-- +goose Up
CREATE TABLE form_tokens_used (
    nonce   TEXT NOT NULL PRIMARY KEY,
    used_at DATETIME NOT NULL
);
CREATE INDEX form_tokens_used_at ON form_tokens_used (used_at);

-- +goose Down
DROP INDEX form_tokens_used_at;
DROP TABLE form_tokens_used;
