-- +goose Up
-- Idempotency keys of POSTs that create messages (issue 5, item 11): the
-- result is written in the send's own transaction, so a retry after a
-- crash finds it. Kept 24 hours.
CREATE TABLE idempotency_keys (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    scope           TEXT NOT NULL,
    idem_key        TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    token           TEXT NOT NULL,
    done            INTEGER NOT NULL DEFAULT 0,
    status          INTEGER NOT NULL DEFAULT 0,
    response        BLOB,
    conversation_id INTEGER,
    message_id      INTEGER,
    created_at      DATETIME NOT NULL
);
CREATE UNIQUE INDEX idempotency_keys_scope_key ON idempotency_keys (scope, idem_key);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
