-- Issues 7 and 8: the conversations' FULLTEXT index on the customer's name
-- and e-mail served the list's customer filter until 00030 moved that filter
-- to customer_words; nothing reads it since (MariaDB's index statistics over
-- the whole bench/load run). Every new conversation still tokenized its
-- customer's name and e-mail into it, and every conversation the retention
-- purge or a delete removed left a row to clean in it. SQLite keeps its
-- customer_fts: its customer filter still reads it.

-- +goose Up
ALTER TABLE conversations DROP INDEX conversations_customer_ft;

-- +goose Down
SET SESSION innodb_ft_enable_stopword = OFF;
ALTER TABLE conversations ADD FULLTEXT INDEX conversations_customer_ft (customer_name, customer_email);
