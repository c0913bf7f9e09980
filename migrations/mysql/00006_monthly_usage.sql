-- +goose Up
-- R10: inbound customer messages counted per calendar month, so the monthly
-- cap is one conditional update in the send's transaction instead of a scan
-- of the month's messages. Existing messages are counted once here, by UTC
-- month (the store's time zone until one is set).
CREATE TABLE monthly_usage (
    month             CHAR(7) PRIMARY KEY,
    customer_messages INT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO monthly_usage (month, customer_messages)
SELECT DATE_FORMAT(created_at, '%Y-%m'), COUNT(*) FROM messages
WHERE kind = 'reply' AND author_type IN ('customer', 'guest')
GROUP BY DATE_FORMAT(created_at, '%Y-%m');

-- +goose Down
DROP TABLE monthly_usage;
