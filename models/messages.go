package models

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

const messageColumns = `id, conversation_id, kind, author_type, author_id, author_name, body, event, is_public, created_at`

// InsertMessage stores a message and sets its id.
func (q Queries) InsertMessage(ctx context.Context, m *Message) error {
	cols, marks := "", ""
	args := []any{m.ConversationID, m.Kind, m.AuthorType, idArg(m.AuthorID), m.AuthorName, m.Body, m.Event, m.Public, m.CreatedAt}
	if m.IP != "" { // only customers' and guests' messages carry one (R13)
		cols, marks = ", ip", ", ?"
		args = append(args, m.IP)
	}
	res, err := q.prep().ExecContext(ctx, `INSERT INTO messages (conversation_id, kind, author_type, author_id, author_name,
		body, event, is_public, created_at`+cols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?`+marks+`)`, args...)
	if err != nil {
		return fmt.Errorf("insert message: %w", translate(err))
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	return q.addWords(ctx, m.ConversationID, textWords(m.Body))
}

// Messages lists a conversation's timeline, oldest first; publicOnly keeps
// what the customer may see (R8).
func (q Queries) Messages(ctx context.Context, conversationID int64, publicOnly bool) ([]Message, error) {
	query := `SELECT ` + messageColumns + ` FROM messages WHERE conversation_id = ?`
	args := []any{conversationID}
	if publicOnly {
		query += ` AND is_public = ?`
		args = append(args, true)
	}
	rows, err := q.q.QueryContext(ctx, query+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("messages of %d: %w", conversationID, translate(err))
	}
	ms, err := collectMessages(rows)
	if err != nil {
		return nil, err
	}
	return ms, q.WithAttachments(ctx, ms)
}

func collectMessages(rows *sql.Rows) ([]Message, error) {
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		var author sql.NullInt64
		if err := rows.Scan(&m.ID, &m.ConversationID, &m.Kind, &m.AuthorType, &author, &m.AuthorName, &m.Body, &m.Event, &m.Public, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan message: %w", err)
		}
		m.AuthorID = nullID(author)
		m.CreatedAt = m.CreatedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// LastEvents lists a conversation's latest system events among the given
// names, newest first, at most limit of them.
func (q Queries) LastEvents(ctx context.Context, conversationID int64, names []string, limit int) ([]Message, error) {
	if len(names) == 0 || limit <= 0 {
		return nil, nil
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(names)), ",")
	args := []any{conversationID, KindSystem}
	for _, n := range names {
		args = append(args, n)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE conversation_id = ? AND kind = ?
		AND event IN (`+in+`) ORDER BY id DESC LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("events of %d: %w", conversationID, translate(err))
	}
	return collectMessages(rows)
}
