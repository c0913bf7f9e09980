-- +goose Up
-- R10's monthly counter in shards (docs/readme-send.md): every customer send
-- of the store added one to the month's single row and held its lock to the
-- end of its transaction, so all sends committed one after another — none
-- could share a log flush (one fsync per send) and each waited for the
-- previous. With no cap set (the default) a send now adds one to one of 16
-- rows of the month picked at random; with a cap, the month's shard 0 is
-- the lock that makes the conditional count exact. The month's count is the
-- sum of its rows. Existing counts become shard 0.
ALTER TABLE monthly_usage ADD COLUMN shard INT NOT NULL DEFAULT 0 AFTER month,
    DROP PRIMARY KEY, ADD PRIMARY KEY (month, shard);

-- +goose Down
CREATE TABLE monthly_usage_unsharded (
    month             CHAR(7) PRIMARY KEY,
    customer_messages INT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO monthly_usage_unsharded (month, customer_messages)
SELECT month, SUM(customer_messages) FROM monthly_usage GROUP BY month;
DROP TABLE monthly_usage;
RENAME TABLE monthly_usage_unsharded TO monthly_usage;
