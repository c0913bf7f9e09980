package models

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
)

// Dashboard metric names (metric_daily.metric).
const (
	MetricFirstResponse = "first_response" // seconds from a customer's new conversation to the first public staff reply
	MetricResolution    = "resolution"     // seconds from a conversation's creation to its first RESOLVED or CLOSED
	MetricConversations = "conversations"  // conversations started by customers (bucket 0: a count)
)

// StoreWide is the staff_id of the rows that count a duration metric for
// the whole store, each duration once, whoever it was counted under: a
// period's histogram for everyone reads these instead of summing every
// staff member's rows. New conversations are counted under staff 0 only,
// which is their store-wide row.
const StoreWide int64 = -1

// storeWideStaff is the staff_id holding a metric's store-wide counts.
func storeWideStaff(metric string) int64 {
	if metric == MetricConversations {
		return 0
	}
	return StoreWide
}

// Durations are kept in logarithmic buckets 5% wide: bucket 0 holds
// everything under one second, bucket b ≥ 1 the durations d with
// b = 1 + floor(20·ln d). A percentile read back from them is within 5%.
const bucketsPerE = 20

// DurationBucket is the histogram bucket of a duration.
func DurationBucket(d time.Duration) int {
	s := d.Seconds()
	if s < 1 {
		return 0
	}
	return 1 + int(math.Floor(bucketsPerE*math.Log(s)))
}

// BucketDuration is the duration a bucket stands for: the geometric middle
// of its bounds (bucket 0: zero).
func BucketDuration(b int) time.Duration {
	if b <= 0 {
		return 0
	}
	lo := math.Exp(float64(b-1) / bucketsPerE)
	hi := math.Exp(float64(b) / bucketsPerE)
	return time.Duration(math.Sqrt(lo*hi) * float64(time.Second)).Round(time.Second)
}

// Day names a calendar day of t in loc ("2006-01-02"), the key of the
// daily metrics.
func Day(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(time.DateOnly)
}

// StampFirstResponse records a conversation's first public staff reply at
// at, and reports whether this was the first (the stamp is set once).
func (q Queries) StampFirstResponse(ctx context.Context, conversationID int64, at time.Time) (bool, error) {
	return q.stampOnce(ctx, "first_response_at", conversationID, at)
}

// StampResolved records a conversation's first RESOLVED or CLOSED at at,
// and reports whether this was the first.
func (q Queries) StampResolved(ctx context.Context, conversationID int64, at time.Time) (bool, error) {
	return q.stampOnce(ctx, "resolved_at", conversationID, at)
}

func (q Queries) stampOnce(ctx context.Context, column string, id int64, at time.Time) (bool, error) {
	res, err := q.q.ExecContext(ctx, `UPDATE conversations SET `+column+` = ? WHERE id = ? AND `+column+` IS NULL`, at, id)
	if err != nil {
		return false, fmt.Errorf("stamp %s of %d: %w", column, id, translate(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// CountMetric adds one to a metric's bucket of a day, for a staff member
// (0: nobody) and, for a duration metric, in its store-wide row too (one
// statement).
func (q Queries) CountMetric(ctx context.Context, day, metric string, staffID int64, bucket int) error {
	values, args := `(?, ?, ?, ?, 1)`, []any{day, metric, staffID, bucket}
	if all := storeWideStaff(metric); all != staffID {
		values += `, (?, ?, ?, ?, 1)`
		args = append(args, day, metric, all, bucket)
	}
	query := `INSERT INTO metric_daily (day, metric, staff_id, bucket, n) VALUES ` + values + `
		ON CONFLICT (day, metric, staff_id, bucket) DO UPDATE SET n = n + 1`
	if q.d == MySQL {
		query = `INSERT INTO metric_daily (day, metric, staff_id, bucket, n) VALUES ` + values + `
		ON DUPLICATE KEY UPDATE n = n + 1`
	}
	if _, err := q.q.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("count %s: %w", metric, translate(err))
	}
	return nil
}

// MetricCount is one day's count in one bucket of a metric.
type MetricCount struct {
	Day    string
	Bucket int
	N      int64
}

// MetricCounts reads a metric's daily buckets from the day from to the day
// to (inclusive), for one staff member or, with staffID nil, the whole
// store (its store-wide rows).
func (q Queries) MetricCounts(ctx context.Context, metric, from, to string, staffID *int64) ([]MetricCount, error) {
	who := storeWideStaff(metric)
	if staffID != nil {
		who = *staffID
	}
	query := `SELECT day, bucket, n FROM metric_daily WHERE metric = ? AND staff_id = ? AND day >= ? AND day <= ?
		ORDER BY day, bucket`
	args := []any{metric, who, from, to}
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("metric %s: %w", metric, translate(err))
	}
	defer rows.Close()
	var out []MetricCount
	for rows.Next() {
		var m MetricCount
		var day any
		if err := rows.Scan(&day, &m.Bucket, &m.N); err != nil {
			return nil, err
		}
		m.Day = dayString(day)
		out = append(out, m)
	}
	return out, rows.Err()
}

// dayString reads a DATE column: MySQL answers a time or bytes, SQLite text.
func dayString(v any) string {
	switch d := v.(type) {
	case time.Time:
		return d.Format(time.DateOnly)
	case []byte:
		return string(d[:min(len(d), 10)])
	case string:
		return d[:min(len(d), 10)]
	}
	return fmt.Sprint(v)
}

// LiveCounts are the dashboard's counts of conversations as they stand.
type LiveCounts struct {
	ByStatus   map[Status]int64 // the statuses that still need someone: OPEN, AWAITING_ADMIN, AWAITING_USER, ESCALATED
	Unassigned int64            // of those, the ones nobody has
	Load       map[int64]int64  // of those, per assignee
}

// activeStatuses are the statuses of conversations someone still works on.
var activeStatuses = []Status{StatusOpen, StatusAwaitingAdmin, StatusAwaitingUser, StatusEscalated}

// CountLive counts the conversations still being worked on in scope, by
// status, unassigned, and per assignee. It reads conversation_counts (kept
// by triggers: a few hundred rows whatever the number of conversations)
// when the scope looks only at status and assignee, which every staff
// scope does; any other scope counts the conversations themselves.
func (q Queries) CountLive(ctx context.Context, sc Scope) (LiveCounts, error) {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(activeStatuses)), ", ")
	args := make([]any, 0, len(activeStatuses)+1)
	for _, s := range activeStatuses {
		args = append(args, string(s))
	}
	query := `SELECT status, assigned_to, COUNT(*) FROM conversations
		WHERE status IN (` + marks + `) AND (` + sc.Where + `) GROUP BY status, assigned_to`
	if countersServe(sc.Where) {
		query = `SELECT status, assigned_to, SUM(n) FROM (SELECT status, NULLIF(staff_id, 0) AS assigned_to, n
			FROM conversation_counts WHERE status IN (` + marks + `)) c
			WHERE (` + sc.Where + `) GROUP BY status, assigned_to HAVING SUM(n) <> 0`
	}
	rows, err := q.q.QueryContext(ctx, query, append(args, sc.Args...)...)
	if err != nil {
		return LiveCounts{}, fmt.Errorf("count live conversations: %w", translate(err))
	}
	defer rows.Close()
	out := LiveCounts{ByStatus: map[Status]int64{}, Load: map[int64]int64{}}
	for rows.Next() {
		var st string
		var who *int64
		var n int64
		if err := rows.Scan(&st, &who, &n); err != nil {
			return out, err
		}
		out.ByStatus[Status(st)] += n
		if who == nil {
			out.Unassigned += n
		} else {
			out.Load[*who] += n
		}
	}
	return out, rows.Err()
}

// countersServe reports whether a scope fragment names no column but
// status and assigned_to, so conversation_counts can answer it.
func countersServe(where string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(where), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r == '_')
	}) {
		switch w {
		case "status", "assigned_to", "is", "not", "null", "and", "or":
		default:
			return false
		}
	}
	return true
}

// CountMessagesBetween counts the replies (both ways) written in [from, to)
// to conversations in scope (a fragment over conversations' columns; "1=1"
// reads the messages alone). Notes and timeline events do not count.
func (q Queries) CountMessagesBetween(ctx context.Context, from, to time.Time, sc Scope) (int64, error) {
	query := `SELECT COUNT(*) FROM messages m WHERE m.created_at >= ? AND m.created_at < ? AND m.kind = ?`
	args := []any{from, to, KindReply}
	if sc.Where != "1=1" {
		query = `SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE m.created_at >= ? AND m.created_at < ? AND m.kind = ? AND (` + sc.Where + `)`
		args = append(args, sc.Args...)
	}
	var n int64
	if err := q.q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count messages: %w", translate(err))
	}
	return n, nil
}
