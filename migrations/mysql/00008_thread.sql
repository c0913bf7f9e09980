-- +goose Up
-- The conversation page (issue 6): the address a customer's or guest's
-- message came from (staff only; R13 blocks by it), what the customer
-- panel shows of a customer, staff notes on customers, and when a quick
-- reply last changed.
ALTER TABLE messages ADD COLUMN ip VARCHAR(45) NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN address VARCHAR(1000) NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN marketing_subscribed TINYINT(1) NOT NULL DEFAULT 0;
ALTER TABLE quick_replies ADD COLUMN updated_at DATETIME(6) NULL;

CREATE TABLE customer_notes (
    customer_id BIGINT PRIMARY KEY,
    body        TEXT NOT NULL,
    updated_by  BIGINT NOT NULL,
    updated_at  DATETIME(6) NOT NULL,
    CONSTRAINT fk_customer_notes_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE customer_notes;
ALTER TABLE quick_replies DROP COLUMN updated_at;
ALTER TABLE customers DROP COLUMN marketing_subscribed;
ALTER TABLE customers DROP COLUMN address;
ALTER TABLE messages DROP COLUMN ip;
