-- Issue 6, the conversation list: indexes that serve each filter with the
-- list's order, and FTS5 tables for search that follow every insert,
-- update and delete of their source rows through triggers (retention and
-- erasure need no extra call). unicode61 with remove_diacritics 2 folds
-- case and accents like MariaDB's utf8mb4_unicode_ci (docs/readme-list.md).

-- +goose Up
CREATE INDEX conversations_status_unread ON conversations (status, is_read_by_admin, last_message_at);
CREATE INDEX conversations_assigned_status ON conversations (assigned_to, status, last_message_at);
CREATE INDEX conversations_created ON conversations (created_at);

CREATE VIRTUAL TABLE message_fts USING fts5(body, content='messages', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE conversation_fts USING fts5(subject, content='conversations', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE customer_fts USING fts5(customer_name, customer_email, content='conversations', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2');
INSERT INTO message_fts (message_fts) VALUES ('rebuild');
INSERT INTO conversation_fts (conversation_fts) VALUES ('rebuild');
INSERT INTO customer_fts (customer_fts) VALUES ('rebuild');

-- +goose StatementBegin
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_fts (rowid, body) VALUES (new.id, new.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO message_fts (message_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO message_fts (message_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO message_fts (rowid, body) VALUES (new.id, new.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversation_fts (rowid, subject) VALUES (new.id, new.subject);
    INSERT INTO customer_fts (rowid, customer_name, customer_email) VALUES (new.id, new.customer_name, new.customer_email);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
    INSERT INTO conversation_fts (conversation_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
    INSERT INTO customer_fts (customer_fts, rowid, customer_name, customer_email) VALUES ('delete', old.id, old.customer_name, old.customer_email);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_fts_update AFTER UPDATE OF subject, customer_name, customer_email ON conversations BEGIN
    INSERT INTO conversation_fts (conversation_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
    INSERT INTO customer_fts (customer_fts, rowid, customer_name, customer_email) VALUES ('delete', old.id, old.customer_name, old.customer_email);
    INSERT INTO conversation_fts (rowid, subject) VALUES (new.id, new.subject);
    INSERT INTO customer_fts (rowid, customer_name, customer_email) VALUES (new.id, new.customer_name, new.customer_email);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER conversations_fts_update;
DROP TRIGGER conversations_fts_delete;
DROP TRIGGER conversations_fts_insert;
DROP TRIGGER messages_fts_update;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_insert;
DROP TABLE customer_fts;
DROP TABLE conversation_fts;
DROP TABLE message_fts;
DROP INDEX conversations_created;
DROP INDEX conversations_assigned_status;
DROP INDEX conversations_status_unread;
