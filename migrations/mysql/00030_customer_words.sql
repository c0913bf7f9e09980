-- Issue 6, the list's customer filter at a million conversations: the
-- customers matching the typed words were found through the customers'
-- FULLTEXT index, and InnoDB's full-text lookup of a common first name
-- (5,000 customers of 100,000) took 16-19 ms of the list's ~25 ms.
-- customer_words holds every word of each customer's name and e-mail
-- (split at anything not a letter or a digit), kept by triggers on every
-- write to customers, so a word's customers are one range of an index
-- ("käthe%": ~2 ms). The collation matches case- and accent-blind, as
-- the FULLTEXT index did. SQLite keeps its customer_fts. The triggers write
-- each word once (DISTINCT under the column's collation) with a plain
-- INSERT: INSERT IGNORE meeting a duplicate takes a shared next-key lock,
-- and concurrent sign-ups of customers sharing a word deadlocked on it. The
-- rows are clustered by customer, so a rename's DELETE locks that
-- customer's words only (keyed by word first, MariaDB chose to scan the
-- whole young table for it, locking every row, and sign-ups deadlocked).
-- The split words are utf8mb4 whatever the database's default character
-- set (JSON_TABLE's columns take it).

-- +goose Up
CREATE TABLE customer_words (
    word        VARCHAR(84) NOT NULL,
    customer_id BIGINT      NOT NULL,
    PRIMARY KEY (customer_id, word),
    KEY customer_words_word (word, customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO customer_words (word, customer_id)
SELECT DISTINCT LEFT(w.word, 84) COLLATE utf8mb4_unicode_ci, c.id
FROM customers c,
     JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(CONCAT(c.name, ' ', COALESCE(c.email, '')),
         '[^\\p{L}\\p{N}]+', ' ')), ' ', '","'), '"]'), '$[*]' COLUMNS (word VARCHAR(255) CHARACTER SET utf8mb4 PATH '$')) AS w
WHERE w.word <> '';

-- +goose StatementBegin
CREATE TRIGGER customers_words_insert AFTER INSERT ON customers FOR EACH ROW
    INSERT INTO customer_words (word, customer_id)
    SELECT DISTINCT LEFT(w.word, 84) COLLATE utf8mb4_unicode_ci, NEW.id
    FROM JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(CONCAT(NEW.name, ' ', COALESCE(NEW.email, '')),
        '[^\\p{L}\\p{N}]+', ' ')), ' ', '","'), '"]'), '$[*]' COLUMNS (word VARCHAR(255) CHARACTER SET utf8mb4 PATH '$')) AS w
    WHERE w.word <> '';
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customers_words_update AFTER UPDATE ON customers FOR EACH ROW
BEGIN
    IF NOT (OLD.name <=> NEW.name) OR NOT (OLD.email <=> NEW.email) OR OLD.id <> NEW.id THEN
        DELETE FROM customer_words WHERE customer_id = OLD.id;
        INSERT INTO customer_words (word, customer_id)
        SELECT DISTINCT LEFT(w.word, 84) COLLATE utf8mb4_unicode_ci, NEW.id
        FROM JSON_TABLE(CONCAT('["', REPLACE(TRIM(REGEXP_REPLACE(CONCAT(NEW.name, ' ', COALESCE(NEW.email, '')),
            '[^\\p{L}\\p{N}]+', ' ')), ' ', '","'), '"]'), '$[*]' COLUMNS (word VARCHAR(255) CHARACTER SET utf8mb4 PATH '$')) AS w
        WHERE w.word <> '';
    END IF;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customers_words_delete AFTER DELETE ON customers FOR EACH ROW
    DELETE FROM customer_words WHERE customer_id = OLD.id;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER customers_words_delete;
DROP TRIGGER customers_words_update;
DROP TRIGGER customers_words_insert;
DROP TABLE customer_words;
