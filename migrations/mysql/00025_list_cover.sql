-- Issue 6, the list's filters at a million conversations (docs/readme-listsql.md):
-- a created-date range and a customer filter read their matches out of
-- order (not by activity), so the list reads their entries from an index
-- that holds every column the walk looks at (activity and assignee: the
-- keyset order and an agent's scope) and sorts those, then reads the rows
-- of one page only. Both indexes change when a conversation's activity does.
-- Counting a status and unread in an agent's scope (the Inbox badge on every
-- page, the list's count) reads (status, unread, assignee) alone.

-- +goose Up
ALTER TABLE conversations
    ADD INDEX conversations_created_activity (created_at, last_message_at, assigned_to),
    ADD INDEX conversations_customer_activity (customer_id, last_message_at, assigned_to),
    ADD INDEX conversations_status_unread_assigned (status, is_read_by_admin, assigned_to),
    DROP INDEX conversations_created;

-- +goose Down
ALTER TABLE conversations
    ADD INDEX conversations_created (created_at),
    DROP INDEX conversations_status_unread_assigned,
    DROP INDEX conversations_customer_activity,
    DROP INDEX conversations_created_activity;
