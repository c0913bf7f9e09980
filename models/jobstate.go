package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// JobState reads a small named value the jobs keep (ok false when unset).
func (q Queries) JobState(ctx context.Context, name string) (string, bool, error) {
	var v string
	err := q.q.QueryRowContext(ctx, `SELECT value FROM job_state WHERE name = ?`+q.forUpdate(), name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("job state %s: %w", name, translate(err))
	}
	return v, true, nil
}

// PutJobState stores a named value of the jobs (an upsert).
func (q Queries) PutJobState(ctx context.Context, name, value string, at time.Time) error {
	query := `INSERT INTO job_state (name, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`
	if q.d == MySQL {
		query = `INSERT INTO job_state (name, value, updated_at) VALUES (?, ?, ?)
		ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at = VALUES(updated_at)`
	}
	if _, err := q.q.ExecContext(ctx, query, name, value, Now(at)); err != nil {
		return fmt.Errorf("job state %s: %w", name, translate(err))
	}
	return nil
}
