package models

import (
	"context"
	"fmt"
	"math/rand/v2"
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

// UsageShards is how many rows a month's count is spread over when no cap
// is set (migration 00022): concurrent sends add to different rows, so
// they do not wait for each other's commits.
const UsageShards = 16

// MonthlyCustomerMessages answers how many inbound customer messages a
// month has counted (R10): the sum of its few shard rows, no scan of the
// messages.
func (q Queries) MonthlyCustomerMessages(ctx context.Context, month string) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COALESCE(SUM(customer_messages), 0) FROM monthly_usage WHERE month = ?`, month).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("monthly usage %s: %w", month, translate(err))
	}
	return n, nil
}

// CountCustomerMessage counts one more inbound customer message in month
// unless the month has already counted max of them (max < 0: no cap), and
// reports whether it counted. Call it in the transaction that writes the
// message, as its last statement.
//
// With no cap it adds one to a shard row picked at random: one statement,
// and concurrent sends rarely touch the same row. With a cap the month's
// shard 0 is its lock: the count is added there (the row stays locked until
// the transaction ends, so capped counts run one at a time), then the
// month's sum is read with a locking read (the newest committed rows, not
// the transaction's snapshot); over the cap, the count is taken back and
// the answer is no. So of concurrent transactions at most max ever count.
func (q Queries) CountCustomerMessage(ctx context.Context, month string, max int) (bool, error) {
	if max == 0 {
		return false, nil // a cap of 0 takes nothing
	}
	shard := 0
	if max < 0 {
		shard = rand.IntN(UsageShards)
	}
	add := `INSERT INTO monthly_usage (month, shard, customer_messages) VALUES (?, ?, 1)
		ON CONFLICT (month, shard) DO UPDATE SET customer_messages = customer_messages + 1`
	if q.d == MySQL {
		add = `INSERT INTO monthly_usage (month, shard, customer_messages) VALUES (?, ?, 1)
			ON DUPLICATE KEY UPDATE customer_messages = customer_messages + 1`
	}
	if _, err := q.prep().ExecContext(ctx, add, month, shard); err != nil {
		return false, fmt.Errorf("count customer message in %s: %w", month, translate(err))
	}
	if max < 0 {
		return true, nil
	}
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT SUM(customer_messages) FROM monthly_usage WHERE month = ?`+q.forUpdate(), month).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("count customer message in %s: %w", month, translate(err))
	}
	if n <= max {
		return true, nil
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE monthly_usage SET customer_messages = customer_messages - 1 WHERE month = ? AND shard = 0`, month); err != nil {
		return false, fmt.Errorf("count customer message in %s: %w", month, translate(err))
	}
	return false, nil
}
