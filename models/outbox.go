package models

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// OutboxItem is a task written in the same transaction as the change that
// causes it. It is done only when its handler's effect is committed; until
// then the relay hands it to the job queue again each time its lease runs
// out, so a task Redis loses is sent again. A row that keeps failing is
// parked with its last error and no longer sent.
type OutboxItem struct {
	ID           int64
	TaskType     string
	Payload      string // JSON, ids only
	Attempts     int    // hand-overs to the job queue
	ClaimedUntil *time.Time
	DoneAt       *time.Time
	ParkedAt     *time.Time
	LastError    string
}

const outboxColumns = `id, task_type, payload, attempts, claimed_until, done_at, parked_at, last_error`

func scanOutbox(row scanner) (OutboxItem, error) {
	var it OutboxItem
	var claimed, done, parked sql.NullTime
	var lastErr sql.NullString
	err := row.Scan(&it.ID, &it.TaskType, &it.Payload, &it.Attempts, &claimed, &done, &parked, &lastErr)
	it.ClaimedUntil, it.DoneAt, it.ParkedAt = nullTime(claimed), nullTime(done), nullTime(parked)
	it.LastError = lastErr.String
	return it, err
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// InsertOutbox queues a task in the same transaction as the change that
// causes it, so a Redis outage loses nothing.
func (q Queries) InsertOutbox(ctx context.Context, taskType, payload string, at time.Time) error {
	_, err := q.prep().ExecContext(ctx, `INSERT INTO outbox (task_type, payload, created_at) VALUES (?, ?, ?)`, taskType, payload, at)
	if err != nil {
		return fmt.Errorf("insert outbox: %w", translate(err))
	}
	return nil
}

// Outbox loads one outbox row.
func (q Queries) Outbox(ctx context.Context, id int64) (OutboxItem, error) {
	it, err := scanOutbox(q.q.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id))
	if err != nil {
		return it, fmt.Errorf("outbox %d: %w", id, translate(err))
	}
	return it, nil
}

// PendingOutbox lists the rows not done and not parked, oldest first,
// whether or not they are handed over at the moment.
func (q Queries) PendingOutbox(ctx context.Context, limit int) ([]OutboxItem, error) {
	return q.listOutbox(ctx, `done_at IS NULL AND parked_at IS NULL`, limit)
}

// DueOutbox lists the rows to hand over at now: not done, not parked, and
// never handed over or their lease run out. Oldest first.
func (q Queries) DueOutbox(ctx context.Context, now time.Time, limit int) ([]OutboxItem, error) {
	return q.listOutbox(ctx, `done_at IS NULL AND parked_at IS NULL AND (claimed_until IS NULL OR claimed_until <= ?)`, limit, now)
}

// ParkedOutbox lists the parked rows, oldest first.
func (q Queries) ParkedOutbox(ctx context.Context, limit int) ([]OutboxItem, error) {
	return q.listOutbox(ctx, `parked_at IS NOT NULL AND done_at IS NULL`, limit)
}

func (q Queries) listOutbox(ctx context.Context, where string, limit int, args ...any) ([]OutboxItem, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE `+where+` ORDER BY id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", translate(err))
	}
	defer rows.Close()
	var out []OutboxItem
	for rows.Next() {
		it, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// ClaimOutbox takes the leases of the due rows among ids in one
// transaction and counts the hand-overs: each row claimed is leased until
// until(attempt), attempt being its hand-over number. It reports the
// attempt number of every row it claimed; rows no longer due (done,
// parked, or leased by another relay meanwhile) are left out. The rows are
// read locked, so two relays never claim one row twice.
func (s *Store) ClaimOutbox(ctx context.Context, ids []int64, now time.Time, until func(attempt int) time.Time) (map[int64]int, error) {
	claimed := map[int64]int{}
	if len(ids) == 0 {
		return claimed, nil
	}
	err := s.InTx(ctx, func(tx *Tx) error {
		clear(claimed)
		in, args := inList(ids)
		rows, err := tx.q.QueryContext(ctx, `SELECT id, attempts FROM outbox WHERE id IN (`+in+`)
			AND done_at IS NULL AND parked_at IS NULL AND (claimed_until IS NULL OR claimed_until <= ?)`+tx.forUpdate(), append(args, now)...)
		if err != nil {
			return err
		}
		byAttempt := map[int][]int64{} // next attempt → ids
		for rows.Next() {
			var id int64
			var attempts int
			if err := rows.Scan(&id, &attempts); err != nil {
				rows.Close()
				return err
			}
			byAttempt[attempts+1] = append(byAttempt[attempts+1], id)
			claimed[id] = attempts + 1
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for attempt, group := range byAttempt {
			in, args := inList(group)
			_, err := tx.q.ExecContext(ctx, `UPDATE outbox SET claimed_until = ?, sent_at = ?, attempts = ?
				WHERE id IN (`+in+`)`, append([]any{until(attempt), now, attempt}, args...)...)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", translate(err))
	}
	return claimed, nil
}

// ReleaseOutbox undoes a claim whose hand-over failed (the job queue was
// unreachable): the row is due again at once and the failed hand-over does
// not count towards parking, so an outage of any length loses nothing.
func (q Queries) ReleaseOutbox(ctx context.Context, id int64, attempt int, reason string) error {
	_, err := q.q.ExecContext(ctx, `UPDATE outbox SET claimed_until = NULL, attempts = attempts - 1, last_error = ?
		WHERE id = ? AND attempts = ? AND done_at IS NULL`, truncateError(reason), id, attempt)
	if err != nil {
		return fmt.Errorf("release outbox %d: %w", id, translate(err))
	}
	return nil
}

// MarkOutboxDone records that the rows' effects are committed (the relay
// marks the rows of the tasks done since its last marking at once).
// Marking a row twice (a task run twice) changes nothing.
//
// It runs in a transaction of its own so that InTx retries a deadlock with
// a relay claiming a batch (ClaimOutbox's locking read): under a burst of
// sends MariaDB chose the marking as the victim, and the rows, their tasks
// done, waited for their leases to run out (a minute) to go out again.
func (s *Store) MarkOutboxDone(ctx context.Context, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	ids = slices.Sorted(slices.Values(ids)) // one lock order for every marking
	in, args := inList(ids)
	err := s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.q.ExecContext(ctx, `UPDATE outbox SET done_at = ?, claimed_until = NULL WHERE id IN (`+in+`) AND done_at IS NULL`, append([]any{at}, args...)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark %d outbox rows done: %w", len(ids), translate(err))
	}
	return nil
}

// FailOutbox records a handler's error on a row that is not done; the row
// goes out again when its lease runs out.
func (q Queries) FailOutbox(ctx context.Context, id int64, reason string) error {
	_, err := q.q.ExecContext(ctx, `UPDATE outbox SET last_error = ? WHERE id = ? AND done_at IS NULL`, truncateError(reason), id)
	if err != nil {
		return fmt.Errorf("fail outbox %d: %w", id, translate(err))
	}
	return nil
}

// ParkOutbox stops sending a row that is not done, keeping reason (or the
// last error recorded when reason is empty).
func (q Queries) ParkOutbox(ctx context.Context, id int64, reason string, at time.Time) error {
	_, err := q.q.ExecContext(ctx, `UPDATE outbox SET parked_at = ?, claimed_until = NULL,
		last_error = CASE WHEN ? = '' THEN last_error ELSE ? END WHERE id = ? AND done_at IS NULL`,
		at, reason, truncateError(reason), id)
	if err != nil {
		return fmt.Errorf("park outbox %d: %w", id, translate(err))
	}
	return nil
}

// DeleteDoneOutbox deletes up to limit rows done before cutoff and reports
// how many it deleted.
func (q Queries) DeleteDoneOutbox(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id FROM outbox WHERE done_at < ? ORDER BY done_at LIMIT ?`, cutoff, limit)
	if err != nil {
		return 0, fmt.Errorf("old outbox rows: %w", translate(err))
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return 0, err
	}
	in, args := inList(ids)
	res, err := q.q.ExecContext(ctx, `DELETE FROM outbox WHERE id IN (`+in+`) AND done_at IS NOT NULL`, args...)
	if err != nil {
		return 0, fmt.Errorf("delete old outbox rows: %w", translate(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// truncateError keeps an error message within what any TEXT column holds.
func truncateError(s string) string {
	const max = 2000
	r := []rune(s)
	if len(r) > max {
		return string(r[:max])
	}
	return s
}
