package models

import (
	"context"
	"database/sql"
	"fmt"
)

// MigrateLockTimeout is how long Migrate waits, in seconds, for another
// process's migration on the same MySQL database.
const MigrateLockTimeout = 600

// migrateLock names the lock Migrate holds on MySQL: its name,
// parley_migrate:<database>, is the one earlier releases took through a goose
// session locker, so a node of an older release starting beside a newer one
// waits for it too.
const migrateLock = "parley_migrate"

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
