-- Named, table-level foreign keys. 00001 declared them at column level,
-- which MySQL 8 ignores (no keys at all) and MariaDB turned into auto-named
-- keys (orders_ibfk_1, …). This migration
--   1. drops every foreign key of Parley's tables, whatever its name
--      (looked up in information_schema, dropped by name);
--   2. resolves orphans, which MySQL 8 let in, the way the declared action
--      would have (CASCADE: delete the row; SET NULL: clear the column; the
--      one RESTRICT key, conversations -> customers, was CASCADE before, so
--      an orphan conversation is deleted), parents before children, and
--      reports what it did as one audit_log entry
--      (action schema_orphans_resolved, counts per key) when there was any;
--   3. adds the named keys. conversations -> customers is ON DELETE
--      RESTRICT, so deleting a customer never takes their threads with it.
-- Plain SQL (a prepared statement per table), no stored procedures.

-- +goose Up

-- 1. Drop the existing keys by name.
SET @drop = (SELECT CONCAT('ALTER TABLE `orders` ', GROUP_CONCAT(CONCAT('DROP FOREIGN KEY `', constraint_name, '`') SEPARATOR ', '))
    FROM information_schema.table_constraints
    WHERE constraint_schema = DATABASE() AND table_name = 'orders' AND constraint_type = 'FOREIGN KEY');
SET @drop = COALESCE(@drop, 'DO 0');
PREPARE drop_keys FROM @drop;
EXECUTE drop_keys;
DEALLOCATE PREPARE drop_keys;
SET @drop = (SELECT CONCAT('ALTER TABLE `order_items` ', GROUP_CONCAT(CONCAT('DROP FOREIGN KEY `', constraint_name, '`') SEPARATOR ', '))
    FROM information_schema.table_constraints
    WHERE constraint_schema = DATABASE() AND table_name = 'order_items' AND constraint_type = 'FOREIGN KEY');
SET @drop = COALESCE(@drop, 'DO 0');
PREPARE drop_keys FROM @drop;
EXECUTE drop_keys;
DEALLOCATE PREPARE drop_keys;
SET @drop = (SELECT CONCAT('ALTER TABLE `carts` ', GROUP_CONCAT(CONCAT('DROP FOREIGN KEY `', constraint_name, '`') SEPARATOR ', '))
    FROM information_schema.table_constraints
    WHERE constraint_schema = DATABASE() AND table_name = 'carts' AND constraint_type = 'FOREIGN KEY');
SET @drop = COALESCE(@drop, 'DO 0');
PREPARE drop_keys FROM @drop;
EXECUTE drop_keys;
DEALLOCATE PREPARE drop_keys;
SET @drop = (SELECT CONCAT('ALTER TABLE `cart_items` ', GROUP_CONCAT(CONCAT('DROP FOREIGN KEY `', constraint_name, '`') SEPARATOR ', '))
    FROM information_schema.table_constraints
    WHERE constraint_schema = DATABASE() AND table_name = 'cart_items' AND constraint_type = 'FOREIGN KEY');
SET @drop = COALESCE(@drop, 'DO 0');
PREPARE drop_keys FROM @drop;
EXECUTE drop_keys;
DEALLOCATE PREPARE drop_keys;
SET @drop = (SELECT CONCAT('ALTER TABLE `conversations` ', GROUP_CONCAT(CONCAT('DROP FOREIGN KEY `', constraint_name, '`') SEPARATOR ', '))
    FROM information_schema.table_constraints
    WHERE constraint_schema = DATABASE() AND table_name = 'conversations' AND constraint_type = 'FOREIGN KEY');
SET @drop = COALESCE(@drop, 'DO 0');
PREPARE drop_keys FROM @drop;
EXECUTE drop_keys;
DEALLOCATE PREPARE drop_keys;
SET @drop = (SELECT CONCAT('ALTER TABLE `messages` ', GROUP_CONCAT(CONCAT('DROP FOREIGN KEY `', constraint_name, '`') SEPARATOR ', '))
    FROM information_schema.table_constraints
    WHERE constraint_schema = DATABASE() AND table_name = 'messages' AND constraint_type = 'FOREIGN KEY');
SET @drop = COALESCE(@drop, 'DO 0');
PREPARE drop_keys FROM @drop;
EXECUTE drop_keys;
DEALLOCATE PREPARE drop_keys;
SET @drop = (SELECT CONCAT('ALTER TABLE `attachments` ', GROUP_CONCAT(CONCAT('DROP FOREIGN KEY `', constraint_name, '`') SEPARATOR ', '))
    FROM information_schema.table_constraints
    WHERE constraint_schema = DATABASE() AND table_name = 'attachments' AND constraint_type = 'FOREIGN KEY');
SET @drop = COALESCE(@drop, 'DO 0');
PREPARE drop_keys FROM @drop;
EXECUTE drop_keys;
DEALLOCATE PREPARE drop_keys;
SET @drop = (SELECT CONCAT('ALTER TABLE `blocks` ', GROUP_CONCAT(CONCAT('DROP FOREIGN KEY `', constraint_name, '`') SEPARATOR ', '))
    FROM information_schema.table_constraints
    WHERE constraint_schema = DATABASE() AND table_name = 'blocks' AND constraint_type = 'FOREIGN KEY');
SET @drop = COALESCE(@drop, 'DO 0');
PREPARE drop_keys FROM @drop;
EXECUTE drop_keys;
DEALLOCATE PREPARE drop_keys;
SET @drop = (SELECT CONCAT('ALTER TABLE `notifications` ', GROUP_CONCAT(CONCAT('DROP FOREIGN KEY `', constraint_name, '`') SEPARATOR ', '))
    FROM information_schema.table_constraints
    WHERE constraint_schema = DATABASE() AND table_name = 'notifications' AND constraint_type = 'FOREIGN KEY');
SET @drop = COALESCE(@drop, 'DO 0');
PREPARE drop_keys FROM @drop;
EXECUTE drop_keys;
DEALLOCATE PREPARE drop_keys;
SET @drop = (SELECT CONCAT('ALTER TABLE `consents` ', GROUP_CONCAT(CONCAT('DROP FOREIGN KEY `', constraint_name, '`') SEPARATOR ', '))
    FROM information_schema.table_constraints
    WHERE constraint_schema = DATABASE() AND table_name = 'consents' AND constraint_type = 'FOREIGN KEY');
SET @drop = COALESCE(@drop, 'DO 0');
PREPARE drop_keys FROM @drop;
EXECUTE drop_keys;
DEALLOCATE PREPARE drop_keys;

-- 2. Resolve orphans, parents first.
DELETE c FROM `orders` c LEFT JOIN `customers` p ON p.id = c.customer_id WHERE c.customer_id IS NOT NULL AND p.id IS NULL;
SET @fk_orders_customer = ROW_COUNT();
DELETE c FROM `order_items` c LEFT JOIN `orders` p ON p.id = c.order_id WHERE c.order_id IS NOT NULL AND p.id IS NULL;
SET @fk_order_items_order = ROW_COUNT();
DELETE c FROM `carts` c LEFT JOIN `customers` p ON p.id = c.customer_id WHERE c.customer_id IS NOT NULL AND p.id IS NULL;
SET @fk_carts_customer = ROW_COUNT();
DELETE c FROM `cart_items` c LEFT JOIN `carts` p ON p.id = c.cart_id WHERE c.cart_id IS NOT NULL AND p.id IS NULL;
SET @fk_cart_items_cart = ROW_COUNT();
DELETE c FROM `conversations` c LEFT JOIN `customers` p ON p.id = c.customer_id WHERE c.customer_id IS NOT NULL AND p.id IS NULL;
SET @fk_conversations_customer = ROW_COUNT();
UPDATE `conversations` c LEFT JOIN `orders` p ON p.id = c.order_id SET c.order_id = NULL WHERE c.order_id IS NOT NULL AND p.id IS NULL;
SET @fk_conversations_order = ROW_COUNT();
UPDATE `conversations` c LEFT JOIN `conversations` p ON p.id = c.follow_up_of SET c.follow_up_of = NULL WHERE c.follow_up_of IS NOT NULL AND p.id IS NULL;
SET @fk_conversations_follow_up = ROW_COUNT();
DELETE c FROM `messages` c LEFT JOIN `conversations` p ON p.id = c.conversation_id WHERE c.conversation_id IS NOT NULL AND p.id IS NULL;
SET @fk_messages_conversation = ROW_COUNT();
DELETE c FROM `attachments` c LEFT JOIN `messages` p ON p.id = c.message_id WHERE c.message_id IS NOT NULL AND p.id IS NULL;
SET @fk_attachments_message = ROW_COUNT();
DELETE c FROM `attachments` c LEFT JOIN `conversations` p ON p.id = c.conversation_id WHERE c.conversation_id IS NOT NULL AND p.id IS NULL;
SET @fk_attachments_conversation = ROW_COUNT();
DELETE c FROM `blocks` c LEFT JOIN `customers` p ON p.id = c.customer_id WHERE c.customer_id IS NOT NULL AND p.id IS NULL;
SET @fk_blocks_customer = ROW_COUNT();
DELETE c FROM `notifications` c LEFT JOIN `conversations` p ON p.id = c.conversation_id WHERE c.conversation_id IS NOT NULL AND p.id IS NULL;
SET @fk_notifications_conversation = ROW_COUNT();
DELETE c FROM `notifications` c LEFT JOIN `messages` p ON p.id = c.message_id WHERE c.message_id IS NOT NULL AND p.id IS NULL;
SET @fk_notifications_message = ROW_COUNT();
DELETE c FROM `consents` c LEFT JOIN `customers` p ON p.id = c.customer_id WHERE c.customer_id IS NOT NULL AND p.id IS NULL;
SET @fk_consents_customer = ROW_COUNT();
INSERT INTO audit_log (actor_type, actor_id, actor_name, action, subject_type, subject_id, before_json, after_json, created_at)
SELECT 'system', 0, 'migration 00004', 'schema_orphans_resolved', 'schema', 4, '', JSON_OBJECT('fk_orders_customer', CAST(@fk_orders_customer AS SIGNED), 'fk_order_items_order', CAST(@fk_order_items_order AS SIGNED), 'fk_carts_customer', CAST(@fk_carts_customer AS SIGNED), 'fk_cart_items_cart', CAST(@fk_cart_items_cart AS SIGNED), 'fk_conversations_customer', CAST(@fk_conversations_customer AS SIGNED), 'fk_conversations_order', CAST(@fk_conversations_order AS SIGNED), 'fk_conversations_follow_up', CAST(@fk_conversations_follow_up AS SIGNED), 'fk_messages_conversation', CAST(@fk_messages_conversation AS SIGNED), 'fk_attachments_message', CAST(@fk_attachments_message AS SIGNED), 'fk_attachments_conversation', CAST(@fk_attachments_conversation AS SIGNED), 'fk_blocks_customer', CAST(@fk_blocks_customer AS SIGNED), 'fk_notifications_conversation', CAST(@fk_notifications_conversation AS SIGNED), 'fk_notifications_message', CAST(@fk_notifications_message AS SIGNED), 'fk_consents_customer', CAST(@fk_consents_customer AS SIGNED)), UTC_TIMESTAMP(6)
FROM DUAL WHERE @fk_orders_customer + @fk_order_items_order + @fk_carts_customer + @fk_cart_items_cart + @fk_conversations_customer + @fk_conversations_order + @fk_conversations_follow_up + @fk_messages_conversation + @fk_attachments_message + @fk_attachments_conversation + @fk_blocks_customer + @fk_notifications_conversation + @fk_notifications_message + @fk_consents_customer > 0;

-- 3. The named keys.
ALTER TABLE `orders`
    ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;
ALTER TABLE `order_items`
    ADD CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE;
ALTER TABLE `carts`
    ADD CONSTRAINT fk_carts_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;
ALTER TABLE `cart_items`
    ADD CONSTRAINT fk_cart_items_cart FOREIGN KEY (cart_id) REFERENCES carts (id) ON DELETE CASCADE;
ALTER TABLE `conversations`
    ADD CONSTRAINT fk_conversations_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE RESTRICT,
    ADD CONSTRAINT fk_conversations_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE SET NULL,
    ADD CONSTRAINT fk_conversations_follow_up FOREIGN KEY (follow_up_of) REFERENCES conversations (id) ON DELETE SET NULL;
ALTER TABLE `messages`
    ADD CONSTRAINT fk_messages_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE;
ALTER TABLE `attachments`
    ADD CONSTRAINT fk_attachments_message FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE,
    ADD CONSTRAINT fk_attachments_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE;
ALTER TABLE `blocks`
    ADD CONSTRAINT fk_blocks_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;
ALTER TABLE `notifications`
    ADD CONSTRAINT fk_notifications_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE,
    ADD CONSTRAINT fk_notifications_message FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE;
ALTER TABLE `consents`
    ADD CONSTRAINT fk_consents_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;

-- +goose Down
ALTER TABLE `consents`
    DROP FOREIGN KEY fk_consents_customer;
ALTER TABLE `notifications`
    DROP FOREIGN KEY fk_notifications_conversation,
    DROP FOREIGN KEY fk_notifications_message;
ALTER TABLE `blocks`
    DROP FOREIGN KEY fk_blocks_customer;
ALTER TABLE `attachments`
    DROP FOREIGN KEY fk_attachments_message,
    DROP FOREIGN KEY fk_attachments_conversation;
ALTER TABLE `messages`
    DROP FOREIGN KEY fk_messages_conversation;
ALTER TABLE `conversations`
    DROP FOREIGN KEY fk_conversations_customer,
    DROP FOREIGN KEY fk_conversations_order,
    DROP FOREIGN KEY fk_conversations_follow_up;
ALTER TABLE `cart_items`
    DROP FOREIGN KEY fk_cart_items_cart;
ALTER TABLE `carts`
    DROP FOREIGN KEY fk_carts_customer;
ALTER TABLE `order_items`
    DROP FOREIGN KEY fk_order_items_order;
ALTER TABLE `orders`
    DROP FOREIGN KEY fk_orders_customer;
