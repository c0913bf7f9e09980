-- GoAdmin v1.2.26's own tables (it never creates them), shaped after its
-- reference schema (data/admin.db, data/admin.sql) and the columns its models read:
-- models/*.go type-assert id/parent_id/type/user_id to int64 and uri/title/icon/
-- values/sid/key/value to string, so those columns are NOT NULL.
-- No stock users and no "*" permission: Parley creates staff itself, and each
-- role gets explicit paths and menu rows.
--
-- http_path syntax (plugins/admin/models/user.go CheckPermissionByUrlMethod):
-- one entry per line, WITHOUT the /admin prefix (GoAdmin prepends it), each a Go
-- regexp that must match the whole request path; "?" starts required query
-- parameters, so patterns must not contain "?". "/" is /admin itself.
-- An empty http_method means every method.

-- +goose Up
CREATE TABLE goadmin_users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    username       TEXT NOT NULL COLLATE NOCASE,
    password       TEXT NOT NULL DEFAULT '',
    name           TEXT NOT NULL DEFAULT '',
    avatar         TEXT DEFAULT NULL,
    remember_token TEXT DEFAULT NULL,
    created_at     TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at     TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX goadmin_users_username_unique ON goadmin_users (username);

CREATE TABLE goadmin_roles (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    slug       TEXT NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX goadmin_roles_name_unique ON goadmin_roles (name);
CREATE UNIQUE INDEX goadmin_roles_slug_unique ON goadmin_roles (slug);

CREATE TABLE goadmin_permissions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL,
    http_method TEXT DEFAULT NULL,
    http_path   TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX goadmin_permissions_name_unique ON goadmin_permissions (name);
CREATE UNIQUE INDEX goadmin_permissions_slug_unique ON goadmin_permissions (slug);

CREATE TABLE goadmin_role_users (
    role_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX goadmin_role_users_unique ON goadmin_role_users (role_id, user_id);
CREATE INDEX goadmin_role_users_user ON goadmin_role_users (user_id);

CREATE TABLE goadmin_role_permissions (
    role_id       INTEGER NOT NULL,
    permission_id INTEGER NOT NULL,
    created_at    TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at    TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX goadmin_role_permissions_unique ON goadmin_role_permissions (role_id, permission_id);

CREATE TABLE goadmin_user_permissions (
    user_id       INTEGER NOT NULL,
    permission_id INTEGER NOT NULL,
    created_at    TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at    TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX goadmin_user_permissions_unique ON goadmin_user_permissions (user_id, permission_id);

CREATE TABLE goadmin_menu (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id   INTEGER NOT NULL DEFAULT 0,
    type        INTEGER NOT NULL DEFAULT 0,
    `order`     INTEGER NOT NULL DEFAULT 0,
    title       TEXT NOT NULL,
    icon        TEXT NOT NULL,
    uri         TEXT NOT NULL DEFAULT '',
    header      TEXT DEFAULT NULL,
    plugin_name TEXT NOT NULL DEFAULT '',
    uuid        TEXT DEFAULT NULL,
    created_at  TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE goadmin_role_menu (
    role_id    INTEGER NOT NULL,
    menu_id    INTEGER NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX goadmin_role_menu_unique ON goadmin_role_menu (role_id, menu_id);

-- One row per login session ("values" = {"user_id":N}) and one per form CSRF
-- token ("values" = "__csrf_token__"); looked up by sid on every admin request.
CREATE TABLE goadmin_session (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    sid        TEXT NOT NULL DEFAULT '',
    `values`   TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX goadmin_session_sid ON goadmin_session (sid);
CREATE INDEX goadmin_session_values ON goadmin_session (`values`);
CREATE INDEX goadmin_session_created ON goadmin_session (created_at);

CREATE TABLE goadmin_operation_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL,
    path       TEXT NOT NULL,
    method     TEXT NOT NULL,
    ip         TEXT NOT NULL,
    input      TEXT NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX goadmin_operation_log_user_id ON goadmin_operation_log (user_id);

CREATE TABLE goadmin_site (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    `key`       TEXT NOT NULL,
    value       TEXT NOT NULL DEFAULT '',
    description TEXT DEFAULT NULL,
    state       INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX goadmin_site_key ON goadmin_site (`key`);

-- Roles: the slug is the Casbin role.
INSERT INTO goadmin_roles (name, slug) VALUES
    ('Owner', 'owner'),
    ('Admin', 'admin'),
    ('Chat admin', 'chat_admin'),
    ('Agent', 'agent');

-- One explicit permission per role (newline-separated regexps, see the header).
INSERT INTO goadmin_permissions (name, slug, http_method, http_path) VALUES
    ('Agent access', 'parley_agent', '',
     '/' || char(10) || '/dashboard.*' || char(10) || '/info/conversation.*' || char(10) ||
     '/edit/conversation' || char(10) || '/operation/.*' || char(10) ||
     '/logout' || char(10) || '/events' || char(10) || '/jobs.*'),
    ('Chat admin access', 'parley_chat_admin', '',
     '/' || char(10) || '/dashboard.*' || char(10) || '/info/conversation.*' || char(10) ||
     '/edit/conversation' || char(10) || '/operation/.*' || char(10) ||
     '/logout' || char(10) || '/events' || char(10) || '/jobs.*' || char(10) ||
     '/delete/conversation' || char(10) || '/info/customer.*' || char(10) || '/info/block.*'),
    ('Admin access', 'parley_admin', '',
     '/' || char(10) || '/dashboard.*' || char(10) || '/info/conversation.*' || char(10) ||
     '/edit/conversation' || char(10) || '/operation/.*' || char(10) ||
     '/logout' || char(10) || '/events' || char(10) || '/jobs.*' || char(10) ||
     '/delete/conversation' || char(10) || '/info/customer.*' || char(10) || '/info/block.*' || char(10) ||
     '/info/audit.*'),
    ('Owner access', 'parley_owner', '',
     '/' || char(10) || '/dashboard.*' || char(10) || '/info/conversation.*' || char(10) ||
     '/edit/conversation' || char(10) || '/operation/.*' || char(10) ||
     '/logout' || char(10) || '/events' || char(10) || '/jobs.*' || char(10) ||
     '/delete/conversation' || char(10) || '/info/customer.*' || char(10) || '/info/block.*' || char(10) ||
     '/info/audit.*');

INSERT INTO goadmin_role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM goadmin_roles r JOIN goadmin_permissions p ON p.slug = 'parley_' || r.slug;

-- Menu: uri without the /admin prefix (the theme prepends it).
INSERT INTO goadmin_menu (parent_id, type, `order`, title, icon, uri, plugin_name) VALUES
    (0, 0, 1, 'Inbox', 'fa-inbox', '/dashboard/conversation', '');

INSERT INTO goadmin_role_menu (role_id, menu_id)
SELECT r.id, m.id FROM goadmin_roles r JOIN goadmin_menu m ON m.plugin_name = ''
WHERE m.uri = '/dashboard/conversation';

-- +goose Down
DROP TABLE goadmin_site;
DROP TABLE goadmin_operation_log;
DROP TABLE goadmin_session;
DROP TABLE goadmin_role_menu;
DROP TABLE goadmin_menu;
DROP TABLE goadmin_user_permissions;
DROP TABLE goadmin_role_permissions;
DROP TABLE goadmin_role_users;
DROP TABLE goadmin_permissions;
DROP TABLE goadmin_roles;
DROP TABLE goadmin_users;
