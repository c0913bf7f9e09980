-- Issue 8, the retention purge: messages_author (author_type, author_id,
-- created_at) serves no query (every read of messages goes by id, by
-- conversation or by created_at), yet every send writes an entry and every
-- purged message deletes one (docs/send-mail-purge.md has the cost).

-- +goose Up
ALTER TABLE messages DROP INDEX messages_author;

-- +goose Down
ALTER TABLE messages ADD INDEX messages_author (author_type, author_id, created_at);
