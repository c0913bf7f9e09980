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
	if max == 0 {
		return false, nil // a cap of 0 takes nothing
	}
	// One statement: the month's row is created counting this message, or
	// counts one more unless it already holds max. It locks the row until
	// the transaction ends, as the former ensure-then-update pair did.
	var query string
	args := []any{month}
	switch {
	case q.d == MySQL && max < 0:
		query = `INSERT INTO monthly_usage (month, customer_messages) VALUES (?, 1)
			ON DUPLICATE KEY UPDATE customer_messages = customer_messages + 1`
	case q.d == MySQL:
		// Affected rows: 1 inserted, 2 updated, 0 left as it was (full).
		query = `INSERT INTO monthly_usage (month, customer_messages) VALUES (?, 1)
			ON DUPLICATE KEY UPDATE customer_messages = IF(customer_messages < ?, customer_messages + 1, customer_messages)`
		args = append(args, max)
	case max < 0:
		query = `INSERT INTO monthly_usage (month, customer_messages) VALUES (?, 1)
			ON CONFLICT (month) DO UPDATE SET customer_messages = customer_messages + 1`
	default:
		query = `INSERT INTO monthly_usage (month, customer_messages) VALUES (?, 1)
			ON CONFLICT (month) DO UPDATE SET customer_messages = customer_messages + 1 WHERE customer_messages < ?`
		args = append(args, max)
	}
	res, err := q.q.ExecContext(ctx, query, args...)
	if err != nil {
		return false, fmt.Errorf("count customer message in %s: %w", month, translate(err))
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
