package models

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Attachment is a file sent with a message (R12). The file itself lives in
// the attachment store under StorageKey, a random name; Filename is the
// sender's name for it, shown but never used to find or type the file.
type Attachment struct {
	ID             int64
	MessageID      int64
	ConversationID int64
	MediaType      string
	SizeBytes      int64
	DurationMS     *int64 // video and audio
	StorageKey     string
	Filename       string
	CreatedAt      time.Time
}

const attachmentColumns = `id, message_id, conversation_id, media_type, size_bytes, duration_ms, storage_key, filename, created_at`

// InsertAttachment stores an attachment row and sets its id.
func (q Queries) InsertAttachment(ctx context.Context, a *Attachment) error {
	res, err := q.q.ExecContext(ctx, `INSERT INTO attachments (message_id, conversation_id, media_type, size_bytes,
		duration_ms, storage_key, filename, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		a.MessageID, a.ConversationID, a.MediaType, a.SizeBytes, idArg(a.DurationMS), a.StorageKey, a.Filename, a.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert attachment: %w", translate(err))
	}
	a.ID, err = res.LastInsertId()
	return err
}

// Attachment reads one attachment; ENOTFOUND when there is none.
func (q Queries) Attachment(ctx context.Context, id int64) (Attachment, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE id = ?`, id)
	if err != nil {
		return Attachment{}, fmt.Errorf("attachment %d: %w", id, translate(err))
	}
	atts, err := collectAttachments(rows)
	if err != nil {
		return Attachment{}, err
	}
	if len(atts) == 0 {
		return Attachment{}, NotFound("attachment", id)
	}
	return atts[0], nil
}

// Message reads one message; ENOTFOUND when there is none.
func (q Queries) Message(ctx context.Context, id int64) (Message, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = ?`, id)
	if err != nil {
		return Message{}, fmt.Errorf("message %d: %w", id, translate(err))
	}
	ms, err := collectMessages(rows)
	if err != nil {
		return Message{}, err
	}
	if len(ms) == 0 {
		return Message{}, NotFound("message", id)
	}
	return ms[0], nil
}

// WithAttachments fills the Attachments of the given messages in one
// query. Every query that answers a timeline calls it, so a message is
// never shown without its files.
func (q Queries) WithAttachments(ctx context.Context, ms []Message) error {
	if len(ms) == 0 {
		return nil
	}
	ids := make([]int64, len(ms))
	at := make(map[int64]int, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
		at[m.ID] = i
	}
	in, args := inList(ids)
	rows, err := q.q.QueryContext(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE message_id IN (`+in+`) ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("attachments of messages: %w", translate(err))
	}
	atts, err := collectAttachments(rows)
	if err != nil {
		return err
	}
	for _, a := range atts {
		if i, ok := at[a.MessageID]; ok {
			ms[i].Attachments = append(ms[i].Attachments, a)
		}
	}
	return nil
}

// AttachmentKeysOfConversations lists the storage keys of every file in
// the given conversations, for removing the files once their rows are
// deleted (R2 deletes, a customer's erasure).
func (q Queries) AttachmentKeysOfConversations(ctx context.Context, ids []int64) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := inList(ids)
	return q.attachmentKeys(ctx, `SELECT storage_key FROM attachments WHERE conversation_id IN (`+in+`)`, args)
}

// AttachmentKeysOfMessages lists the storage keys of the given messages'
// files (the retention purge, R14).
func (q Queries) AttachmentKeysOfMessages(ctx context.Context, ids []int64) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := inList(ids)
	return q.attachmentKeys(ctx, `SELECT storage_key FROM attachments WHERE message_id IN (`+in+`)`, args)
}

func (q Queries) attachmentKeys(ctx context.Context, query string, args []any) ([]string, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("attachment keys: %w", translate(err))
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("scan attachment key: %w", err)
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

func collectAttachments(rows *sql.Rows) ([]Attachment, error) {
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var a Attachment
		var dur sql.NullInt64
		if err := rows.Scan(&a.ID, &a.MessageID, &a.ConversationID, &a.MediaType, &a.SizeBytes, &dur, &a.StorageKey, &a.Filename, &a.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan attachment: %w", err)
		}
		a.DurationMS = nullID(dur)
		a.CreatedAt = a.CreatedAt.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}
