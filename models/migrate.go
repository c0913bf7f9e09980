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

// Exclusive runs fn while holding a lock named name that is shared by
// every process on this database (a MySQL named lock, scoped to the
// database; SQLite is one process's file, so there fn simply runs). Start-up
// work that reads and then writes shared rows — GoAdmin's goadmin_site
// seeding, say — runs inside it so two nodes starting at once do not both
// write.
func (s *Store) Exclusive(ctx context.Context, name string, fn func() error) error {
	if s.Config.Dialect != MySQL {
		return fn()
	}
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	defer conn.Close()
	lockName := `LEFT(CONCAT(?, ':', DATABASE()), 64)`
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT GET_LOCK(`+lockName+`, ?)`, name, MigrateLockTimeout).Scan(&got); err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	if !got.Valid || got.Int64 != 1 {
		return fmt.Errorf("lock %s: held elsewhere for %d s", name, MigrateLockTimeout)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DO RELEASE_LOCK(`+lockName+`)`, name)
	return fn()
}
