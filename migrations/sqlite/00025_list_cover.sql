-- Issue 6, the list's filters at a million conversations: the same indexes
-- as on MariaDB (docs/readme-listsql.md); SQLite's planner uses them as
-- covering indexes when it sees fit.

-- +goose Up
CREATE INDEX conversations_created_activity ON conversations (created_at, last_message_at, assigned_to);
CREATE INDEX conversations_customer_activity ON conversations (customer_id, last_message_at, assigned_to);
CREATE INDEX conversations_status_unread_assigned ON conversations (status, is_read_by_admin, assigned_to);
DROP INDEX conversations_created;

-- +goose Down
CREATE INDEX conversations_created ON conversations (created_at);
DROP INDEX conversations_status_unread_assigned;
DROP INDEX conversations_customer_activity;
DROP INDEX conversations_created_activity;
