-- Issue 6 at a million conversations (docs/readme-listperf.md):
-- conversation_counts keeps the number of conversations per status and
-- assignee (staff_id 0: nobody), kept exact by triggers on every insert,
-- delete and change of status or assignee, so the dashboard's live counts
-- read a few rows instead of counting every conversation. It replaces the
-- (status, assigned_to) index that counting walked. (SQLite has one writer:
-- one shard is enough; the column is there to match MariaDB.)

-- +goose Up
CREATE TABLE conversation_counts (
    status   TEXT NOT NULL,
    staff_id INTEGER NOT NULL,
    shard    INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (status, staff_id, shard)
);
INSERT INTO conversation_counts (status, staff_id, shard, n)
SELECT status, COALESCE(assigned_to, 0), 0, COUNT(*) FROM conversations GROUP BY status, COALESCE(assigned_to, 0);

-- +goose StatementBegin
CREATE TRIGGER conversations_count_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversation_counts (status, staff_id, shard, n) VALUES (new.status, COALESCE(new.assigned_to, 0), 0, 1)
    ON CONFLICT (status, staff_id, shard) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_count_delete AFTER DELETE ON conversations BEGIN
    INSERT INTO conversation_counts (status, staff_id, shard, n) VALUES (old.status, COALESCE(old.assigned_to, 0), 0, -1)
    ON CONFLICT (status, staff_id, shard) DO UPDATE SET n = n - 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_count_update AFTER UPDATE OF status, assigned_to ON conversations
WHEN old.status IS NOT new.status OR old.assigned_to IS NOT new.assigned_to BEGIN
    INSERT INTO conversation_counts (status, staff_id, shard, n) VALUES (old.status, COALESCE(old.assigned_to, 0), 0, -1)
    ON CONFLICT (status, staff_id, shard) DO UPDATE SET n = n - 1;
    INSERT INTO conversation_counts (status, staff_id, shard, n) VALUES (new.status, COALESCE(new.assigned_to, 0), 0, 1)
    ON CONFLICT (status, staff_id, shard) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
DROP INDEX conversations_status_assigned;
-- The dashboard reads one metric over up to a year of days: by metric
-- first, it reads that metric's rows only (covering).
CREATE INDEX metric_daily_metric ON metric_daily (metric, day, staff_id, bucket, n);

-- +goose Down
DROP INDEX metric_daily_metric;
CREATE INDEX conversations_status_assigned ON conversations (status, assigned_to);
DROP TRIGGER conversations_count_update;
DROP TRIGGER conversations_count_delete;
DROP TRIGGER conversations_count_insert;
DROP TABLE conversation_counts;
