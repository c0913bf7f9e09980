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
-- rows itself, in its transaction.

-- +goose Up
ALTER TABLE customers ADD COLUMN login_email TEXT;
ALTER TABLE customers ADD COLUMN updated_at DATETIME;
UPDATE customers SET login_email = email WHERE password_hash IS NOT NULL AND is_guest = 0 AND email IS NOT NULL;
DROP INDEX customers_email;
CREATE INDEX customers_email ON customers (email);
CREATE UNIQUE INDEX customers_login_email ON customers (login_email);
CREATE INDEX customers_guest_created ON customers (is_guest, created_at);

ALTER TABLE orders ADD COLUMN external_id TEXT;
ALTER TABLE orders ADD COLUMN updated_at DATETIME;
CREATE UNIQUE INDEX orders_external_id ON orders (external_id);

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    key_hash     TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    revoked_at   DATETIME,
    last_used_at DATETIME
);
CREATE UNIQUE INDEX api_keys_hash ON api_keys (key_hash);
CREATE INDEX api_keys_name ON api_keys (name);

CREATE TABLE identity_jtis (
    jti        TEXT PRIMARY KEY,
    expires_at DATETIME NOT NULL
);
CREATE INDEX identity_jtis_expires ON identity_jtis (expires_at);

CREATE TABLE password_resets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL,
    token_hash  TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL,
    used_at     DATETIME
);
CREATE UNIQUE INDEX password_resets_hash ON password_resets (token_hash);
CREATE INDEX password_resets_customer ON password_resets (customer_id, created_at);

-- +goose Down
DROP TABLE password_resets;
DROP TABLE identity_jtis;
DROP TABLE api_keys;
DROP INDEX orders_external_id;
ALTER TABLE orders DROP COLUMN updated_at;
ALTER TABLE orders DROP COLUMN external_id;
DROP INDEX customers_guest_created;
DROP INDEX customers_login_email;
DROP INDEX customers_email;
CREATE UNIQUE INDEX customers_email ON customers (email);
ALTER TABLE customers DROP COLUMN updated_at;
ALTER TABLE customers DROP COLUMN login_email;
