package models

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

const conversationColumns = `id, customer_id, customer_name, customer_email, subject, order_id, status,
	assigned_to, follow_up_of, is_read_by_admin, is_read_by_user, created_at, updated_at,
	last_message_at, last_preview, message_count, public_last_at, public_preview, public_message_count, first_response_at`

type scanner interface{ Scan(dest ...any) error }

func scanConversation(row scanner) (Conversation, error) {
	var c Conversation
	var orderID, assigned, followUp sql.NullInt64
	var firstResponse sql.NullTime
	err := row.Scan(&c.ID, &c.CustomerID, &c.CustomerName, &c.CustomerEmail, &c.Subject, &orderID, &c.Status,
		&assigned, &followUp, &c.IsReadByAdmin, &c.IsReadByUser, &c.CreatedAt, &c.UpdatedAt,
		&c.LastMessageAt, &c.LastPreview, &c.MessageCount, &c.PublicLastAt, &c.PublicPreview, &c.PublicMessages, &firstResponse)
	if err != nil {
		return c, err
	}
	c.OrderID, c.AssignedTo, c.FollowUpOf = nullID(orderID), nullID(assigned), nullID(followUp)
	c.FirstResponseAt = nullTime(firstResponse)
	c.CreatedAt, c.UpdatedAt, c.LastMessageAt, c.PublicLastAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC(), c.LastMessageAt.UTC(), c.PublicLastAt.UTC()
	return c, nil
}

func nullID(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

func idArg(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// Conversation loads one conversation.
func (q Queries) Conversation(ctx context.Context, id int64) (Conversation, error) {
	c, err := scanConversation(q.prep().QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = ?`, id))
	if err != nil {
		return c, fmt.Errorf("conversation %d: %w", id, translate(err))
	}
	return c, nil
}

// LockConversation loads a conversation and locks its row until the
// transaction ends.
func (q Queries) LockConversation(ctx context.Context, id int64) (Conversation, error) {
	c, err := scanConversation(q.prep().QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = ?`+q.forUpdate(), id))
	if err != nil {
		return c, fmt.Errorf("lock conversation %d: %w", id, translate(err))
	}
	return c, nil
}

// LockConversations loads and locks several conversations, in id order.
func (q Queries) LockConversations(ctx context.Context, ids []int64) ([]Conversation, error) {
	in, args := inList(ids)
	rows, err := q.q.QueryContext(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id IN (`+in+`) ORDER BY id`+q.forUpdate(), args...)
	if err != nil {
		return nil, fmt.Errorf("lock conversations: %w", translate(err))
	}
	return collectConversations(rows)
}

func collectConversations(rows *sql.Rows) ([]Conversation, error) {
	defer rows.Close()
	var out []Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, fmt.Errorf("scan conversation: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// InsertConversation stores a new conversation and sets its id.
func (q Queries) InsertConversation(ctx context.Context, c *Conversation) error {
	res, err := q.q.ExecContext(ctx, `INSERT INTO conversations (customer_id, customer_name, customer_email, subject,
		order_id, status, assigned_to, follow_up_of, is_read_by_admin, is_read_by_user, created_at, updated_at,
		last_message_at, last_preview, message_count, public_last_at, public_preview, public_message_count)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.CustomerID, c.CustomerName, c.CustomerEmail, c.Subject, idArg(c.OrderID), c.Status, idArg(c.AssignedTo),
		idArg(c.FollowUpOf), c.IsReadByAdmin, c.IsReadByUser, c.CreatedAt, c.UpdatedAt, c.LastMessageAt,
		c.LastPreview, c.MessageCount, c.PublicLastAt, c.PublicPreview, c.PublicMessages)
	if err != nil {
		return fmt.Errorf("insert conversation: %w", translate(err))
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	return q.addWords(ctx, c.ID, textWords(c.Subject))
}

// SaveConversation writes a conversation's mutable fields (call it with the
// row locked). FirstResponseAt is set once: a stored stamp is kept, so a
// conversation value that does not carry it (nil) never clears it.
func (q Queries) SaveConversation(ctx context.Context, c Conversation) error {
	var firstResponse any
	if c.FirstResponseAt != nil {
		firstResponse = *c.FirstResponseAt
	}
	_, err := q.prep().ExecContext(ctx, `UPDATE conversations SET status = ?, assigned_to = ?, is_read_by_admin = ?,
		is_read_by_user = ?, updated_at = ?, last_message_at = ?, last_preview = ?, message_count = ?,
		public_last_at = ?, public_preview = ?, public_message_count = ?,
		first_response_at = COALESCE(first_response_at, ?) WHERE id = ?`,
		c.Status, idArg(c.AssignedTo), c.IsReadByAdmin, c.IsReadByUser, c.UpdatedAt, c.LastMessageAt,
		c.LastPreview, c.MessageCount, c.PublicLastAt, c.PublicPreview, c.PublicMessages, firstResponse, c.ID)
	if err != nil {
		return fmt.Errorf("save conversation %d: %w", c.ID, translate(err))
	}
	return nil
}

// SetAssigneeIf assigns a conversation only while its assignee is still
// `expected` (nil = unassigned): a compare-and-set, so of two simultaneous
// "take it" only one changes a row. It reports whether the row changed.
func (q Queries) SetAssigneeIf(ctx context.Context, id int64, expected, to *int64, at time.Time) (bool, error) {
	cond, args := "assigned_to IS NULL", []any{idArg(to), at, id}
	if expected != nil {
		cond = "assigned_to = ?"
		args = append(args, *expected)
	}
	res, err := q.q.ExecContext(ctx, `UPDATE conversations SET assigned_to = ?, updated_at = ? WHERE id = ? AND `+cond, args...)
	if err != nil {
		return false, fmt.Errorf("assign conversation %d: %w", id, translate(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MarkRead sets one side's read flag.
func (q Queries) MarkRead(ctx context.Context, id int64, admin bool) error {
	col := "is_read_by_user"
	if admin {
		col = "is_read_by_admin"
	}
	_, err := q.q.ExecContext(ctx, `UPDATE conversations SET `+col+` = ? WHERE id = ? AND `+col+` = ?`, true, id, false)
	if err != nil {
		return fmt.Errorf("mark conversation %d read: %w", id, translate(err))
	}
	return nil
}

// OpenFollowUp finds the follow-up of a closed conversation that is not
// itself closed.
func (q Queries) OpenFollowUp(ctx context.Context, closedID int64) (Conversation, bool, error) {
	c, err := scanConversation(q.q.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations
		WHERE follow_up_of = ? AND status <> ? ORDER BY id DESC LIMIT 1`+q.forUpdate(), closedID, StatusClosed))
	if err == sql.ErrNoRows {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("follow-up of %d: %w", closedID, translate(err))
	}
	return c, true, nil
}

// DeleteClosedConversations deletes the given conversations with their
// messages, attachments and notifications, only where they are CLOSED (R2).
// It returns how many conversations it deleted; the caller compares that
// with len(ids) and rolls back on a shortfall.
func (q Queries) DeleteClosedConversations(ctx context.Context, ids []int64) (int, error) {
	in, args := inList(ids)
	closed := `SELECT id FROM conversations WHERE id IN (` + in + `) AND status = ?`
	cargs := append(append([]any{}, args...), StatusClosed)
	// Derived table: MySQL refuses a subquery on the table being updated.
	if _, err := q.q.ExecContext(ctx, `UPDATE conversations SET follow_up_of = NULL WHERE follow_up_of IN (SELECT id FROM (`+closed+`) AS d)`, cargs...); err != nil {
		return 0, fmt.Errorf("unlink follow-ups: %w", translate(err))
	}
	if err := q.deleteWords(ctx, closed, cargs...); err != nil {
		return 0, err
	}
	for _, child := range []string{"notifications", "attachments", "messages"} {
		if _, err := q.q.ExecContext(ctx, `DELETE FROM `+child+` WHERE conversation_id IN (`+closed+`)`, cargs...); err != nil {
			return 0, fmt.Errorf("delete %s: %w", child, translate(err))
		}
	}
	res, err := q.q.ExecContext(ctx, `DELETE FROM conversations WHERE id IN (`+in+`) AND status = ?`, cargs...)
	if err != nil {
		return 0, fmt.Errorf("delete conversations: %w", translate(err))
	}
	n, err := res.RowsAffected()
	return int(n), err
}
