package models

import (
	"context"
	"fmt"
	"time"
)

// DeleteExpiredAdminSessions deletes up to limit goadmin_session rows —
// back-office logins and unused form tokens alike — created before
// `before` (GoAdmin itself refuses a session older than its lifetime but
// never deletes it, and never deletes an unused form token). It reports
// how many rows went.
func (q Queries) DeleteExpiredAdminSessions(ctx context.Context, before time.Time, limit int) (int, error) {
	// created_at is a TIMESTAMP GoAdmin fills from the database clock, in
	// UTC; compare it with the same text form on both dialects.
	cut := before.UTC().Format("2006-01-02 15:04:05")
	rows, err := q.q.QueryContext(ctx, `SELECT id FROM goadmin_session WHERE created_at < ? ORDER BY id LIMIT ?`, cut, limit)
	if err != nil {
		return 0, fmt.Errorf("expired admin sessions: %w", translate(err))
	}
	ids, err := collectIDs(rows)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	in, args := inList(ids)
	res, err := q.q.ExecContext(ctx, `DELETE FROM goadmin_session WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("delete expired admin sessions: %w", translate(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
