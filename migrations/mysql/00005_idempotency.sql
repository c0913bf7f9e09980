-- +goose Up
-- Idempotency keys of POSTs that create messages (issue 5, item 11): the
-- result is written in the send's own transaction, so a retry after a
-- crash finds it. Kept 24 hours. Keys compare byte for byte (ascii_bin).
CREATE TABLE idempotency_keys (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    scope           VARCHAR(160) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    idem_key        VARCHAR(160) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    request_hash    CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    token           CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    done            TINYINT(1) NOT NULL DEFAULT 0,
    status          INT NOT NULL DEFAULT 0,
    response        MEDIUMBLOB,
    conversation_id BIGINT,
    message_id      BIGINT,
    created_at      DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX idempotency_keys_scope_key ON idempotency_keys (scope, idem_key);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
