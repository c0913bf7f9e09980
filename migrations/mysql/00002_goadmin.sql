-- GoAdmin v1.2.26's own tables (it never creates them), shaped after its
-- reference schema (data/admin.sql, data/admin.db) and the columns its models read:
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
    id             BIGINT NOT NULL AUTO_INCREMENT,
    username       VARCHAR(190) NOT NULL,
    password       VARCHAR(100) NOT NULL DEFAULT '',
    name           VARCHAR(255) NOT NULL DEFAULT '',
    avatar         VARCHAR(255) DEFAULT NULL,
    remember_token VARCHAR(100) DEFAULT NULL,
    created_at     TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at     TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY goadmin_users_username_unique (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE goadmin_roles (
    id         INT NOT NULL AUTO_INCREMENT,
    name       VARCHAR(50) NOT NULL,
    slug       VARCHAR(50) NOT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY goadmin_roles_name_unique (name),
    UNIQUE KEY goadmin_roles_slug_unique (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE goadmin_permissions (
    id          INT NOT NULL AUTO_INCREMENT,
    name        VARCHAR(50) NOT NULL,
    slug        VARCHAR(50) NOT NULL,
    http_method VARCHAR(255) DEFAULT NULL,
    http_path   TEXT NOT NULL,
    created_at  TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY goadmin_permissions_name_unique (name),
    UNIQUE KEY goadmin_permissions_slug_unique (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE goadmin_role_users (
    role_id    INT NOT NULL,
    user_id    BIGINT NOT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE KEY goadmin_role_users_unique (role_id, user_id),
    KEY goadmin_role_users_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE goadmin_role_permissions (
    role_id       INT NOT NULL,
    permission_id INT NOT NULL,
    created_at    TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at    TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE KEY goadmin_role_permissions_unique (role_id, permission_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE goadmin_user_permissions (
    user_id       BIGINT NOT NULL,
    permission_id INT NOT NULL,
    created_at    TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at    TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE KEY goadmin_user_permissions_unique (user_id, permission_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE goadmin_menu (
    id          INT NOT NULL AUTO_INCREMENT,
    parent_id   INT NOT NULL DEFAULT 0,
    type        TINYINT NOT NULL DEFAULT 0,
    `order`     INT NOT NULL DEFAULT 0,
    title       VARCHAR(50) NOT NULL,
    icon        VARCHAR(50) NOT NULL,
    uri         VARCHAR(3000) NOT NULL DEFAULT '',
    header      VARCHAR(150) DEFAULT NULL,
    plugin_name VARCHAR(150) NOT NULL DEFAULT '',
    uuid        VARCHAR(150) DEFAULT NULL,
    created_at  TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE goadmin_role_menu (
    role_id    INT NOT NULL,
    menu_id    INT NOT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE KEY goadmin_role_menu_unique (role_id, menu_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per login session (`values` = {"user_id":N}) and one per form CSRF
-- token (`values` = "__csrf_token__"); looked up by sid on every admin request.
CREATE TABLE goadmin_session (
    id         INT NOT NULL AUTO_INCREMENT,
    sid        VARCHAR(50) NOT NULL DEFAULT '',
    `values`   VARCHAR(3000) NOT NULL DEFAULT '',
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY goadmin_session_sid (sid),
    KEY goadmin_session_values (`values`(191)),
    KEY goadmin_session_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE goadmin_operation_log (
    id         INT NOT NULL AUTO_INCREMENT,
    user_id    BIGINT NOT NULL,
    path       VARCHAR(255) NOT NULL,
    method     VARCHAR(10) NOT NULL,
    ip         VARCHAR(45) NOT NULL,
    input      TEXT NOT NULL,
    created_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY goadmin_operation_log_user_id (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE goadmin_site (
    id          INT NOT NULL AUTO_INCREMENT,
    `key`       VARCHAR(100) NOT NULL,
    value       LONGTEXT NOT NULL,
    description VARCHAR(3000) DEFAULT NULL,
    state       TINYINT NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY goadmin_site_key (`key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Roles: the slug is the Casbin role.
INSERT INTO goadmin_roles (name, slug) VALUES
    ('Owner', 'owner'),
    ('Admin', 'admin'),
    ('Chat admin', 'chat_admin'),
    ('Agent', 'agent');

-- One explicit permission per role (newline-separated regexps, see the header).
INSERT INTO goadmin_permissions (name, slug, http_method, http_path) VALUES
    ('Agent access', 'parley_agent', '', CONCAT_WS(CHAR(10 USING utf8mb4),
        '/',
        '/dashboard.*',
        '/info/conversation.*',
        '/edit/conversation',
        '/operation/.*',
        '/logout',
        '/events',
        '/jobs.*')),
    ('Chat admin access', 'parley_chat_admin', '', CONCAT_WS(CHAR(10 USING utf8mb4),
        '/',
        '/dashboard.*',
        '/info/conversation.*',
        '/edit/conversation',
        '/operation/.*',
        '/logout',
        '/events',
        '/jobs.*',
        '/delete/conversation',
        '/info/customer.*',
        '/info/block.*')),
    ('Admin access', 'parley_admin', '', CONCAT_WS(CHAR(10 USING utf8mb4),
        '/',
        '/dashboard.*',
        '/info/conversation.*',
        '/edit/conversation',
        '/operation/.*',
        '/logout',
        '/events',
        '/jobs.*',
        '/delete/conversation',
        '/info/customer.*',
        '/info/block.*',
        '/info/audit.*')),
    ('Owner access', 'parley_owner', '', CONCAT_WS(CHAR(10 USING utf8mb4),
        '/',
        '/dashboard.*',
        '/info/conversation.*',
        '/edit/conversation',
        '/operation/.*',
        '/logout',
        '/events',
        '/jobs.*',
        '/delete/conversation',
        '/info/customer.*',
        '/info/block.*',
        '/info/audit.*'));

INSERT INTO goadmin_role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM goadmin_roles r JOIN goadmin_permissions p ON p.slug = CONCAT('parley_', r.slug);

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
