// Package benchdb opens the benchmark tools' databases: created when
// missing (MySQL/MariaDB), opened and migrated to the current schema.
package benchdb

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"

	"github.com/parleyhq/parley/migrations"
	"github.com/parleyhq/parley/models"
)

// Open creates a MySQL URL's database when it is missing, opens the store
// and applies the migrations.
func Open(ctx context.Context, raw string) (*models.Store, error) {
	if err := create(ctx, raw); err != nil {
		return nil, err
	}
	cfg, err := models.ParseDatabaseURL(raw, os.TempDir())
	if err != nil {
		return nil, err
	}
	st, err := models.Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx, migrations.FS); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func create(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "mysql" {
		return err
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/mysql"
	cfg, err := models.ParseDatabaseURL(u.String(), "")
	if err != nil {
		return err
	}
	db, err := sql.Open(cfg.Driver, cfg.DSN)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS `"+strings.ReplaceAll(name, "`", "")+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	return err
}
