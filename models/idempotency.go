package models

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// IdempotencyKey is a client's Idempotency-Key for one request scope
// (actor, method and path). Token identifies the request that holds the
// key; Done with Status and Response is its committed answer.
type IdempotencyKey struct {
	ID             int64
	Scope          string
	Key            string
	RequestHash    string
	Token          string
	Done           bool
	Status         int
	Response       []byte
	ConversationID *int64
	MessageID      *int64
	CreatedAt      time.Time
}

// InsertIdempotencyKey claims a key; ECONFLICT when the scope already holds it.
func (q Queries) InsertIdempotencyKey(ctx context.Context, k *IdempotencyKey) error {
	res, err := q.q.ExecContext(ctx, `INSERT INTO idempotency_keys (scope, idem_key, request_hash, token, done, status, created_at)
		VALUES (?, ?, ?, ?, ?, 0, ?)`, k.Scope, k.Key, k.RequestHash, k.Token, false, k.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert idempotency key: %w", translate(err))
	}
	k.ID, err = res.LastInsertId()
	return err
}

// LockIdempotencyKey reads a key of a scope, locking its row.
func (q Queries) LockIdempotencyKey(ctx context.Context, scope, key string) (IdempotencyKey, error) {
	k := IdempotencyKey{Scope: scope, Key: key}
	var conv, msg sql.NullInt64
	err := q.q.QueryRowContext(ctx, `SELECT id, request_hash, token, done, status, response, conversation_id, message_id, created_at
		FROM idempotency_keys WHERE scope = ? AND idem_key = ?`+q.forUpdate(), scope, key).
		Scan(&k.ID, &k.RequestHash, &k.Token, &k.Done, &k.Status, &k.Response, &conv, &msg, &k.CreatedAt)
	if err != nil {
		return k, fmt.Errorf("idempotency key: %w", translate(err))
	}
	if conv.Valid {
		k.ConversationID = &conv.Int64
	}
	if msg.Valid {
		k.MessageID = &msg.Int64
	}
	return k, nil
}

// ReclaimIdempotencyKey gives a key row to a new request (the old one
// expired, or its holder never finished): nothing of the old answer stays.
func (q Queries) ReclaimIdempotencyKey(ctx context.Context, k IdempotencyKey) error {
	_, err := q.q.ExecContext(ctx, `UPDATE idempotency_keys SET request_hash = ?, token = ?, done = ?, status = 0, response = NULL,
		conversation_id = NULL, message_id = NULL, created_at = ? WHERE id = ?`, k.RequestHash, k.Token, false, k.CreatedAt, k.ID)
	if err != nil {
		return fmt.Errorf("reclaim idempotency key: %w", translate(err))
	}
	return nil
}

// CompleteIdempotencyKey records the answer of the request holding the
// key (by token). It is ECONFLICT when the request no longer holds it, so
// the caller's transaction rolls back instead of doing the work twice.
func (q Queries) CompleteIdempotencyKey(ctx context.Context, k IdempotencyKey) error {
	res, err := q.q.ExecContext(ctx, `UPDATE idempotency_keys SET done = ?, status = ?, response = ?, conversation_id = ?, message_id = ?
		WHERE id = ? AND token = ? AND done = ?`, true, k.Status, k.Response, k.ConversationID, k.MessageID, k.ID, k.Token, false)
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", translate(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return Errorf(ECONFLICT, "the request with this Idempotency-Key was taken over by a retry")
	}
	return nil
}

// ReleaseIdempotencyKey drops a key its request holds but did not complete
// (the request failed: a retry may run it again).
func (q Queries) ReleaseIdempotencyKey(ctx context.Context, id int64, token string) error {
	_, err := q.q.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE id = ? AND token = ? AND done = ?`, id, token, false)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", translate(err))
	}
	return nil
}

// PurgeIdempotencyKeys deletes keys created before t.
func (q Queries) PurgeIdempotencyKeys(ctx context.Context, before time.Time) error {
	_, err := q.q.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, before)
	if err != nil {
		return fmt.Errorf("purge idempotency keys: %w", translate(err))
	}
	return nil
}
