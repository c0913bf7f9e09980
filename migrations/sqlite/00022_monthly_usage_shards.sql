-- +goose Up
-- R10's monthly counter in shards: see the MySQL migration of the same
-- number. Existing counts become shard 0.
CREATE TABLE monthly_usage_sharded (
    month             TEXT NOT NULL,
    shard             INTEGER NOT NULL DEFAULT 0,
    customer_messages INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, shard)
);
INSERT INTO monthly_usage_sharded (month, shard, customer_messages)
SELECT month, 0, customer_messages FROM monthly_usage;
DROP TABLE monthly_usage;
ALTER TABLE monthly_usage_sharded RENAME TO monthly_usage;

-- +goose Down
CREATE TABLE monthly_usage_unsharded (
    month             TEXT PRIMARY KEY,
    customer_messages INTEGER NOT NULL DEFAULT 0
);
INSERT INTO monthly_usage_unsharded (month, customer_messages)
SELECT month, SUM(customer_messages) FROM monthly_usage GROUP BY month;
DROP TABLE monthly_usage;
ALTER TABLE monthly_usage_unsharded RENAME TO monthly_usage;
