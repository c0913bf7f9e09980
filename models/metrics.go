package models

import (
	"context"
	"fmt"
	"math"
	"slices"
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
// (0: nobody) and, for a duration metric, in its store-wide row too, in
// the day's rows (metric_daily) and its week's (metric_weekly): two
// statements.
func (q Queries) CountMetric(ctx context.Context, day, metric string, staffID int64, bucket int) error {
	week, err := Week(day)
	if err != nil {
		return err
	}
	for _, t := range []struct{ table, col, key string }{{"metric_daily", "day", day}, {"metric_weekly", "week", week}} {
		values, args := `(?, ?, ?, ?, 1)`, []any{t.key, metric, staffID, bucket}
		if all := storeWideStaff(metric); all != staffID {
			values += `, (?, ?, ?, ?, 1)`
			args = append(args, t.key, metric, all, bucket)
		}
		query := `INSERT INTO ` + t.table + ` (` + t.col + `, metric, staff_id, bucket, n) VALUES ` + values + `
		ON CONFLICT (` + t.col + `, metric, staff_id, bucket) DO UPDATE SET n = n + 1`
		if q.d == MySQL {
			query = `INSERT INTO ` + t.table + ` (` + t.col + `, metric, staff_id, bucket, n) VALUES ` + values + `
		ON DUPLICATE KEY UPDATE n = n + 1`
		}
		if _, err := q.q.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("count %s: %w", metric, translate(err))
		}
	}
	return nil
}

// Week is the Monday of a day's week ("2006-01-02"), the key of the
// weekly metrics.
func Week(day string) (string, error) {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return "", Errorf(EINVALID, "not a day: %q", day)
	}
	return monday(d).Format(time.DateOnly), nil
}

func monday(d time.Time) time.Time {
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// BucketCount is a histogram bucket's count.
type BucketCount struct {
	Bucket int
	N      int64
}

// How a period's reads key their rows.
type metricStep int

const (
	dayStep  metricStep = iota // the row's day (daily rows only)
	weekStep                   // the first day in the period of the row's week
)

// metricRead is one range read of a period's rows: the days lo..hi of
// metric_daily or the weeks (Mondays) lo..hi of metric_weekly, each row
// keyed by k (an expression with its arguments kArgs) for a series.
type metricRead struct {
	table, col string
	k          string
	kArgs      []any
	lo, hi     string
}

// metricReads are the range reads that cover a period exactly once: per
// day, the period's daily rows; otherwise the whole weeks inside it from
// metric_weekly and the days before the first and after the last of them
// from metric_daily (a period with no whole week reads its days).
func metricReads(from, to string, step metricStep) ([]metricRead, error) {
	f, err1 := time.Parse(time.DateOnly, from)
	t, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil || t.Before(f) {
		return nil, Errorf(EINVALID, "not a period: %q to %q", from, to)
	}
	if step == dayStep {
		return []metricRead{{table: "metric_daily", col: "day", k: "day", lo: from, hi: to}}, nil
	}
	firstMon := monday(f)
	if firstMon.Before(f) {
		firstMon = firstMon.AddDate(0, 0, 7)
	}
	lastSun := monday(t).AddDate(0, 0, 6)
	if lastSun.After(t) {
		lastSun = lastSun.AddDate(0, 0, -7)
	}
	var reads []metricRead
	days := func(lo, hi time.Time) {
		if hi.Before(lo) {
			return
		}
		r := metricRead{table: "metric_daily", col: "day", k: "day", lo: lo.Format(time.DateOnly), hi: hi.Format(time.DateOnly)}
		if step == weekStep {
			// The days of a partial week at either end, or of a whole
			// period with no whole week (two partial weeks at most):
			// a row's step is its week's first day in the period.
			next := monday(lo).AddDate(0, 0, 7).Format(time.DateOnly)
			r.k, r.kArgs = `CASE WHEN day < ? THEN ? ELSE ? END`, []any{next, r.lo, next}
		}
		reads = append(reads, r)
	}
	if lastSun.Before(firstMon) { // no whole week
		days(f, t)
		return reads, nil
	}
	days(f, firstMon.AddDate(0, 0, -1))
	reads = append(reads, metricRead{table: "metric_weekly", col: "week", k: "week",
		lo: firstMon.Format(time.DateOnly), hi: lastSun.AddDate(0, 0, -6).Format(time.DateOnly)})
	days(lastSun.AddDate(0, 0, 1), t)
	return reads, nil
}

// MetricStep is one step of a metric's series: the step's first day in
// the period and its histogram, in bucket order.
type MetricStep struct {
	Start   string
	Buckets []BucketCount
}

// MetricSteps reads a metric's histogram per day or, with weekly, per week
// (Monday to Sunday; the first and last may be partial) over the days from
// to to, for one staff member or, with staffID nil, the whole store. Steps
// with no counts are left out. One statement that answers one row per
// step, its buckets packed as "bucket:n,…" (GROUP_CONCAT): a year of weeks
// is about 60 rows for the server to read whatever the number of buckets,
// and whole weeks come from the weekly rows.
func (q Queries) MetricSteps(ctx context.Context, metric, from, to string, staffID *int64, weekly bool) ([]MetricStep, error) {
	step := dayStep
	if weekly {
		step = weekStep
	}
	reads, err := metricReads(from, to, step)
	if err != nil {
		return nil, err
	}
	who := whose(metric, staffID)
	pack := `GROUP_CONCAT(bucket, ':', n)`
	if q.d == SQLite {
		pack = `group_concat(bucket || ':' || n)`
	}
	var parts []string
	var args []any
	for _, r := range reads {
		parts = append(parts, `SELECT `+r.k+` AS k, `+pack+`, COUNT(*) FROM `+r.table+`
			WHERE metric = ? AND staff_id = ? AND `+r.col+` >= ? AND `+r.col+` <= ? GROUP BY k`)
		args = append(append(args, r.kArgs...), metric, who, r.lo, r.hi)
	}
	rows, err := q.q.QueryContext(ctx, strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return nil, fmt.Errorf("metric %s steps: %w", metric, translate(err))
	}
	defer rows.Close()
	var out []MetricStep
	at := map[string]int{}
	for rows.Next() {
		var k any
		var packed []byte
		var n int
		if err := rows.Scan(&k, &packed, &n); err != nil {
			return nil, err
		}
		start := dayString(k)
		i, ok := at[start]
		if !ok {
			i = len(out)
			at[start] = i
			out = append(out, MetricStep{Start: start})
		}
		got := len(out[i].Buckets)
		if out[i].Buckets, err = unpackBuckets(out[i].Buckets, packed); err != nil {
			return nil, fmt.Errorf("metric %s steps: %w", metric, err)
		}
		if len(out[i].Buckets)-got != n {
			// GROUP_CONCAT stops at group_concat_max_len (MySQL's
			// default is 1,024 bytes; MariaDB's 1 MiB).
			return nil, fmt.Errorf("metric %s steps: %d of %d buckets of %s came back: raise group_concat_max_len",
				metric, len(out[i].Buckets)-got, n, start)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(x, y MetricStep) int { return strings.Compare(x.Start, y.Start) })
	for i := range out {
		out[i].Buckets = MergeHistograms(out[i].Buckets)
	}
	return out, nil
}

// unpackBuckets appends the counts of "bucket:n,bucket:n,…" to bs.
func unpackBuckets(bs []BucketCount, packed []byte) ([]BucketCount, error) {
	for i := 0; i < len(packed); {
		var b BucketCount
		var ok1, ok2 bool
		b.Bucket, i, ok1 = packedNumber(packed, i, ':')
		var n int
		n, i, ok2 = packedNumber(packed, i, ',')
		if !ok1 || !ok2 {
			return bs, fmt.Errorf("a packed histogram that is not bucket:n,…: %.80q", packed)
		}
		b.N = int64(n)
		bs = append(bs, b)
	}
	return bs, nil
}

// packedNumber reads the digits of p from i up to sep (or the end) and
// answers the number and where the next one starts.
func packedNumber(p []byte, i int, sep byte) (int, int, bool) {
	n, start := 0, i
	for ; i < len(p) && p[i] != sep; i++ {
		if p[i] < '0' || p[i] > '9' || i-start > 15 {
			return 0, i, false
		}
		n = n*10 + int(p[i]-'0')
	}
	if i == start || (sep == ':' && i == len(p)) || (sep == ',' && i == len(p)-1) {
		return 0, i, false // empty, no count after a bucket, or a trailing comma
	}
	return n, i + 1, true
}

// MergeHistograms adds histograms up, in bucket order.
func MergeHistograms(hs ...[]BucketCount) []BucketCount {
	var dense [512]int64 // bucket 511 is about 3,800 years
	top, sparse := -1, false
	for _, h := range hs {
		for _, b := range h {
			if b.Bucket < 0 || b.Bucket >= len(dense) {
				sparse = true
				continue
			}
			dense[b.Bucket] += b.N
			top = max(top, b.Bucket)
		}
	}
	var out []BucketCount
	for b := 0; b <= top; b++ {
		if dense[b] != 0 {
			out = append(out, BucketCount{Bucket: b, N: dense[b]})
		}
	}
	if !sparse {
		return out
	}
	// Buckets outside the array (not durations' buckets): sort them in.
	for _, h := range hs {
		for _, b := range h {
			if b.Bucket < 0 || b.Bucket >= len(dense) {
				out = append(out, b)
			}
		}
	}
	slices.SortStableFunc(out, func(x, y BucketCount) int { return x.Bucket - y.Bucket })
	merged := out[:0]
	for _, b := range out {
		if n := len(merged); n > 0 && merged[n-1].Bucket == b.Bucket {
			merged[n-1].N += b.N
			continue
		}
		merged = append(merged, b)
	}
	return merged
}

// whose is the staff_id a metric read looks at: one staff member, or the
// metric's store-wide rows.
func whose(metric string, staffID *int64) int64 {
	if staffID != nil {
		return *staffID
	}
	return storeWideStaff(metric)
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
		// Grouped by the key's own columns, the rows are read in key
		// order with no temporary table (half the CPU of grouping by
		// the renamed column).
		query = `SELECT status, NULLIF(staff_id, 0), SUM(n) FROM (SELECT status, staff_id, NULLIF(staff_id, 0) AS assigned_to, n
			FROM conversation_counts WHERE status IN (` + marks + `)) c
			WHERE (` + sc.Where + `) GROUP BY status, staff_id HAVING SUM(n) <> 0`
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
