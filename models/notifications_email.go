package models

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// E-mail outcomes of a notification (notifications.email_outcome).
const (
	EmailSent      = "sent"       // this row's e-mail went out
	EmailCoalesced = "coalesced"  // folded into another row's e-mail (burst)
	EmailRead      = "read"       // read in-app before it was due
	EmailOnline    = "online"     // the person was online when it was due
	EmailOff       = "off"        // the person takes no e-mails
	EmailNoAddress = "no_address" // nobody to send to (guest, deleted)
	EmailFailed    = "failed"     // SMTP kept failing; shown to admins
)

const notificationColumns = `id, recipient_type, recipient_id, COALESCE(conversation_id, 0), COALESCE(message_id, 0), kind,
	created_at, read_at, email_due_at, emailed_at, email_attempts, COALESCE(email_last_error, ''), email_outcome`

func scanNotification(row scanner) (Notification, error) {
	var n Notification
	var read, due, emailed sql.NullTime
	err := row.Scan(&n.ID, &n.RecipientType, &n.RecipientID, &n.ConversationID, &n.MessageID, &n.Kind,
		&n.CreatedAt, &read, &due, &emailed, &n.EmailAttempts, &n.EmailError, &n.EmailOutcome)
	n.CreatedAt = n.CreatedAt.UTC()
	n.ReadAt, n.EmailDueAt, n.EmailedAt = nullTime(read), nullTime(due), nullTime(emailed)
	return n, err
}

func (q Queries) listNotifications(ctx context.Context, query string, args ...any) ([]Notification, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", translate(err))
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, fmt.Errorf("scan notification: %w", translate(err))
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// NotificationByID loads one notification.
func (q Queries) NotificationByID(ctx context.Context, id int64) (Notification, error) {
	n, err := scanNotification(q.q.QueryRowContext(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE id = ?`, id))
	if err != nil {
		return n, fmt.Errorf("notification %d: %w", id, translate(err))
	}
	return n, nil
}

// DueEmails lists notifications whose e-mail is due at now and not held by
// a live lease, oldest due first.
func (q Queries) DueEmails(ctx context.Context, now time.Time, limit int) ([]Notification, error) {
	return q.listNotifications(ctx, `SELECT `+notificationColumns+` FROM notifications
		WHERE email_due_at IS NOT NULL AND email_due_at <= ? AND (email_claimed_until IS NULL OR email_claimed_until <= ?)
		ORDER BY email_due_at, id LIMIT ?`, now, now, limit)
}

// ClaimEmailGroup takes a lease until `until` on a due notification and on
// every other unsettled, unleased notification of the same recipient,
// conversation and kind (the burst it coalesces with), in one transaction.
// It answers the claimed rows, the due one first, or none when the row is
// not due, already settled or leased by another sender — so a duplicated
// or retried task finds it claimed or sent and does nothing.
func (s *Store) ClaimEmailGroup(ctx context.Context, id int64, now, until time.Time) ([]Notification, error) {
	var out []Notification
	err := s.InTx(ctx, func(tx *Tx) error {
		out = nil
		lead, err := scanNotification(tx.q.QueryRowContext(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE id = ?`+tx.forUpdate(), id))
		if ErrorCode(translate(err)) == ENOTFOUND {
			return nil
		}
		if err != nil {
			return fmt.Errorf("lock notification %d: %w", id, translate(err))
		}
		if lead.EmailDueAt == nil || lead.EmailDueAt.After(now) {
			return nil
		}
		var claimed sql.NullTime
		if err := tx.q.QueryRowContext(ctx, `SELECT email_claimed_until FROM notifications WHERE id = ?`, id).Scan(&claimed); err != nil {
			return fmt.Errorf("lease of notification %d: %w", id, translate(err))
		}
		if claimed.Valid && claimed.Time.After(now) {
			return nil
		}
		group, err := tx.listNotifications(ctx, `SELECT `+notificationColumns+` FROM notifications
			WHERE recipient_type = ? AND recipient_id = ? AND conversation_id = ? AND kind = ? AND id <> ?
			AND email_due_at IS NOT NULL AND (email_claimed_until IS NULL OR email_claimed_until <= ?)
			ORDER BY id`+tx.forUpdate(), lead.RecipientType, lead.RecipientID, lead.ConversationID, lead.Kind, id, now)
		if err != nil {
			return err
		}
		rows := append([]Notification{lead}, group...)
		ids := make([]int64, len(rows))
		for i, n := range rows {
			ids[i] = n.ID
		}
		in, args := inList(ids)
		if _, err := tx.q.ExecContext(ctx, `UPDATE notifications SET email_claimed_until = ?, email_attempts = email_attempts + 1
			WHERE id IN (`+in+`)`, append([]any{until}, args...)...); err != nil {
			return fmt.Errorf("claim notifications: %w", translate(err))
		}
		for i := range rows {
			rows[i].EmailAttempts++
		}
		out = rows
		return nil
	})
	return out, err
}

// SettleEmails ends the e-mail life of notifications with an outcome;
// emailed is the time the e-mail went out (sent or coalesced), nil
// otherwise.
func (q Queries) SettleEmails(ctx context.Context, ids []int64, outcome string, emailed *time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	in, args := inList(ids)
	_, err := q.q.ExecContext(ctx, `UPDATE notifications SET email_due_at = NULL, email_claimed_until = NULL,
		email_outcome = ?, emailed_at = ? WHERE id IN (`+in+`)`, append([]any{outcome, emailed}, args...)...)
	if err != nil {
		return fmt.Errorf("settle notifications: %w", translate(err))
	}
	return nil
}

// RetryEmails releases claimed notifications after a failed send: they come
// due again at next, with the error kept.
func (q Queries) RetryEmails(ctx context.Context, ids []int64, next time.Time, reason string) error {
	if len(ids) == 0 {
		return nil
	}
	in, args := inList(ids)
	_, err := q.q.ExecContext(ctx, `UPDATE notifications SET email_due_at = ?, email_claimed_until = NULL, email_last_error = ?
		WHERE id IN (`+in+`) AND email_due_at IS NOT NULL`, append([]any{next, reason}, args...)...)
	if err != nil {
		return fmt.Errorf("retry notifications: %w", translate(err))
	}
	return nil
}

// FailEmails gives up on notifications' e-mail after the last attempt.
func (q Queries) FailEmails(ctx context.Context, ids []int64, reason string) error {
	if len(ids) == 0 {
		return nil
	}
	in, args := inList(ids)
	_, err := q.q.ExecContext(ctx, `UPDATE notifications SET email_due_at = NULL, email_claimed_until = NULL,
		email_outcome = ?, email_last_error = ? WHERE id IN (`+in+`)`, append([]any{EmailFailed, reason}, args...)...)
	if err != nil {
		return fmt.Errorf("fail notifications: %w", translate(err))
	}
	return nil
}

// FailedEmails lists the newest notifications whose e-mail was given up.
func (q Queries) FailedEmails(ctx context.Context, limit int) ([]Notification, error) {
	return q.listNotifications(ctx, `SELECT `+notificationColumns+` FROM notifications
		WHERE email_outcome = ? ORDER BY id DESC LIMIT ?`, EmailFailed, limit)
}

// RecipientNotifications lists a recipient's newest notifications.
func (q Queries) RecipientNotifications(ctx context.Context, kind ActorKind, id int64, limit int) ([]Notification, error) {
	return q.listNotifications(ctx, `SELECT `+notificationColumns+` FROM notifications
		WHERE recipient_type = ? AND recipient_id = ? ORDER BY id DESC LIMIT ?`, kind, id, limit)
}

// UnreadByConversation counts a recipient's unread notifications per
// conversation.
func (q Queries) UnreadByConversation(ctx context.Context, kind ActorKind, id int64) (map[int64]int, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT conversation_id, COUNT(*) FROM notifications
		WHERE recipient_type = ? AND recipient_id = ? AND read_at IS NULL AND conversation_id IS NOT NULL
		GROUP BY conversation_id`, kind, id)
	if err != nil {
		return nil, fmt.Errorf("unread notifications: %w", translate(err))
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var c int64
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, translate(err)
		}
		out[c] = n
	}
	return out, rows.Err()
}

// ReadNotifications marks a recipient's notifications of a conversation
// read.
func (q Queries) ReadNotifications(ctx context.Context, kind ActorKind, id, conversationID int64, at time.Time) error {
	_, err := q.q.ExecContext(ctx, `UPDATE notifications SET read_at = ?
		WHERE recipient_type = ? AND recipient_id = ? AND conversation_id = ? AND read_at IS NULL`, at, kind, id, conversationID)
	if err != nil {
		return fmt.Errorf("read notifications: %w", translate(err))
	}
	return nil
}

// LastEventID is the id of a conversation's newest system event of a name.
func (q Queries) LastEventID(ctx context.Context, conversationID int64, event string) (int64, error) {
	var id int64
	err := q.q.QueryRowContext(ctx, `SELECT id FROM messages WHERE conversation_id = ? AND kind = ? AND event = ?
		ORDER BY id DESC LIMIT 1`, conversationID, KindSystem, event).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("last %s event of %d: %w", event, conversationID, translate(err))
	}
	return id, nil
}

// StaffEmailNotifications says whether a staff member takes new-message
// e-mails.
func (q Queries) StaffEmailNotifications(ctx context.Context, id int64) (bool, error) {
	var on bool
	err := q.q.QueryRowContext(ctx, `SELECT email_notifications FROM staff_accounts WHERE user_id = ?`, id).Scan(&on)
	if err != nil {
		return false, fmt.Errorf("e-mail preference of %d: %w", id, translate(err))
	}
	return on, nil
}

// SetStaffEmailNotifications turns a staff member's e-mails on or off.
func (q Queries) SetStaffEmailNotifications(ctx context.Context, id int64, on bool) error {
	res, err := q.q.ExecContext(ctx, `UPDATE staff_accounts SET email_notifications = ? WHERE user_id = ?`, on, id)
	if err != nil {
		return fmt.Errorf("set e-mail preference of %d: %w", id, translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var exists int
		if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff_accounts WHERE user_id = ?`, id).Scan(&exists); err != nil || exists == 0 {
			return NotFound("staff user", id)
		}
	}
	return nil
}

// CustomerUnsubscribed says whether a customer turned e-mails off.
func (q Queries) CustomerUnsubscribed(ctx context.Context, id int64) (bool, error) {
	var at sql.NullTime
	err := q.q.QueryRowContext(ctx, `SELECT email_unsubscribed_at FROM customers WHERE id = ?`, id).Scan(&at)
	if err != nil {
		return false, fmt.Errorf("customer %d: %w", id, translate(err))
	}
	return at.Valid, nil
}

// UnsubscribeCustomer turns a customer's e-mails off (idempotent).
func (q Queries) UnsubscribeCustomer(ctx context.Context, id int64, at time.Time) error {
	_, err := q.q.ExecContext(ctx, `UPDATE customers SET email_unsubscribed_at = ? WHERE id = ? AND email_unsubscribed_at IS NULL`, at, id)
	if err != nil {
		return fmt.Errorf("unsubscribe customer %d: %w", id, translate(err))
	}
	return nil
}

// SettleOutbox marks every pending outbox row of the task types done
// without running it (the demo's seeded history is told to nobody) and
// reports how many.
func (q Queries) SettleOutbox(ctx context.Context, taskTypes []string, at time.Time) (int, error) {
	if len(taskTypes) == 0 {
		return 0, nil
	}
	args := []any{at}
	marks := make([]string, len(taskTypes))
	for i, t := range taskTypes {
		marks[i] = "?"
		args = append(args, t)
	}
	res, err := q.q.ExecContext(ctx, `UPDATE outbox SET done_at = ? WHERE done_at IS NULL AND parked_at IS NULL AND task_type IN (`+
		strings.Join(marks, ",")+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("settle outbox: %w", translate(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
