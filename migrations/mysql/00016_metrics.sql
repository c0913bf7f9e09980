-- +goose Up
-- Dashboard metrics (README "Dashboard metrics"): each conversation's first
-- staff response and first resolution are stamped once, and per-day
-- histograms of their durations let the dashboard give medians and p90s
-- over any period without reading the conversations.
ALTER TABLE conversations ADD COLUMN first_response_at DATETIME(6) NULL, ADD COLUMN resolved_at DATETIME(6) NULL;
-- History is not measured after the fact: existing conversations count as
-- answered and resolved, so only conversations that move after this
-- change enter the figures.
UPDATE conversations SET first_response_at = created_at, resolved_at = created_at;
CREATE INDEX conversations_status_assigned ON conversations (status, assigned_to);
CREATE TABLE metric_daily (
    day      DATE NOT NULL,
    metric   VARCHAR(32) NOT NULL,
    staff_id BIGINT NOT NULL,
    bucket   INT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (day, metric, staff_id, bucket)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO goadmin_menu (parent_id, type, `order`, title, icon, uri, plugin_name) VALUES
    (0, 0, 0, 'Dashboard', 'fa-dashboard', '/dashboard', '');
INSERT INTO goadmin_role_menu (role_id, menu_id)
SELECT r.id, m.id FROM goadmin_roles r JOIN goadmin_menu m ON m.plugin_name = ''
WHERE m.uri = '/dashboard';

-- +goose Down
DELETE FROM goadmin_role_menu WHERE menu_id IN (SELECT id FROM goadmin_menu WHERE uri = '/dashboard');
DELETE FROM goadmin_menu WHERE uri = '/dashboard';
DROP TABLE metric_daily;
DROP INDEX conversations_status_assigned ON conversations;
ALTER TABLE conversations DROP COLUMN first_response_at, DROP COLUMN resolved_at;
