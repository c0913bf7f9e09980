-- Foreign keys are table-level and named (CONSTRAINT fk_…): the schema
-- test refuses column-level REFERENCES, which MySQL 8 ignores; 00004 makes
-- conversations -> customers ON DELETE RESTRICT.

-- +goose Up
CREATE TABLE customers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT,
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT,
    is_guest      INTEGER NOT NULL DEFAULT 0,
    external_id   TEXT,
    created_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX customers_email ON customers (email);
CREATE UNIQUE INDEX customers_external_id ON customers (external_id);

CREATE TABLE staff_accounts (
    user_id             INTEGER PRIMARY KEY,
    email               TEXT NOT NULL DEFAULT '',
    active              INTEGER NOT NULL DEFAULT 1,
    email_notifications INTEGER NOT NULL DEFAULT 1,
    created_at          DATETIME NOT NULL
);

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL,
    number      TEXT NOT NULL,
    status      TEXT NOT NULL,
    total_cents INTEGER NOT NULL DEFAULT 0,
    currency    TEXT NOT NULL DEFAULT 'EUR',
    created_at  DATETIME NOT NULL,
    CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX orders_number ON orders (number);
CREATE INDEX orders_customer ON orders (customer_id, created_at);

CREATE TABLE order_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id    INTEGER NOT NULL,
    sku         TEXT NOT NULL,
    name        TEXT NOT NULL,
    quantity    INTEGER NOT NULL,
    price_cents INTEGER NOT NULL,
    CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
);
CREATE INDEX order_items_order ON order_items (order_id);

CREATE TABLE carts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL,
    updated_at  DATETIME NOT NULL,
    CONSTRAINT fk_carts_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX carts_customer ON carts (customer_id);

CREATE TABLE cart_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    cart_id     INTEGER NOT NULL,
    sku         TEXT NOT NULL,
    name        TEXT NOT NULL,
    quantity    INTEGER NOT NULL,
    price_cents INTEGER NOT NULL,
    CONSTRAINT fk_cart_items_cart FOREIGN KEY (cart_id) REFERENCES carts (id) ON DELETE CASCADE
);
CREATE INDEX cart_items_cart ON cart_items (cart_id);

CREATE TABLE conversations (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id          INTEGER NOT NULL,
    customer_name        TEXT NOT NULL DEFAULT '',
    customer_email       TEXT NOT NULL DEFAULT '',
    subject              TEXT NOT NULL,
    order_id             INTEGER,
    status               TEXT NOT NULL,
    assigned_to          INTEGER,
    follow_up_of         INTEGER,
    is_read_by_admin     INTEGER NOT NULL DEFAULT 0,
    is_read_by_user      INTEGER NOT NULL DEFAULT 0,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL,
    last_message_at      DATETIME NOT NULL,
    last_preview         TEXT NOT NULL DEFAULT '',
    message_count        INTEGER NOT NULL DEFAULT 0,
    public_last_at       DATETIME NOT NULL,
    public_preview       TEXT NOT NULL DEFAULT '',
    public_message_count INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT fk_conversations_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE,
    CONSTRAINT fk_conversations_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE SET NULL,
    CONSTRAINT fk_conversations_follow_up FOREIGN KEY (follow_up_of) REFERENCES conversations (id) ON DELETE SET NULL
);
CREATE INDEX conversations_activity ON conversations (last_message_at, id);
CREATE INDEX conversations_status ON conversations (status, last_message_at);
CREATE INDEX conversations_assigned ON conversations (assigned_to, last_message_at);
CREATE INDEX conversations_customer ON conversations (customer_id, public_last_at);
CREATE INDEX conversations_unread ON conversations (is_read_by_admin, last_message_at);
CREATE INDEX conversations_follow_up ON conversations (follow_up_of, status);
CREATE INDEX conversations_order ON conversations (order_id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    author_type     TEXT NOT NULL,
    author_id       INTEGER,
    author_name     TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL,
    event           TEXT NOT NULL DEFAULT '',
    is_public       INTEGER NOT NULL,
    created_at      DATETIME NOT NULL,
    CONSTRAINT fk_messages_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_created ON messages (created_at);
CREATE INDEX messages_author ON messages (author_type, author_id, created_at);

CREATE TABLE attachments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL,
    media_type      TEXT NOT NULL,
    size_bytes      INTEGER NOT NULL,
    duration_ms     INTEGER,
    storage_key     TEXT NOT NULL,
    filename        TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    CONSTRAINT fk_attachments_message FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE,
    CONSTRAINT fk_attachments_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
);
CREATE INDEX attachments_message ON attachments (message_id);
CREATE INDEX attachments_conversation ON attachments (conversation_id);

CREATE TABLE quick_replies (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_by INTEGER,
    created_at DATETIME NOT NULL
);

CREATE TABLE blocks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER,
    email       TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    created_by  INTEGER NOT NULL,
    created_at  DATETIME NOT NULL,
    CONSTRAINT fk_blocks_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
);
CREATE INDEX blocks_customer ON blocks (customer_id);
CREATE INDEX blocks_email ON blocks (email);
CREATE INDEX blocks_ip ON blocks (ip);

CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient_type  TEXT NOT NULL,
    recipient_id    INTEGER NOT NULL,
    conversation_id INTEGER,
    message_id      INTEGER,
    kind            TEXT NOT NULL,
    read_at         DATETIME,
    emailed_at      DATETIME,
    created_at      DATETIME NOT NULL,
    CONSTRAINT fk_notifications_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE,
    CONSTRAINT fk_notifications_message FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX notifications_once ON notifications (recipient_type, recipient_id, message_id, kind);
CREATE INDEX notifications_recipient ON notifications (recipient_type, recipient_id, read_at);

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    task_type  TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    sent_at    DATETIME,
    attempts   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (sent_at, id);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_type   TEXT NOT NULL,
    actor_id     INTEGER NOT NULL DEFAULT 0,
    actor_name   TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    subject_type TEXT NOT NULL DEFAULT '',
    subject_id   INTEGER NOT NULL DEFAULT 0,
    before_json  TEXT NOT NULL DEFAULT '',
    after_json   TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL
);
CREATE INDEX audit_log_created ON audit_log (created_at);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id);

CREATE TABLE settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at DATETIME NOT NULL
);

CREATE TABLE consents (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id  INTEGER NOT NULL,
    text_version TEXT NOT NULL,
    accepted_at  DATETIME NOT NULL,
    CONSTRAINT fk_consents_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
);
CREATE INDEX consents_customer ON consents (customer_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id   INTEGER NOT NULL,
    created_at   DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL,
    revoked_at   DATETIME
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_subject ON api_tokens (subject_type, subject_id);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE consents;
DROP TABLE settings;
DROP TABLE audit_log;
DROP TABLE outbox;
DROP TABLE notifications;
DROP TABLE blocks;
DROP TABLE quick_replies;
DROP TABLE attachments;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE cart_items;
DROP TABLE carts;
DROP TABLE order_items;
DROP TABLE orders;
DROP TABLE staff_accounts;
DROP TABLE customers;
