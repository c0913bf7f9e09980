-- +goose Up
-- R10: inbound customer messages counted per calendar month, so the monthly
-- cap is one conditional update in the send's transaction instead of a scan
-- of the month's messages. Existing messages are counted once here, by UTC
-- month (the store's time zone until one is set).
CREATE TABLE monthly_usage (
    month             TEXT PRIMARY KEY,
    customer_messages INTEGER NOT NULL DEFAULT 0
);
INSERT INTO monthly_usage (month, customer_messages)
SELECT substr(created_at, 1, 7), COUNT(*) FROM messages
WHERE kind = 'reply' AND author_type IN ('customer', 'guest')
GROUP BY substr(created_at, 1, 7);

-- +goose Down
DROP TABLE monthly_usage;
