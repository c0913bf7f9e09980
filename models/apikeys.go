package models

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"
)

// APIKey is an integration key of the shop's systems; only its hash is stored.
type APIKey struct {
	ID         int64
	Name       string
	CreatedAt  time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

// InsertAPIKey stores a new key's hash under a name; conflict when a live
// key already has that name.
func (q Queries) InsertAPIKey(ctx context.Context, name, hash string, at time.Time) (APIKey, error) {
	var n int
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_keys WHERE name = ? AND revoked_at IS NULL`, name).Scan(&n); err != nil {
		return APIKey{}, fmt.Errorf("api keys: %w", translate(err))
	}
	if n > 0 {
		return APIKey{}, Errorf(ECONFLICT, "a live API key named %q exists; revoke it first", name)
	}
	res, err := q.q.ExecContext(ctx, `INSERT INTO api_keys (name, key_hash, created_at) VALUES (?, ?, ?)`, name, hash, at)
	if err != nil {
		return APIKey{}, fmt.Errorf("insert api key: %w", translate(err))
	}
	id, err := res.LastInsertId()
	return APIKey{ID: id, Name: name, CreatedAt: at}, err
}

// LiveAPIKey finds a key by hash that is not revoked.
func (q Queries) LiveAPIKey(ctx context.Context, hash string) (APIKey, error) {
	var k APIKey
	var revoked sql.NullTime
	err := q.q.QueryRowContext(ctx, `SELECT id, name, created_at, revoked_at FROM api_keys WHERE key_hash = ?`, hash).
		Scan(&k.ID, &k.Name, &k.CreatedAt, &revoked)
	if err != nil {
		return k, fmt.Errorf("api key: %w", translate(err))
	}
	if revoked.Valid {
		return k, Errorf(EUNAUTHORIZED, MsgUnauthorized)
	}
	return k, nil
}

// TouchAPIKey records a key's use, at most once a minute.
func (q Queries) TouchAPIKey(ctx context.Context, id int64, at time.Time) error {
	_, err := q.q.ExecContext(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
		at, id, at.Add(-time.Minute))
	return translate(err)
}

// RevokeAPIKey revokes the live keys named nameOrID (a name, or a plain
// decimal id) and returns how many.
func (q Queries) RevokeAPIKey(ctx context.Context, nameOrID string, at time.Time) (int64, error) {
	id, err := strconv.ParseInt(nameOrID, 10, 64)
	if err != nil {
		id = -1
	}
	res, err := q.q.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ? WHERE (name = ? OR id = ?) AND revoked_at IS NULL`, at, nameOrID, id)
	if err != nil {
		return 0, fmt.Errorf("revoke api key: %w", translate(err))
	}
	return res.RowsAffected()
}

// APIKeys lists every key, newest first.
func (q Queries) APIKeys(ctx context.Context) ([]APIKey, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, name, created_at, revoked_at, last_used_at FROM api_keys ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", translate(err))
	}
	defer rows.Close()
	var out []APIKey
	for rows.Next() {
		var k APIKey
		var revoked, used sql.NullTime
		if err := rows.Scan(&k.ID, &k.Name, &k.CreatedAt, &revoked, &used); err != nil {
			return nil, err
		}
		k.RevokedAt, k.LastUsedAt = nullTime(revoked), nullTime(used)
		k.CreatedAt = k.CreatedAt.UTC()
		out = append(out, k)
	}
	return out, rows.Err()
}
