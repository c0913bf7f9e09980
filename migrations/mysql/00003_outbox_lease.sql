-- The outbox row is done only when its handler's effect is committed
-- (done_at). A hand-over to the job queue takes a lease (claimed_until);
-- a row whose lease runs out before it is done goes out again, so a task
-- lost with Redis's data is sent again. A row that keeps failing is parked
-- (parked_at) with its last error. sent_at now only records the last
-- hand-over.

-- +goose Up
ALTER TABLE outbox
    ADD COLUMN claimed_until DATETIME(6) NULL,
    ADD COLUMN done_at       DATETIME(6) NULL,
    ADD COLUMN parked_at     DATETIME(6) NULL,
    ADD COLUMN last_error    TEXT NULL;
-- Rows handed over before this release count as done: no replay of history.
UPDATE outbox SET done_at = sent_at WHERE sent_at IS NOT NULL;
DROP INDEX outbox_pending ON outbox;
CREATE INDEX outbox_due ON outbox (done_at, parked_at, claimed_until, id);

-- +goose Down
DROP INDEX outbox_due ON outbox;
CREATE INDEX outbox_pending ON outbox (sent_at, id);
ALTER TABLE outbox
    DROP COLUMN claimed_until,
    DROP COLUMN done_at,
    DROP COLUMN parked_at,
    DROP COLUMN last_error;
