-- Issue 6 at a million conversations (docs/readme-listperf.md):
--   * conversation_counts keeps the number of conversations per status and
--     assignee (staff_id 0: nobody), so the dashboard's live counts and
--     per-agent load read a few hundred rows instead of counting a million.
--     Triggers keep it exact on every insert, delete and change of status
--     or assignee, whatever the code path (service, bulk job, retention,
--     erasure). A change adds +1/-1 to a row of one of 16 shards picked at
--     random, so concurrent sends rarely wait on the same counter row.
--     It replaces the (status, assigned_to) index that counting walked.
--   * metric_daily gets an index by metric first (the dashboard's reads).
--   * customers get a FULLTEXT index on name and e-mail: the list's
--     customer filter finds the customers first (a few thousand at most)
--     instead of intersecting word lists over every conversation.
-- Run it with the service stopped: changes made between the triggers'
-- creation and the count below would be counted twice.

-- +goose Up
CREATE TABLE conversation_counts (
    status   VARCHAR(32) NOT NULL,
    staff_id BIGINT NOT NULL,
    shard    INT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (status, staff_id, shard)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose StatementBegin
CREATE TRIGGER conversations_count_insert AFTER INSERT ON conversations FOR EACH ROW
    INSERT INTO conversation_counts (status, staff_id, shard, n)
    VALUES (NEW.status, COALESCE(NEW.assigned_to, 0), FLOOR(RAND() * 16), 1)
    ON DUPLICATE KEY UPDATE n = n + 1;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_count_delete AFTER DELETE ON conversations FOR EACH ROW
    INSERT INTO conversation_counts (status, staff_id, shard, n)
    VALUES (OLD.status, COALESCE(OLD.assigned_to, 0), FLOOR(RAND() * 16), -1)
    ON DUPLICATE KEY UPDATE n = n - 1;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_count_update AFTER UPDATE ON conversations FOR EACH ROW
BEGIN
    IF NOT (OLD.status <=> NEW.status) OR NOT (OLD.assigned_to <=> NEW.assigned_to) THEN
        INSERT INTO conversation_counts (status, staff_id, shard, n)
        VALUES (OLD.status, COALESCE(OLD.assigned_to, 0), FLOOR(RAND() * 16), -1)
        ON DUPLICATE KEY UPDATE n = n - 1;
        INSERT INTO conversation_counts (status, staff_id, shard, n)
        VALUES (NEW.status, COALESCE(NEW.assigned_to, 0), FLOOR(RAND() * 16), 1)
        ON DUPLICATE KEY UPDATE n = n + 1;
    END IF;
END;
-- +goose StatementEnd

INSERT INTO conversation_counts (status, staff_id, shard, n)
SELECT status, COALESCE(assigned_to, 0), 0, COUNT(*) FROM conversations GROUP BY status, COALESCE(assigned_to, 0)
ON DUPLICATE KEY UPDATE n = conversation_counts.n + VALUES(n);
DROP INDEX conversations_status_assigned ON conversations;

-- The dashboard reads one metric over up to a year of days: by metric
-- first, it reads that metric's rows only (covering).
CREATE INDEX metric_daily_metric ON metric_daily (metric, day, staff_id, bucket, n);

SET SESSION innodb_ft_enable_stopword = OFF;
ALTER TABLE customers ADD FULLTEXT INDEX customers_name_email_ft (name, email);

-- +goose Down
ALTER TABLE customers DROP INDEX customers_name_email_ft;
DROP INDEX metric_daily_metric ON metric_daily;
CREATE INDEX conversations_status_assigned ON conversations (status, assigned_to);
DROP TRIGGER conversations_count_update;
DROP TRIGGER conversations_count_delete;
DROP TRIGGER conversations_count_insert;
DROP TABLE conversation_counts;
