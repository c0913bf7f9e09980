-- +goose Up
-- The back office's menu entries for settings, staff and the plain tables,
-- each for the roles its route allows (admin/routes.go is the authority;
-- TestRouteTableMatchesGoAdmin checks the two agree).
-- Plain tables at a million rows: customer search is a case-insensitive
-- prefix match (LIKE 'x%' walks a NOCASE index in SQLite); the audit log
-- filters walk their own index in time order.
CREATE INDEX customers_name_nocase ON customers (name COLLATE NOCASE);
CREATE INDEX customers_email_nocase ON customers (email COLLATE NOCASE);
CREATE INDEX audit_log_actor ON audit_log (actor_name, created_at);
CREATE INDEX audit_log_action ON audit_log (action, created_at);

INSERT INTO goadmin_menu (parent_id, type, `order`, title, icon, uri, plugin_name) VALUES
    (0, 0, 40, 'Customers', 'fa-address-book', '/customers', ''),
    (0, 0, 50, 'Orders', 'fa-shopping-cart', '/orders', ''),
    (0, 0, 60, 'Blocks', 'fa-ban', '/blocks', ''),
    (0, 0, 70, 'Audit log', 'fa-history', '/audit', ''),
    (0, 0, 80, 'Staff', 'fa-users', '/staff', ''),
    (0, 0, 90, 'Settings', 'fa-cog', '/settings', '');

INSERT INTO goadmin_role_menu (role_id, menu_id)
SELECT r.id, m.id FROM goadmin_roles r JOIN goadmin_menu m ON m.plugin_name = '' AND m.uri = '/settings'
WHERE r.slug = 'owner';
INSERT INTO goadmin_role_menu (role_id, menu_id)
SELECT r.id, m.id FROM goadmin_roles r JOIN goadmin_menu m ON m.plugin_name = '' AND m.uri = '/staff'
WHERE r.slug IN ('owner', 'admin');
INSERT INTO goadmin_role_menu (role_id, menu_id)
SELECT r.id, m.id FROM goadmin_roles r JOIN goadmin_menu m ON m.plugin_name = '' AND m.uri = '/audit'
WHERE r.slug IN ('owner', 'admin');
INSERT INTO goadmin_role_menu (role_id, menu_id)
SELECT r.id, m.id FROM goadmin_roles r JOIN goadmin_menu m ON m.plugin_name = '' AND m.uri IN ('/customers', '/orders', '/blocks')
WHERE r.slug IN ('owner', 'admin', 'chat_admin');

-- +goose Down
DROP INDEX audit_log_action;
DROP INDEX audit_log_actor;
DROP INDEX customers_email_nocase;
DROP INDEX customers_name_nocase;
DELETE FROM goadmin_role_menu WHERE menu_id IN (SELECT id FROM goadmin_menu WHERE plugin_name = '' AND uri IN ('/settings', '/staff', '/audit', '/customers', '/orders', '/blocks'));
DELETE FROM goadmin_menu WHERE plugin_name = '' AND uri IN ('/settings', '/staff', '/audit', '/customers', '/orders', '/blocks');
