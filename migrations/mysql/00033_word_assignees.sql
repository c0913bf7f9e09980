-- Issue 6, an agent's search at a million conversations: counting which of
-- a word's 10,000 hits an agent may see ("unassigned or mine") read each
-- hit's conversation row (~3 us a primary-key probe, 13 ms of the view's
-- ~30). Each word row now carries its conversation's assignee, so the word
-- index alone answers it: the hits are read with their assignees (one range,
-- as before) and counted in Parley (models.Queries.plan).
--
-- Triggers keep the copy exact in the writing transaction: a word row takes
-- its conversation's assignee when inserted (a locking read, so it sees an
-- assignment committed a moment earlier, and an assignment waits for it);
-- changing a conversation's assignee rewrites its word rows (~120, ~1 ms).
-- The word rows that exist now get theirs from Store.BackfillWordAssignees,
-- after the migrations, in chunks, resumably (conversation_words_assignees
-- holds where it stands; no row: done, and the count may trust the copy).
-- The column is added instantly; the word index is rebuilt with it (online;
-- minutes for a hundred million rows).

-- +goose Up
ALTER TABLE conversation_words ADD COLUMN assigned_to BIGINT NULL, ALGORITHM=INSTANT;
ALTER TABLE conversation_words DROP INDEX conversation_words_word,
    ADD INDEX conversation_words_word (word, conversation_id, assigned_to), LOCK=NONE;

CREATE TABLE conversation_words_assignees (
    next_id BIGINT NOT NULL
) ENGINE=InnoDB;
INSERT INTO conversation_words_assignees (next_id) SELECT MIN(id) FROM conversations HAVING COUNT(*) > 0;

-- +goose StatementBegin
CREATE TRIGGER conversation_words_assignee BEFORE INSERT ON conversation_words FOR EACH ROW
    SET NEW.assigned_to = (SELECT assigned_to FROM conversations WHERE id = NEW.conversation_id LOCK IN SHARE MODE);
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_words_assignee AFTER UPDATE ON conversations FOR EACH ROW
BEGIN
    IF NOT (OLD.assigned_to <=> NEW.assigned_to) THEN
        UPDATE conversation_words SET assigned_to = NEW.assigned_to WHERE conversation_id = NEW.id;
    END IF;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER conversations_words_assignee;
DROP TRIGGER conversation_words_assignee;
DROP TABLE conversation_words_assignees;
ALTER TABLE conversation_words DROP INDEX conversation_words_word,
    ADD INDEX conversation_words_word (word, conversation_id), LOCK=NONE;
ALTER TABLE conversation_words DROP COLUMN assigned_to;
