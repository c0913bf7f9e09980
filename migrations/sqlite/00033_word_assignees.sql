-- Issue 6: each word row carries its conversation's assignee, so an
-- agent's search is counted from the word index alone (see the MariaDB
-- migration of the same number). Embedded databases are small: the copy is
-- filled here, and conversation_words_assignees (the MariaDB backfill's
-- progress) stays empty.

-- +goose Up
ALTER TABLE conversation_words ADD COLUMN assigned_to INTEGER;
DROP INDEX conversation_words_word;
CREATE INDEX conversation_words_word ON conversation_words (word, conversation_id, assigned_to);
UPDATE conversation_words SET assigned_to = (SELECT c.assigned_to FROM conversations c WHERE c.id = conversation_words.conversation_id);

CREATE TABLE conversation_words_assignees (
    next_id INTEGER NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER conversation_words_assignee AFTER INSERT ON conversation_words BEGIN
    UPDATE conversation_words SET assigned_to = (SELECT c.assigned_to FROM conversations c WHERE c.id = new.conversation_id)
    WHERE conversation_id = new.conversation_id AND word = new.word;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_words_assignee AFTER UPDATE OF assigned_to ON conversations
WHEN old.assigned_to IS NOT new.assigned_to BEGIN
    UPDATE conversation_words SET assigned_to = new.assigned_to WHERE conversation_id = new.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER conversations_words_assignee;
DROP TRIGGER conversation_words_assignee;
DROP TABLE conversation_words_assignees;
DROP INDEX conversation_words_word;
CREATE INDEX conversation_words_word ON conversation_words (word, conversation_id);
ALTER TABLE conversation_words DROP COLUMN assigned_to;
