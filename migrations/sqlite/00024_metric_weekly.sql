-- +goose Up
-- The dashboard over long periods (docs/readme-dash.md): every count in
-- metric_daily is also kept per week (Monday to Sunday, in the store's time
-- zone like the days), so a year's histogram reads one row per week and
-- bucket, plus the days at either end, instead of one per day and bucket.
-- Same columns as metric_daily; week is the week's Monday. Run it with the
-- service stopped: counts written between the copy below and the new code
-- starting would be missing from the weekly rows.
CREATE TABLE metric_weekly (
    week     TEXT NOT NULL,
    metric   TEXT NOT NULL,
    staff_id INTEGER NOT NULL,
    bucket   INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (metric, staff_id, week, bucket)
);
INSERT INTO metric_weekly (week, metric, staff_id, bucket, n)
SELECT date(day, '-6 days', 'weekday 1'), metric, staff_id, bucket, SUM(n) FROM metric_daily
GROUP BY date(day, '-6 days', 'weekday 1'), metric, staff_id, bucket;

-- +goose Down
DROP TABLE metric_weekly;
