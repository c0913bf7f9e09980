package models

import (
	"context"
	"database/sql"
	"fmt"
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

// InsertNotification stores a notification once: a second insert for the
// same recipient, message and kind is ignored and reports false, so a
// retried job never notifies twice.
func (q Queries) InsertNotification(ctx context.Context, n Notification) (bool, error) {
	_, err := q.q.ExecContext(ctx, `INSERT INTO notifications (recipient_type, recipient_id, conversation_id, message_id, kind, created_at, email_due_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, n.RecipientType, n.RecipientID, n.ConversationID, n.MessageID, n.Kind, n.CreatedAt, n.EmailDueAt)
	if err != nil {
		if ErrorCode(translate(err)) == ECONFLICT {
			return false, nil
		}
		return false, fmt.Errorf("insert notification: %w", translate(err))
	}
	return true, nil
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

// MessageByID loads one message.
func (q Queries) MessageByID(ctx context.Context, id int64) (Message, error) {
	var m Message
	var author sql.NullInt64
	err := q.q.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = ?`, id).
		Scan(&m.ID, &m.ConversationID, &m.Kind, &m.AuthorType, &author, &m.AuthorName, &m.Body, &m.Event, &m.Public, &m.CreatedAt)
	if err != nil {
		return m, fmt.Errorf("message %d: %w", id, translate(err))
	}
	m.AuthorID = nullID(author)
	m.CreatedAt = m.CreatedAt.UTC()
	return m, nil
}
