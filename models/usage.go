package models

import (
	"context"
	"fmt"
	"time"
)

// MonthOf names the calendar month of t in loc ("2006-01"), the key of the
// monthly usage counters (R10).
func MonthOf(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01")
}

// MonthlyCustomerMessages answers how many inbound customer messages a
// month has counted (R10): one row read, no scan of the messages.
func (q Queries) MonthlyCustomerMessages(ctx context.Context, month string) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT customer_messages FROM monthly_usage WHERE month = ?`, month).Scan(&n)
	if ErrorCode(translate(err)) == ENOTFOUND {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("monthly usage %s: %w", month, translate(err))
	}
	return n, nil
}

// CountCustomerMessage counts one more inbound customer message in month
// unless the month has already counted max of them (max < 0: no cap), and
// reports whether it counted. It is a conditional update of the month's
// row, so of concurrent transactions at most max ever count: call it in the
// transaction that writes the message, as its last statement, since the
// row stays locked until the transaction ends.
func (q Queries) CountCustomerMessage(ctx context.Context, month string, max int) (bool, error) {
	ensure := `INSERT INTO monthly_usage (month, customer_messages) VALUES (?, 0) ON CONFLICT (month) DO NOTHING`
	if q.d == MySQL {
		ensure = `INSERT INTO monthly_usage (month, customer_messages) VALUES (?, 0) ON DUPLICATE KEY UPDATE month = month`
	}
	if _, err := q.q.ExecContext(ctx, ensure, month); err != nil {
		return false, fmt.Errorf("monthly usage %s: %w", month, translate(err))
	}
	query, args := `UPDATE monthly_usage SET customer_messages = customer_messages + 1 WHERE month = ?`, []any{month}
	if max >= 0 {
		query += ` AND customer_messages < ?`
		args = append(args, max)
	}
	res, err := q.q.ExecContext(ctx, query, args...)
	if err != nil {
		return false, fmt.Errorf("count customer message in %s: %w", month, translate(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
