package models

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// QuickReply is a canned reply staff insert into the reply box; its body
// may hold variables such as {customer.name}, filled in before sending.
type QuickReply struct {
	ID        int64
	Title     string
	Body      string
	CreatedBy int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

const quickReplyColumns = `id, title, body, COALESCE(created_by, 0), created_at, updated_at`

func scanQuickReply(row scanner) (QuickReply, error) {
	var r QuickReply
	var updated sql.NullTime
	err := row.Scan(&r.ID, &r.Title, &r.Body, &r.CreatedBy, &r.CreatedAt, &updated)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.CreatedAt.UTC()
	if updated.Valid {
		r.UpdatedAt = updated.Time.UTC()
	}
	return r, err
}

// QuickReplies lists every quick reply by title.
func (q Queries) QuickReplies(ctx context.Context) ([]QuickReply, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+quickReplyColumns+` FROM quick_replies ORDER BY title, id`)
	if err != nil {
		return nil, fmt.Errorf("quick replies: %w", translate(err))
	}
	defer rows.Close()
	var out []QuickReply
	for rows.Next() {
		r, err := scanQuickReply(rows)
		if err != nil {
			return nil, fmt.Errorf("scan quick reply: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// QuickReply loads one quick reply.
func (q Queries) QuickReply(ctx context.Context, id int64) (QuickReply, error) {
	r, err := scanQuickReply(q.q.QueryRowContext(ctx, `SELECT `+quickReplyColumns+` FROM quick_replies WHERE id = ?`, id))
	if err != nil {
		return r, fmt.Errorf("quick reply %d: %w", id, translate(err))
	}
	return r, nil
}

// InsertQuickReply stores a quick reply and sets its id.
func (q Queries) InsertQuickReply(ctx context.Context, r *QuickReply) error {
	res, err := q.q.ExecContext(ctx, `INSERT INTO quick_replies (title, body, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		r.Title, r.Body, r.CreatedBy, r.CreatedAt, r.UpdatedAt)
	if err != nil {
		return fmt.Errorf("insert quick reply: %w", translate(err))
	}
	r.ID, err = res.LastInsertId()
	return err
}

// UpdateQuickReply saves a quick reply's title and body.
func (q Queries) UpdateQuickReply(ctx context.Context, r QuickReply) error {
	res, err := q.q.ExecContext(ctx, `UPDATE quick_replies SET title = ?, body = ?, updated_at = ? WHERE id = ?`, r.Title, r.Body, r.UpdatedAt, r.ID)
	if err != nil {
		return fmt.Errorf("update quick reply %d: %w", r.ID, translate(err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		// MySQL counts changed rows: check the row is there at all.
		if _, err := q.QuickReply(ctx, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// DeleteQuickReply removes a quick reply; it reports whether one was there.
func (q Queries) DeleteQuickReply(ctx context.Context, id int64) (bool, error) {
	res, err := q.q.ExecContext(ctx, `DELETE FROM quick_replies WHERE id = ?`, id)
	if err != nil {
		return false, fmt.Errorf("delete quick reply %d: %w", id, translate(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
