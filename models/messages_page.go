package models

import (
	"context"
	"fmt"
	"strconv"
)

// MessagesAfter lists up to limit messages of a conversation with an id
// above afterID, oldest first: one batch of a streamed export, which reads
// the timeline batch by batch instead of holding it in memory or holding a
// connection while a slow client downloads. publicOnly keeps what the
// customer may see (R8).
func (q Queries) MessagesAfter(ctx context.Context, conversationID int64, publicOnly bool, afterID int64, limit int) ([]Message, error) {
	return q.messagesPage(ctx, conversationID, publicOnly, "id > ?", afterID, "ORDER BY id", limit)
}

// MessagesBefore lists up to limit messages of a conversation with an id
// below beforeID (0: from the newest), newest first: one page of a
// thread's history read backwards, with each message's attachments.
func (q Queries) MessagesBefore(ctx context.Context, conversationID int64, publicOnly bool, beforeID int64, limit int) ([]Message, error) {
	cond := "id < ?"
	if beforeID <= 0 {
		cond = ""
	}
	ms, err := q.messagesPage(ctx, conversationID, publicOnly, cond, beforeID, "ORDER BY id DESC", limit)
	if err != nil {
		return nil, err
	}
	return ms, q.WithAttachments(ctx, ms)
}

func (q Queries) messagesPage(ctx context.Context, conversationID int64, publicOnly bool, cond string, bound int64, order string, limit int) ([]Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	query := `SELECT ` + messageColumns + ` FROM messages WHERE conversation_id = ?`
	args := []any{conversationID}
	if cond != "" {
		query += ` AND ` + cond
		args = append(args, bound)
	}
	if publicOnly {
		query += ` AND is_public = ?`
		args = append(args, true)
	}
	rows, err := q.q.QueryContext(ctx, query+` `+order+` LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("messages of %d: %w", conversationID, translate(err))
	}
	return collectMessages(rows)
}
