-- NEW_MESSAGE e-mail (R19), driven from notification rows so that Redis
-- losing its data loses no e-mail and a retried task sends none twice.
-- email_due_at: when the row's e-mail may go (NULL: nothing to send, or
-- settled: sent, skipped or given up). email_claimed_until: the lease of the
-- sender working on it. email_outcome says how it settled: sent, coalesced
-- (into another row's e-mail), read, online, off (preference), no_address,
-- failed. Rows written before this release get no due time: history is
-- never mailed.
-- customers.email_unsubscribed_at: the one-click unsubscribe (RFC 8058).

-- +goose Up
ALTER TABLE notifications ADD COLUMN email_due_at DATETIME NULL;
ALTER TABLE notifications ADD COLUMN email_claimed_until DATETIME NULL;
ALTER TABLE notifications ADD COLUMN email_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN email_last_error TEXT NULL;
ALTER TABLE notifications ADD COLUMN email_outcome TEXT NOT NULL DEFAULT '';
CREATE INDEX notifications_email_due ON notifications (email_due_at);
ALTER TABLE customers ADD COLUMN email_unsubscribed_at DATETIME NULL;

-- Menu: the notification list (every staff role) and the dev mailbox
-- (admins and owners).
INSERT INTO goadmin_menu (parent_id, type, `order`, title, icon, uri, plugin_name) VALUES
    (0, 0, 2, 'Notifications', 'fa-bell', '/notifications', ''),
    (0, 0, 90, 'Dev mailbox', 'fa-envelope', '/mailbox', '');
INSERT INTO goadmin_role_menu (role_id, menu_id)
SELECT r.id, m.id FROM goadmin_roles r JOIN goadmin_menu m ON m.plugin_name = ''
WHERE m.uri = '/notifications' AND r.slug IN ('owner', 'admin', 'chat_admin', 'agent');
INSERT INTO goadmin_role_menu (role_id, menu_id)
SELECT r.id, m.id FROM goadmin_roles r JOIN goadmin_menu m ON m.plugin_name = ''
WHERE m.uri = '/mailbox' AND r.slug IN ('owner', 'admin');

-- +goose Down
DELETE FROM goadmin_role_menu WHERE menu_id IN (SELECT id FROM goadmin_menu WHERE uri IN ('/notifications', '/mailbox') AND plugin_name = '');
DELETE FROM goadmin_menu WHERE uri IN ('/notifications', '/mailbox') AND plugin_name = '';
ALTER TABLE customers DROP COLUMN email_unsubscribed_at;
DROP INDEX notifications_email_due;
ALTER TABLE notifications DROP COLUMN email_outcome;
ALTER TABLE notifications DROP COLUMN email_last_error;
ALTER TABLE notifications DROP COLUMN email_attempts;
ALTER TABLE notifications DROP COLUMN email_claimed_until;
ALTER TABLE notifications DROP COLUMN email_due_at;
