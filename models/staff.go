package models

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

const staffSelect = `SELECT u.id, u.username, u.name, r.slug, COALESCE(s.email, ''), COALESCE(s.active, 1), u.created_at
	FROM goadmin_users u
	JOIN goadmin_role_users ru ON ru.user_id = u.id
	JOIN goadmin_roles r ON r.id = ru.role_id
	LEFT JOIN staff_accounts s ON s.user_id = u.id`

func scanStaff(row scanner, extra ...any) (Staff, error) {
	var s Staff
	var created sql.NullTime
	err := row.Scan(append([]any{&s.ID, &s.Username, &s.Name, &s.Role, &s.Email, &s.Active, &created}, extra...)...)
	s.CreatedAt = created.Time.UTC()
	return s, err
}

// InsertStaff creates a back-office user: a goadmin_users row (GoAdmin's
// login checks it), its one role, and Parley's staff_accounts row.
func (q Queries) InsertStaff(ctx context.Context, s *Staff, passwordHash string) error {
	res, err := q.q.ExecContext(ctx, `INSERT INTO goadmin_users (username, password, name, avatar, remember_token, created_at, updated_at)
		VALUES (?, ?, ?, '', '', ?, ?)`, s.Username, passwordHash, s.Name, s.CreatedAt, s.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert staff %q: %w", s.Username, translate(err))
	}
	if s.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	res, err = q.q.ExecContext(ctx, `INSERT INTO goadmin_role_users (role_id, user_id, created_at, updated_at)
		SELECT id, ?, ?, ? FROM goadmin_roles WHERE slug = ?`, s.ID, s.CreatedAt, s.CreatedAt, s.Role)
	if err != nil {
		return fmt.Errorf("give %q role %s: %w", s.Username, s.Role, translate(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return Errorf(EINVALID, "unknown role %q", s.Role)
	}
	set, err := q.Settings(ctx) // new staff take e-mails by the store's default (R19)
	if err != nil {
		return err
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO staff_accounts (user_id, email, active, email_notifications, created_at) VALUES (?, ?, ?, ?, ?)`,
		s.ID, s.Email, true, set.StaffEmailDefault, s.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert staff account: %w", translate(err))
	}
	s.Active = true
	return nil
}

// StaffMember loads a staff user by id.
func (q Queries) StaffMember(ctx context.Context, id int64) (Staff, error) {
	s, err := scanStaff(q.q.QueryRowContext(ctx, staffSelect+` WHERE u.id = ?`, id))
	if err != nil {
		return s, fmt.Errorf("staff %d: %w", id, translate(err))
	}
	return s, nil
}

// StaffCredentials loads a staff user by username with the password hash.
func (q Queries) StaffCredentials(ctx context.Context, username string) (Staff, string, error) {
	var hash string
	s, err := scanStaff(q.q.QueryRowContext(ctx, `SELECT u.id, u.username, u.name, r.slug, COALESCE(s.email, ''),
		COALESCE(s.active, 1), u.created_at, u.password FROM goadmin_users u
		JOIN goadmin_role_users ru ON ru.user_id = u.id JOIN goadmin_roles r ON r.id = ru.role_id
		LEFT JOIN staff_accounts s ON s.user_id = u.id WHERE u.username = ?`, username), &hash)
	if err != nil {
		return s, "", fmt.Errorf("staff %q: %w", username, translate(err))
	}
	return s, hash, nil
}

// ListStaff lists every staff user by id.
func (q Queries) ListStaff(ctx context.Context) ([]Staff, error) {
	rows, err := q.prep().QueryContext(ctx, staffSelect+` ORDER BY u.id`)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", translate(err))
	}
	defer rows.Close()
	var out []Staff
	for rows.Next() {
		s, err := scanStaff(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SetStaffPassword replaces a staff user's password hash.
func (q Queries) SetStaffPassword(ctx context.Context, id int64, hash string, at time.Time) error {
	res, err := q.q.ExecContext(ctx, `UPDATE goadmin_users SET password = ?, updated_at = ? WHERE id = ?`, hash, at, id)
	if err != nil {
		return fmt.Errorf("set password of %d: %w", id, translate(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return NotFound("staff user", id)
	}
	return nil
}

// SetStaffActive activates or deactivates a staff user.
func (q Queries) SetStaffActive(ctx context.Context, id int64, active bool) error {
	_, err := q.q.ExecContext(ctx, `UPDATE staff_accounts SET active = ? WHERE user_id = ?`, active, id)
	if err != nil {
		return fmt.Errorf("set staff %d active: %w", id, translate(err))
	}
	return nil
}
