-- Issue 6: Parley's own word index replaces the FTS5 tables of message
-- bodies and subjects (see the MariaDB migration of the same number); the
-- same table, tokenizer and queries on both dialects. customer_fts stays
-- (the customer filter reads it), its triggers without conversation_fts.

-- +goose Up
CREATE TABLE conversation_words (
    conversation_id INTEGER NOT NULL,
    word            TEXT    NOT NULL,
    PRIMARY KEY (conversation_id, word)
) WITHOUT ROWID;
CREATE INDEX conversation_words_word ON conversation_words (word, conversation_id);

CREATE TABLE conversation_words_gone (
    conversation_id INTEGER NOT NULL PRIMARY KEY
);

CREATE TABLE conversation_words_backfill (
    next_id INTEGER NOT NULL
);
INSERT INTO conversation_words_backfill (next_id) SELECT MIN(id) FROM conversations HAVING COUNT(*) > 0;

DROP TRIGGER messages_fts_update;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_insert;
DROP TABLE message_fts;
DROP TRIGGER conversations_fts_update;
DROP TRIGGER conversations_fts_delete;
DROP TRIGGER conversations_fts_insert;
DROP TABLE conversation_fts;

-- +goose StatementBegin
CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO customer_fts (rowid, customer_name, customer_email) VALUES (new.id, new.customer_name, new.customer_email);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
    INSERT INTO customer_fts (customer_fts, rowid, customer_name, customer_email) VALUES ('delete', old.id, old.customer_name, old.customer_email);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_fts_update AFTER UPDATE OF customer_name, customer_email ON conversations BEGIN
    INSERT INTO customer_fts (customer_fts, rowid, customer_name, customer_email) VALUES ('delete', old.id, old.customer_name, old.customer_email);
    INSERT INTO customer_fts (rowid, customer_name, customer_email) VALUES (new.id, new.customer_name, new.customer_email);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER conversations_fts_update;
DROP TRIGGER conversations_fts_delete;
DROP TRIGGER conversations_fts_insert;
CREATE VIRTUAL TABLE message_fts USING fts5(body, content='messages', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE conversation_fts USING fts5(subject, content='conversations', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2');
INSERT INTO message_fts (message_fts) VALUES ('rebuild');
INSERT INTO conversation_fts (conversation_fts) VALUES ('rebuild');
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
DROP TABLE conversation_words_backfill;
DROP TABLE conversation_words_gone;
DROP TABLE conversation_words;
