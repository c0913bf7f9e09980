-- +goose Up
-- The quick replies page in the menu, for the roles its route allows
-- (chat administrators and up; admin/routes.go is the authority and
-- TestRouteTableMatchesGoAdmin checks the two agree). Agents use quick
-- replies from the conversation page, not this page.
INSERT INTO goadmin_menu (parent_id, type, `order`, title, icon, uri, plugin_name) VALUES
    (0, 0, 35, 'Quick replies', 'fa-commenting', '/quick-replies', '');
INSERT INTO goadmin_role_menu (role_id, menu_id)
SELECT r.id, m.id FROM goadmin_roles r JOIN goadmin_menu m ON m.plugin_name = '' AND m.uri = '/quick-replies'
WHERE r.slug IN ('owner', 'admin', 'chat_admin');

-- The dashboard's failure card counts e-mails given up per period
-- (email_outcome = 'failed', created_at in the last 24 h / 7 days).
CREATE INDEX notifications_email_outcome ON notifications (email_outcome, created_at);

-- +goose Down
DROP INDEX notifications_email_outcome;
DELETE FROM goadmin_role_menu WHERE menu_id IN (SELECT id FROM goadmin_menu WHERE plugin_name = '' AND uri = '/quick-replies');
DELETE FROM goadmin_menu WHERE plugin_name = '' AND uri = '/quick-replies';
