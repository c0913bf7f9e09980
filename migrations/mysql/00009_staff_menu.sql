-- +goose Up
-- The back office's menu entries for settings, staff and the plain tables,
-- each for the roles its route allows (admin/routes.go is the authority;
-- TestRouteTableMatchesGoAdmin checks the two agree).
INSERT INTO goadmin_menu (parent_id, type, `order`, title, icon, uri, plugin_name) VALUES
    (0, 0, 80, 'Staff', 'fa-users', '/staff', ''),
    (0, 0, 90, 'Settings', 'fa-cog', '/settings', '');

INSERT INTO goadmin_role_menu (role_id, menu_id)
SELECT r.id, m.id FROM goadmin_roles r JOIN goadmin_menu m ON m.plugin_name = '' AND m.uri = '/settings'
WHERE r.slug = 'owner';
INSERT INTO goadmin_role_menu (role_id, menu_id)
SELECT r.id, m.id FROM goadmin_roles r JOIN goadmin_menu m ON m.plugin_name = '' AND m.uri = '/staff'
WHERE r.slug IN ('owner', 'admin');

-- +goose Down
DELETE FROM goadmin_role_menu WHERE menu_id IN (SELECT id FROM goadmin_menu WHERE plugin_name = '' AND uri IN ('/settings', '/staff'));
DELETE FROM goadmin_menu WHERE plugin_name = '' AND uri IN ('/settings', '/staff');
