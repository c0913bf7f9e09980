package models

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"
)

// migrateOptions are the goose options of the store's dialect. On MySQL a
// session lock serialises Migrate across processes: two nodes starting at
// once on a fresh database would otherwise both create goose's version
// table and both apply the same migrations (duplicating the rows they seed,
// or failing on "table exists"). SQLite is one process's file (embedded
// mode), and its migrations run in IMMEDIATE transactions.
func (s *Store) migrateOptions() []goose.ProviderOption {
	if s.Config.Dialect != MySQL {
		return nil
	}
	return []goose.ProviderOption{goose.WithSessionLocker(mysqlMigrateLock{})}
}

// MigrateLockTimeout is how long Migrate waits, in seconds, for another
// process's migration on the same MySQL database.
const MigrateLockTimeout = 600

// mysqlMigrateLock is a goose session locker on MySQL's named locks
// (GET_LOCK), scoped to the database, released when the session ends.
type mysqlMigrateLock struct{}

const migrateLockName = `LEFT(CONCAT('parley_migrate:', DATABASE()), 64)`

func (mysqlMigrateLock) SessionLock(ctx context.Context, conn *sql.Conn) error {
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT GET_LOCK(`+migrateLockName+`, ?)`, MigrateLockTimeout).Scan(&got); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		return fmt.Errorf("migration lock: another process has held it for %d s", MigrateLockTimeout)
	}
	return nil
}

func (mysqlMigrateLock) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `DO RELEASE_LOCK(`+migrateLockName+`)`); err != nil {
		return fmt.Errorf("migration unlock: %w", err)
	}
	return nil
}
