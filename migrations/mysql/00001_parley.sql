-- Foreign keys are declared in 00004, named and at table level: MySQL 8
-- ignores column-level REFERENCES (this file used them until issue 5; on
-- MariaDB they became auto-named keys, which 00004 replaces).

-- +goose Up
CREATE TABLE customers (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    email         VARCHAR(255),
    name          VARCHAR(255) NOT NULL DEFAULT '',
    password_hash TEXT,
    is_guest      TINYINT(1) NOT NULL DEFAULT 0,
    external_id   VARCHAR(191),
    created_at    DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX customers_email ON customers (email);
CREATE UNIQUE INDEX customers_external_id ON customers (external_id);

CREATE TABLE staff_accounts (
    user_id             BIGINT PRIMARY KEY,
    email               VARCHAR(255) NOT NULL DEFAULT '',
    active              TINYINT(1) NOT NULL DEFAULT 1,
    email_notifications TINYINT(1) NOT NULL DEFAULT 1,
    created_at          DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE orders (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    number      VARCHAR(64) NOT NULL,
    status      VARCHAR(32) NOT NULL,
    total_cents BIGINT NOT NULL DEFAULT 0,
    currency    VARCHAR(8) NOT NULL DEFAULT 'EUR',
    created_at  DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX orders_number ON orders (number);
CREATE INDEX orders_customer ON orders (customer_id, created_at);

CREATE TABLE order_items (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    order_id    BIGINT NOT NULL,
    sku         VARCHAR(64) NOT NULL,
    name        VARCHAR(255) NOT NULL,
    quantity    BIGINT NOT NULL,
    price_cents BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX order_items_order ON order_items (order_id);

CREATE TABLE carts (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    updated_at  DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX carts_customer ON carts (customer_id);

CREATE TABLE cart_items (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    cart_id     BIGINT NOT NULL,
    sku         VARCHAR(64) NOT NULL,
    name        VARCHAR(255) NOT NULL,
    quantity    BIGINT NOT NULL,
    price_cents BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX cart_items_cart ON cart_items (cart_id);

CREATE TABLE conversations (
    id                   BIGINT AUTO_INCREMENT PRIMARY KEY,
    customer_id          BIGINT NOT NULL,
    customer_name        VARCHAR(255) NOT NULL DEFAULT '',
    customer_email       VARCHAR(255) NOT NULL DEFAULT '',
    subject              VARCHAR(800) NOT NULL,
    order_id             BIGINT,
    status               VARCHAR(32) NOT NULL,
    assigned_to          BIGINT,
    follow_up_of         BIGINT,
    is_read_by_admin     TINYINT(1) NOT NULL DEFAULT 0,
    is_read_by_user      TINYINT(1) NOT NULL DEFAULT 0,
    created_at           DATETIME(6) NOT NULL,
    updated_at           DATETIME(6) NOT NULL,
    last_message_at      DATETIME(6) NOT NULL,
    last_preview         VARCHAR(600) NOT NULL DEFAULT '',
    message_count        BIGINT NOT NULL DEFAULT 0,
    public_last_at       DATETIME(6) NOT NULL,
    public_preview       VARCHAR(600) NOT NULL DEFAULT '',
    public_message_count BIGINT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX conversations_activity ON conversations (last_message_at, id);
CREATE INDEX conversations_status ON conversations (status, last_message_at);
CREATE INDEX conversations_assigned ON conversations (assigned_to, last_message_at);
CREATE INDEX conversations_customer ON conversations (customer_id, public_last_at);
CREATE INDEX conversations_unread ON conversations (is_read_by_admin, last_message_at);
CREATE INDEX conversations_follow_up ON conversations (follow_up_of, status);
CREATE INDEX conversations_order ON conversations (order_id);

CREATE TABLE messages (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    conversation_id BIGINT NOT NULL,
    kind            VARCHAR(16) NOT NULL,
    author_type     VARCHAR(16) NOT NULL,
    author_id       BIGINT,
    author_name     VARCHAR(255) NOT NULL DEFAULT '',
    body            MEDIUMTEXT NOT NULL,
    event           VARCHAR(32) NOT NULL DEFAULT '',
    is_public       TINYINT(1) NOT NULL,
    created_at      DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_created ON messages (created_at);
CREATE INDEX messages_author ON messages (author_type, author_id, created_at);

CREATE TABLE attachments (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    message_id      BIGINT NOT NULL,
    conversation_id BIGINT NOT NULL,
    media_type      VARCHAR(100) NOT NULL,
    size_bytes      BIGINT NOT NULL,
    duration_ms     BIGINT,
    storage_key     VARCHAR(255) NOT NULL,
    filename        VARCHAR(255) NOT NULL DEFAULT '',
    created_at      DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX attachments_message ON attachments (message_id);
CREATE INDEX attachments_conversation ON attachments (conversation_id);

CREATE TABLE quick_replies (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    title      VARCHAR(255) NOT NULL,
    body       TEXT NOT NULL,
    created_by BIGINT,
    created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE blocks (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    customer_id BIGINT,
    email       VARCHAR(255) NOT NULL DEFAULT '',
    ip          VARCHAR(64) NOT NULL DEFAULT '',
    reason      VARCHAR(500) NOT NULL DEFAULT '',
    created_by  BIGINT NOT NULL,
    created_at  DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX blocks_customer ON blocks (customer_id);
CREATE INDEX blocks_email ON blocks (email);
CREATE INDEX blocks_ip ON blocks (ip);

CREATE TABLE notifications (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    recipient_type  VARCHAR(16) NOT NULL,
    recipient_id    BIGINT NOT NULL,
    conversation_id BIGINT,
    message_id      BIGINT,
    kind            VARCHAR(16) NOT NULL,
    read_at         DATETIME(6),
    emailed_at      DATETIME(6),
    created_at      DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE UNIQUE INDEX notifications_once ON notifications (recipient_type, recipient_id, message_id, kind);
CREATE INDEX notifications_recipient ON notifications (recipient_type, recipient_id, read_at);

CREATE TABLE outbox (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    task_type  VARCHAR(64) NOT NULL,
    payload    TEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    sent_at    DATETIME(6),
    attempts   BIGINT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX outbox_pending ON outbox (sent_at, id);

CREATE TABLE audit_log (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    actor_type   VARCHAR(16) NOT NULL,
    actor_id     BIGINT NOT NULL DEFAULT 0,
    actor_name   VARCHAR(255) NOT NULL DEFAULT '',
    action       VARCHAR(64) NOT NULL,
    subject_type VARCHAR(32) NOT NULL DEFAULT '',
    subject_id   BIGINT NOT NULL DEFAULT 0,
    before_json  MEDIUMTEXT NOT NULL,
    after_json   MEDIUMTEXT NOT NULL,
    created_at   DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX audit_log_created ON audit_log (created_at);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id);

CREATE TABLE settings (
    name       VARCHAR(100) PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE consents (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    customer_id  BIGINT NOT NULL,
    text_version VARCHAR(64) NOT NULL,
    accepted_at  DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX consents_customer ON consents (customer_id);

CREATE TABLE api_tokens (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    token_hash   VARCHAR(64) NOT NULL,
    subject_type VARCHAR(32) NOT NULL,
    subject_id   BIGINT NOT NULL,
    created_at   DATETIME(6) NOT NULL,
    expires_at   DATETIME(6) NOT NULL,
    revoked_at   DATETIME(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
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
