-- Issue 7, the store's systems and customer identity:
-- * customers get the shop's fields (address, marketing opt-in as
--   marketing_subscribed, the thread page's name) and a
--   login_email that is set only for password accounts: e-mail addresses
--   are unique among those alone (a guest's or an identity customer's
--   e-mail is a contact field, never unique, never matched to an account);
-- * orders get the shop's external id (idempotent upserts);
-- * integration API keys (hashed), used identity-token ids (single use
--   until they expire) and password-reset tokens (hashed, single use).
-- The new tables carry no foreign keys: the customer erasure deletes their
-- rows itself, in its transaction. Token ids compare byte for byte.

-- +goose Up
ALTER TABLE customers ADD COLUMN login_email VARCHAR(255);
ALTER TABLE customers ADD COLUMN updated_at DATETIME(6);
UPDATE customers SET login_email = email WHERE password_hash IS NOT NULL AND is_guest = 0 AND email IS NOT NULL;
DROP INDEX customers_email ON customers;
CREATE INDEX customers_email ON customers (email);
CREATE UNIQUE INDEX customers_login_email ON customers (login_email);
CREATE INDEX customers_guest_created ON customers (is_guest, created_at);

ALTER TABLE orders ADD COLUMN external_id VARCHAR(191);
ALTER TABLE orders ADD COLUMN updated_at DATETIME(6);
CREATE UNIQUE INDEX orders_external_id ON orders (external_id);

CREATE TABLE api_keys (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    name         VARCHAR(100) NOT NULL,
    key_hash     VARCHAR(64) NOT NULL,
    created_at   DATETIME(6) NOT NULL,
    revoked_at   DATETIME(6),
    last_used_at DATETIME(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX api_keys_hash ON api_keys (key_hash);
CREATE INDEX api_keys_name ON api_keys (name);

CREATE TABLE identity_jtis (
    jti        VARCHAR(191) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
    expires_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX identity_jtis_expires ON identity_jtis (expires_at);

CREATE TABLE password_resets (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    token_hash  VARCHAR(64) NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    expires_at  DATETIME(6) NOT NULL,
    used_at     DATETIME(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX password_resets_hash ON password_resets (token_hash);
CREATE INDEX password_resets_customer ON password_resets (customer_id, created_at);

-- +goose Down
DROP TABLE password_resets;
DROP TABLE identity_jtis;
DROP TABLE api_keys;
DROP INDEX orders_external_id ON orders;
ALTER TABLE orders DROP COLUMN updated_at;
ALTER TABLE orders DROP COLUMN external_id;
DROP INDEX customers_guest_created ON customers;
DROP INDEX customers_login_email ON customers;
DROP INDEX customers_email ON customers;
CREATE UNIQUE INDEX customers_email ON customers (email);
ALTER TABLE customers DROP COLUMN updated_at;
ALTER TABLE customers DROP COLUMN login_email;
