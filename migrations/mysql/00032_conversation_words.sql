-- Issue 6, search at a million conversations: Parley's own word index
-- replaces InnoDB's FULLTEXT indexes on messages.body and
-- conversations.subject. A FULLTEXT lookup gives message ids, and finding
-- each hit's conversation cost a row read per matching message: a word in
-- 10,000 messages took ~60 ms of MariaDB's CPU before the list could start.
-- conversation_words holds each word of a conversation's subject and
-- message bodies once, split and folded by Parley (models/words.go, the
-- same on SQLite), so a word's conversations are one range of the word
-- index. The rows are clustered by conversation: a send adds its new words
-- next to the conversation's others. Words are stored folded (lowercase, no
-- accents): the binary collation compares them as stored.
--
-- No foreign key: deleting a conversation's ~120 words costs ~9 us each
-- (two indexes), which made the retention purge 3.5x slower when a cascade
-- did it. Deleting a conversation deletes its words in the same
-- transaction (R2 deletes, erasure), except in the purge, which lists the
-- conversations it deleted in conversation_words_gone for the clean-up job
-- to sweep at a gentle pace; searches only ever return conversations that
-- exist, so the leftover words are never found meanwhile.
--
-- Existing conversations are indexed after the migrations by
-- Store.BackfillWords, from conversation_words_backfill's next_id, in
-- chunks, resumably (a fresh database has no row there). Dropping the
-- FULLTEXT indexes leaves InnoDB's hidden document-id column and index,
-- which every insert and delete would keep paying for: the tables are
-- rebuilt without them (online; minutes for millions of messages).

-- +goose Up
CREATE TABLE conversation_words (
    conversation_id BIGINT      NOT NULL,
    word            VARCHAR(84) NOT NULL,
    PRIMARY KEY (conversation_id, word),
    KEY conversation_words_word (word, conversation_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE conversation_words_gone (
    conversation_id BIGINT NOT NULL PRIMARY KEY
) ENGINE=InnoDB;

CREATE TABLE conversation_words_backfill (
    next_id BIGINT NOT NULL
) ENGINE=InnoDB;
INSERT INTO conversation_words_backfill (next_id) SELECT MIN(id) FROM conversations HAVING COUNT(*) > 0;

ALTER TABLE messages DROP INDEX messages_body_ft;
ALTER TABLE messages FORCE;
ALTER TABLE conversations DROP INDEX conversations_subject_ft;
ALTER TABLE conversations FORCE;

-- +goose Down
SET SESSION innodb_ft_enable_stopword = OFF;
ALTER TABLE conversations ADD FULLTEXT INDEX conversations_subject_ft (subject);
ALTER TABLE messages ADD FULLTEXT INDEX messages_body_ft (body);
DROP TABLE conversation_words_backfill;
DROP TABLE conversation_words_gone;
DROP TABLE conversation_words;
