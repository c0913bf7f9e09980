-- Issue 6, a created-date range at a million conversations: the list is in
-- activity order, and no index on created_at gives that order within a
-- creation range, so a month's range (~43,000 conversations) was read whole
-- from (created_at, last_message_at, assigned_to) and sorted. The day of
-- creation (UTC) as a virtual column, indexed with the activity order behind
-- it, lets the list walk each day of the range in activity order and stop
-- after a page, merging the days (models.listPlan.days): ~31 × 26 entries for
-- a month instead of the whole month. created_at and assigned_to ride along so
-- the range's edges and an agent's scope are checked on the index alone. It
-- replaces the index it supersedes: every message still changes one
-- creation index, not two. SQLite keeps its plans and has no such column.

-- +goose Up
ALTER TABLE conversations
    ADD COLUMN created_day DATE AS (CAST(created_at AS DATE)) VIRTUAL,
    ADD INDEX conversations_created_day (created_day, last_message_at, id, assigned_to, created_at),
    DROP INDEX conversations_created_activity;

-- +goose Down
ALTER TABLE conversations
    ADD INDEX conversations_created_activity (created_at, last_message_at, assigned_to),
    DROP INDEX conversations_created_day,
    DROP COLUMN created_day;
