package models

import (
	"context"
	"fmt"
	"time"
)

// OutboxItem is a task waiting to be handed to the job queue.
type OutboxItem struct {
	ID       int64
	TaskType string
	Payload  string // JSON, ids only
	Attempts int
}

// InsertOutbox queues a task in the same transaction as the change that
// causes it, so a Redis outage loses nothing.
func (q Queries) InsertOutbox(ctx context.Context, taskType, payload string, at time.Time) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO outbox (task_type, payload, created_at) VALUES (?, ?, ?)`, taskType, payload, at)
	if err != nil {
		return fmt.Errorf("insert outbox: %w", translate(err))
	}
	return nil
}

// PendingOutbox lists unsent outbox rows, oldest first.
func (q Queries) PendingOutbox(ctx context.Context, limit int) ([]OutboxItem, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, task_type, payload, attempts FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("pending outbox: %w", translate(err))
	}
	defer rows.Close()
	var out []OutboxItem
	for rows.Next() {
		var it OutboxItem
		if err := rows.Scan(&it.ID, &it.TaskType, &it.Payload, &it.Attempts); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// MarkOutboxSent marks a row handed over.
func (q Queries) MarkOutboxSent(ctx context.Context, id int64, at time.Time) error {
	_, err := q.q.ExecContext(ctx, `UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?`, at, id)
	if err != nil {
		return fmt.Errorf("mark outbox %d sent: %w", id, translate(err))
	}
	return nil
}

// MarkOutboxFailed counts a failed hand-over.
func (q Queries) MarkOutboxFailed(ctx context.Context, id int64) error {
	_, err := q.q.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1 WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("mark outbox %d failed: %w", id, translate(err))
	}
	return nil
}
