-- Issue 8, the retention purge: messages_author serves no query; the same
-- change as on MariaDB (docs/send-mail-purge.md).

-- +goose Up
DROP INDEX messages_author;

-- +goose Down
CREATE INDEX messages_author ON messages (author_type, author_id, created_at);
