-- Issue 6, the list's filters at a million conversations (docs/readme-listsql.md):
-- a created-date range and a customer filter read their matches out of
-- order (not by activity), so the list reads their entries from an index
-- that holds every column the walk looks at (activity and assignee: the
-- keyset order and an agent's scope) and sorts those, then reads the rows
-- of one page only. Both indexes change when a conversation's activity does.

-- +goose Up
ALTER TABLE conversations
    ADD INDEX conversations_created_activity (created_at, last_message_at, assigned_to),
    ADD INDEX conversations_customer_activity (customer_id, last_message_at, assigned_to),
    DROP INDEX conversations_created;

-- +goose Down
ALTER TABLE conversations
    ADD INDEX conversations_created (created_at),
    DROP INDEX conversations_customer_activity,
    DROP INDEX conversations_created_activity;
