package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// AdminSession is a goadmin_session row of a signed-in back-office user.
// GoAdmin keeps {"user_id":N} as a login's values; its single-use form
// tokens share the table and are not sessions.
type AdminSession struct {
	SID       string
	UserID    int64
	CreatedAt time.Time
}

// AdminSession loads the login session named sid: ENOTFOUND for an unknown
// sid and for a row that is not a login.
func (q Queries) AdminSession(ctx context.Context, sid string) (AdminSession, error) {
	var values string
	var created any
	err := q.q.QueryRowContext(ctx, "SELECT `values`, created_at FROM goadmin_session WHERE sid = ? ORDER BY id DESC LIMIT 1", sid).
		Scan(&values, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return AdminSession{}, Errorf(ENOTFOUND, "no such session")
	}
	if err != nil {
		return AdminSession{}, fmt.Errorf("admin session: %w", translate(err))
	}
	var v struct {
		UserID *float64 `json:"user_id"`
	}
	if json.Unmarshal([]byte(values), &v) != nil || v.UserID == nil || *v.UserID <= 0 {
		return AdminSession{}, Errorf(ENOTFOUND, "no such session")
	}
	t, ok := parseDBTime(created)
	if !ok {
		return AdminSession{}, fmt.Errorf("admin session: unreadable created_at %v", created)
	}
	return AdminSession{SID: sid, UserID: int64(*v.UserID), CreatedAt: t}, nil
}

// LiveFormToken reports whether a GoAdmin form token is still unused
// (GoAdmin keeps them as goadmin_session rows and deletes one when used).
func (q Queries) LiveFormToken(ctx context.Context, token string) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM goadmin_session WHERE sid = ? AND `values` = '__csrf_token__'", token).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("form token: %w", translate(err))
	}
	return n > 0, nil
}

// DeleteAdminSession ends one back-office session.
func (q Queries) DeleteAdminSession(ctx context.Context, sid string) error {
	if _, err := q.q.ExecContext(ctx, "DELETE FROM goadmin_session WHERE sid = ?", sid); err != nil {
		return fmt.Errorf("end admin session: %w", translate(err))
	}
	return nil
}

// ClearAdminSite empties goadmin_site: GoAdmin copies it over the code's
// configuration on start, so it is derived data re-inserted from code.
func (q Queries) ClearAdminSite(ctx context.Context) error {
	if _, err := q.q.ExecContext(ctx, "DELETE FROM goadmin_site"); err != nil {
		return fmt.Errorf("clear goadmin_site: %w", translate(err))
	}
	return nil
}

// SetAdminPermissionPaths replaces the http_path (GoAdmin's newline
// separated path patterns) of the permission named slug.
func (q Queries) SetAdminPermissionPaths(ctx context.Context, slug, paths string) error {
	if _, err := q.q.ExecContext(ctx, "UPDATE goadmin_permissions SET http_path = ?, http_method = '' WHERE slug = ?", paths, slug); err != nil {
		return fmt.Errorf("set permission %s: %w", slug, translate(err))
	}
	return nil
}

// AdminPermissionPaths returns the http_path of the permission named slug.
func (q Queries) AdminPermissionPaths(ctx context.Context, slug string) (string, error) {
	var p string
	err := q.q.QueryRowContext(ctx, "SELECT http_path FROM goadmin_permissions WHERE slug = ?", slug).Scan(&p)
	if err != nil {
		return "", fmt.Errorf("permission %s: %w", slug, translate(err))
	}
	return p, nil
}

// DeleteAdminSessions ends every back-office session of a staff user.
// GoAdmin keeps {"user_id":N} as the session's values.
// keep names sessions (sids) to leave alive: the caller's own on a
// password change.
func (q Queries) DeleteAdminSessions(ctx context.Context, userID int64, keep ...string) error {
	id := strconv.FormatInt(userID, 10)
	query := `DELETE FROM goadmin_session WHERE (` + "`values`" + ` LIKE ? OR ` + "`values`" + ` LIKE ?)`
	args := []any{`%"user_id":` + id + `}%`, `%"user_id":` + id + `,%`}
	for _, sid := range keep {
		query += ` AND sid <> ?`
		args = append(args, sid)
	}
	_, err := q.q.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("end sessions of %d: %w", userID, translate(err))
	}
	return nil
}

// parseDBTime reads a TIMESTAMP column as the drivers hand it over (UTC:
// SQLite's CURRENT_TIMESTAMP, MySQL with time_zone '+00:00').
func parseDBTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), true
	case []byte:
		return parseDBTime(string(t))
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04:05.999999999", time.RFC3339Nano,
			"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05"} {
			if p, err := time.ParseInLocation(layout, t, time.UTC); err == nil {
				return p.UTC(), true
			}
		}
	}
	return time.Time{}, false
}

// UseFormNonce records a form token's nonce as used at at: fresh is false
// when it was used before (a second post of the same form). Nonces used
// before prune go first (their tokens have expired), so a failure leaves
// the nonce unused and the form can be sent again.
func (q Queries) UseFormNonce(ctx context.Context, nonce string, at, prune time.Time) (fresh bool, err error) {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM form_tokens_used WHERE used_at < ?`, prune); err != nil {
		return false, fmt.Errorf("prune form tokens: %w", translate(err))
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO form_tokens_used (nonce, used_at) VALUES (?, ?)`, nonce, at)
	if ErrorCode(translate(err)) == ECONFLICT {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("use form token: %w", translate(err))
	}
	return true, nil
}
