-- +goose Up
-- The dashboard's histograms over a long period: besides each staff
-- member's rows, every duration is also counted once in a store-wide row
-- (staff_id -1), so a chat admin's year reads one row per day and bucket
-- instead of one per staff member, day and bucket. New conversations are
-- only ever counted store-wide (staff_id 0) and need no second row.
INSERT INTO metric_daily (day, metric, staff_id, bucket, n)
SELECT day, metric, -1, bucket, SUM(n) FROM metric_daily
WHERE metric <> 'conversations' AND staff_id <> -1
GROUP BY day, metric, bucket;
-- Reads are by metric and one staff_id (a person, or -1 for the store),
-- over a range of days: covering, in that order.
CREATE INDEX metric_daily_staff ON metric_daily (metric, staff_id, day, bucket, n);
DROP INDEX metric_daily_metric;

-- +goose Down
CREATE INDEX metric_daily_metric ON metric_daily (metric, day, staff_id, bucket, n);
DROP INDEX metric_daily_staff;
DELETE FROM metric_daily WHERE staff_id = -1;
