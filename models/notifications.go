package models

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Notification is an in-app NEW_MESSAGE badge for one recipient (R19).
type Notification struct {
	ID             int64
	RecipientType  ActorKind
	RecipientID    int64
	ConversationID int64
	MessageID      int64
	Kind           string
	CreatedAt      time.Time
	ReadAt         *time.Time
	// E-mail state (R19): due when set and not yet settled.
	EmailDueAt    *time.Time
	EmailedAt     *time.Time
	EmailAttempts int
	EmailError    string
	EmailOutcome  string
}

// notificationBatch is how many notifications one INSERT writes.
var notificationBatch = 500

// InsertNotifications stores notifications, each once: a notification for
// a recipient, message and kind that already exists is skipped, so a
// retried job never notifies twice. It answers how many were new. One
// statement per notificationBatch rows: a customer's message to an
// unassigned thread notifies every staff member who may see it.
func (q Queries) InsertNotifications(ctx context.Context, ns []Notification) (int, error) {
	// A no-op: 0 rows affected (Parley's DSN leaves clientFoundRows off;
	// with it a skipped row would count).
	conflict := ` ON DUPLICATE KEY UPDATE id = id`
	if q.d == SQLite {
		conflict = ` ON CONFLICT (recipient_type, recipient_id, message_id, kind) DO NOTHING`
	}
	added := 0
	for batch := range slices.Chunk(ns, notificationBatch) {
		vals := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?),", len(batch)), ",")
		args := make([]any, 0, 7*len(batch))
		for _, n := range batch {
			args = append(args, n.RecipientType, n.RecipientID, n.ConversationID, n.MessageID, n.Kind, n.CreatedAt, n.EmailDueAt)
		}
		res, err := q.q.ExecContext(ctx, `INSERT INTO notifications (recipient_type, recipient_id, conversation_id, message_id, kind, created_at, email_due_at)
			VALUES `+vals+conflict, args...)
		if err != nil {
			return added, fmt.Errorf("insert notifications: %w", translate(err))
		}
		n, err := res.RowsAffected()
		if err != nil {
			return added, fmt.Errorf("insert notifications: %w", err)
		}
		added += int(n)
	}
	return added, nil
}

// UnreadNotifications counts a recipient's unread notifications.
func (q Queries) UnreadNotifications(ctx context.Context, kind ActorKind, id int64) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE recipient_type = ? AND recipient_id = ? AND read_at IS NULL`, kind, id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count notifications: %w", translate(err))
	}
	return n, nil
}

// MessagesByID loads the messages among ids that exist, in id order, in
// one query (the notify batch of the worker).
func (q Queries) MessagesByID(ctx context.Context, ids []int64) ([]Message, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := inList(ids)
	rows, err := q.q.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE id IN (`+in+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("messages by id: %w", translate(err))
	}
	return collectMessages(rows)
}

// MessageByID loads one message.
func (q Queries) MessageByID(ctx context.Context, id int64) (Message, error) {
	var m Message
	var author sql.NullInt64
	err := q.prep().QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = ?`, id).
		Scan(&m.ID, &m.ConversationID, &m.Kind, &m.AuthorType, &author, &m.AuthorName, &m.Body, &m.Event, &m.Public, &m.CreatedAt)
	if err != nil {
		return m, fmt.Errorf("message %d: %w", id, translate(err))
	}
	m.AuthorID = nullID(author)
	m.CreatedAt = m.CreatedAt.UTC()
	return m, nil
}
