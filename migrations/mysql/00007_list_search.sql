-- Issue 6, the conversation list at a million threads: indexes that serve
-- each filter with the list's order (activity, newest first) and the
-- full-text indexes of search. Words are indexed without InnoDB's stopword
-- list so MariaDB and SQLite find the same words (docs/readme-list.md).

-- +goose Up
CREATE INDEX conversations_status_unread ON conversations (status, is_read_by_admin, last_message_at);
CREATE INDEX conversations_assigned_status ON conversations (assigned_to, status, last_message_at);
CREATE INDEX conversations_created ON conversations (created_at);
SET SESSION innodb_ft_enable_stopword = OFF;
ALTER TABLE conversations ADD FULLTEXT INDEX conversations_subject_ft (subject);
ALTER TABLE conversations ADD FULLTEXT INDEX conversations_customer_ft (customer_name, customer_email);
ALTER TABLE messages ADD FULLTEXT INDEX messages_body_ft (body);

-- +goose Down
ALTER TABLE messages DROP INDEX messages_body_ft;
ALTER TABLE conversations DROP INDEX conversations_customer_ft;
ALTER TABLE conversations DROP INDEX conversations_subject_ft;
DROP INDEX conversations_created ON conversations;
DROP INDEX conversations_assigned_status ON conversations;
DROP INDEX conversations_status_unread ON conversations;
