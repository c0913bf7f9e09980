-- Named, table-level foreign keys everywhere, and conversations -> customers
-- ON DELETE RESTRICT, so deleting a customer never takes their conversations
-- with it by accident. Databases made by an older 00001 have column-level
-- (unnamed) keys with the same actions; SQLite cannot alter a constraint, so
-- conversations is rebuilt (SQLite's documented 12-step procedure: foreign
-- key enforcement off on this connection, one transaction, back on). The
-- AUTOINCREMENT high-water mark is carried over, so ids are never reused.
-- The other tables' keys keep their actions and need no rebuild.

-- +goose NO TRANSACTION
-- +goose Up
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE conversations_new (
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
    CONSTRAINT fk_conversations_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE RESTRICT,
    CONSTRAINT fk_conversations_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE SET NULL,
    CONSTRAINT fk_conversations_follow_up FOREIGN KEY (follow_up_of) REFERENCES conversations (id) ON DELETE SET NULL
);
INSERT INTO conversations_new (id, customer_id, customer_name, customer_email, subject, order_id, status, assigned_to, follow_up_of, is_read_by_admin, is_read_by_user, created_at, updated_at, last_message_at, last_preview, message_count, public_last_at, public_preview, public_message_count)
    SELECT id, customer_id, customer_name, customer_email, subject, order_id, status, assigned_to, follow_up_of, is_read_by_admin, is_read_by_user, created_at, updated_at, last_message_at, last_preview, message_count, public_last_at, public_preview, public_message_count FROM conversations;
DELETE FROM sqlite_sequence WHERE name = 'conversations_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'conversations_new', seq FROM sqlite_sequence WHERE name = 'conversations';
DROP TABLE conversations;
ALTER TABLE conversations_new RENAME TO conversations;
CREATE INDEX conversations_activity ON conversations (last_message_at, id);
CREATE INDEX conversations_status ON conversations (status, last_message_at);
CREATE INDEX conversations_assigned ON conversations (assigned_to, last_message_at);
CREATE INDEX conversations_customer ON conversations (customer_id, public_last_at);
CREATE INDEX conversations_unread ON conversations (is_read_by_admin, last_message_at);
CREATE INDEX conversations_follow_up ON conversations (follow_up_of, status);
CREATE INDEX conversations_order ON conversations (order_id);
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE conversations_old (
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
INSERT INTO conversations_old (id, customer_id, customer_name, customer_email, subject, order_id, status, assigned_to, follow_up_of, is_read_by_admin, is_read_by_user, created_at, updated_at, last_message_at, last_preview, message_count, public_last_at, public_preview, public_message_count)
    SELECT id, customer_id, customer_name, customer_email, subject, order_id, status, assigned_to, follow_up_of, is_read_by_admin, is_read_by_user, created_at, updated_at, last_message_at, last_preview, message_count, public_last_at, public_preview, public_message_count FROM conversations;
DELETE FROM sqlite_sequence WHERE name = 'conversations_old';
INSERT INTO sqlite_sequence (name, seq) SELECT 'conversations_old', seq FROM sqlite_sequence WHERE name = 'conversations';
DROP TABLE conversations;
ALTER TABLE conversations_old RENAME TO conversations;
CREATE INDEX conversations_activity ON conversations (last_message_at, id);
CREATE INDEX conversations_status ON conversations (status, last_message_at);
CREATE INDEX conversations_assigned ON conversations (assigned_to, last_message_at);
CREATE INDEX conversations_customer ON conversations (customer_id, public_last_at);
CREATE INDEX conversations_unread ON conversations (is_read_by_admin, last_message_at);
CREATE INDEX conversations_follow_up ON conversations (follow_up_of, status);
CREATE INDEX conversations_order ON conversations (order_id);
COMMIT;
PRAGMA foreign_keys = ON;
