package models

import (
	"context"
	"database/sql"
	"time"
)

// QueryTrace receives every statement a traced Queries runs, with its
// arguments and how long the call took (for a query: until its rows were
// ready, not read).
type QueryTrace func(query string, args []any, d time.Duration)

// Traced returns the store's queries with every statement reported to
// trace: bench/load -store uses it to show the exact SQL of each view.
func (s *Store) Traced(trace QueryTrace) Queries {
	return Queries{q: tracer{q: s.DB, trace: trace}, d: s.Config.Dialect}
}

type tracer struct {
	q     querier
	trace QueryTrace
}

func (t tracer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	t0 := time.Now()
	r, err := t.q.ExecContext(ctx, query, args...)
	t.trace(query, args, time.Since(t0))
	return r, err
}

func (t tracer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	t0 := time.Now()
	r, err := t.q.QueryContext(ctx, query, args...)
	t.trace(query, args, time.Since(t0))
	return r, err
}

func (t tracer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	t0 := time.Now()
	r := t.q.QueryRowContext(ctx, query, args...)
	t.trace(query, args, time.Since(t0))
	return r
}
