package models

import (
	"context"
	"fmt"
	"time"
)

// Erasure counts what a customer's data erasure removed.
type Erasure struct {
	Conversations int64 `json:"conversations"`
	Messages      int64 `json:"messages"`
	Attachments   int64 `json:"attachments"`
	// StorageKeys are the removed attachments' files, for the file store
	// to delete once the transaction has committed.
	StorageKeys []string `json:"-"`
}

// EraseCustomer removes a customer and everything of theirs: conversations
// with their messages, attachments, notifications and idempotency records;
// orders, cart, consents, blocks on them; tokens and reset links. Audit
// entries stay but lose what they held of the customer (names, e-mails,
// subjects). A system operation outside R2: run it in a transaction.
func (q Queries) EraseCustomer(ctx context.Context, customerID int64) (Erasure, error) {
	var e Erasure
	var lock int64
	if err := q.q.QueryRowContext(ctx, `SELECT id FROM customers WHERE id = ?`+q.forUpdate(), customerID).Scan(&lock); err != nil {
		return e, fmt.Errorf("customer %d: %w", customerID, translate(err))
	}
	const convs = `SELECT id FROM conversations WHERE customer_id = ?`
	counts := []struct {
		dst   *int64
		query string
	}{
		{&e.Conversations, `SELECT COUNT(*) FROM conversations WHERE customer_id = ?`},
		{&e.Messages, `SELECT COUNT(*) FROM messages WHERE conversation_id IN (` + convs + `)`},
		{&e.Attachments, `SELECT COUNT(*) FROM attachments WHERE conversation_id IN (` + convs + `)`},
	}
	for _, c := range counts {
		if err := q.q.QueryRowContext(ctx, c.query, customerID).Scan(c.dst); err != nil {
			return e, fmt.Errorf("erase customer %d: count: %w", customerID, translate(err))
		}
	}
	rows, err := q.q.QueryContext(ctx, `SELECT storage_key FROM attachments WHERE conversation_id IN (`+convs+`)`, customerID)
	if err != nil {
		return e, fmt.Errorf("erase customer %d: attachments: %w", customerID, translate(err))
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return e, err
		}
		e.StorageKeys = append(e.StorageKeys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return e, err
	}
	// Follow-up links are cleared before the delete: MySQL cannot set
	// NULL through a self-reference within the statement deleting it.
	steps := []struct{ what, query string }{
		{"audit of conversations", `UPDATE audit_log SET before_json = '', after_json = '' WHERE subject_type = 'conversation' AND subject_id IN (` + convs + `)`},
		{"audit of the customer", `UPDATE audit_log SET before_json = '', after_json = '' WHERE subject_type = 'customer' AND subject_id = ?`},
		{"audit by the customer", `UPDATE audit_log SET actor_name = '' WHERE actor_type IN ('customer', 'guest') AND actor_id = ?`},
		{"idempotency records", `DELETE FROM idempotency_keys WHERE conversation_id IN (` + convs + `)`},
		{"notifications", `DELETE FROM notifications WHERE recipient_type IN ('customer', 'guest') AND recipient_id = ?`},
		{"conversation notifications", `DELETE FROM notifications WHERE conversation_id IN (` + convs + `)`},
		{"search words", `DELETE FROM conversation_words WHERE conversation_id IN (` + convs + `)`},
		{"tokens", `DELETE FROM api_tokens WHERE subject_type IN ('customer', 'guest') AND subject_id = ?`},
		{"reset links", `DELETE FROM password_resets WHERE customer_id = ?`},
		{"follow-up links", `UPDATE conversations SET follow_up_of = NULL WHERE customer_id = ? AND follow_up_of IS NOT NULL`},
		{"conversations", `DELETE FROM conversations WHERE customer_id = ?`},
		{"customer", `DELETE FROM customers WHERE id = ?`},
	}
	for _, s := range steps {
		if _, err := q.q.ExecContext(ctx, s.query, customerID); err != nil {
			return e, fmt.Errorf("erase customer %d: %s: %w", customerID, s.what, translate(err))
		}
	}
	return e, nil
}

// IdleGuests lists up to limit guests created before cutoff who have no
// conversation.
func (q Queries) IdleGuests(ctx context.Context, cutoff time.Time, limit int) ([]int64, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id FROM customers c WHERE is_guest = ? AND created_at < ?
		AND NOT EXISTS (SELECT 1 FROM conversations v WHERE v.customer_id = c.id) ORDER BY id LIMIT ?`, true, cutoff, limit)
	if err != nil {
		return nil, fmt.Errorf("idle guests: %w", translate(err))
	}
	return collectIDs(rows)
}

// RemoveGuests deletes the given guests that still have no conversation,
// with their tokens, and says how many went.
func (q Queries) RemoveGuests(ctx context.Context, ids []int64) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	in, args := inList(ids)
	var gone []int64
	rows, err := q.q.QueryContext(ctx, `SELECT id FROM customers c WHERE id IN (`+in+`) AND is_guest = 1
		AND NOT EXISTS (SELECT 1 FROM conversations v WHERE v.customer_id = c.id)`+q.forUpdate(), args...)
	if err != nil {
		return 0, fmt.Errorf("remove guests: %w", translate(err))
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		gone = append(gone, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(gone) == 0 {
		return 0, err
	}
	in, args = inList(gone)
	if _, err := q.q.ExecContext(ctx, `DELETE FROM api_tokens WHERE subject_type = 'guest' AND subject_id IN (`+in+`)`, args...); err != nil {
		return 0, fmt.Errorf("remove guests' tokens: %w", translate(err))
	}
	res, err := q.q.ExecContext(ctx, `DELETE FROM customers WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("remove guests: %w", translate(err))
	}
	return res.RowsAffected()
}
