package models

import (
	"context"
	"fmt"
	"time"
)

// LockStaffMember loads a staff user by id, row-locked until the
// transaction ends (MySQL; SQLite's write lock covers it).
func (q Queries) LockStaffMember(ctx context.Context, id int64) (Staff, error) {
	s, err := scanStaff(q.q.QueryRowContext(ctx, staffSelect+` WHERE u.id = ?`+q.forUpdate(), id))
	if err != nil {
		return s, fmt.Errorf("staff %d: %w", id, translate(err))
	}
	return s, nil
}

// LockActiveOwners returns the ids of the active owners, row-locked until
// the transaction ends: of two transactions demoting or deactivating
// different owners, the second sees the first's change.
func (q Queries) LockActiveOwners(ctx context.Context) ([]int64, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT u.id FROM goadmin_users u
		JOIN goadmin_role_users ru ON ru.user_id = u.id
		JOIN goadmin_roles r ON r.id = ru.role_id
		LEFT JOIN staff_accounts s ON s.user_id = u.id
		WHERE r.slug = ? AND COALESCE(s.active, 1) = 1 ORDER BY u.id`+q.forUpdate(), RoleOwner)
	if err != nil {
		return nil, fmt.Errorf("active owners: %w", translate(err))
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// SetStaffRole gives a staff user another role (their one GoAdmin role).
func (q Queries) SetStaffRole(ctx context.Context, id int64, role string, at time.Time) error {
	res, err := q.q.ExecContext(ctx, `UPDATE goadmin_role_users SET role_id = (SELECT id FROM goadmin_roles WHERE slug = ?), updated_at = ?
		WHERE user_id = ? AND EXISTS (SELECT 1 FROM goadmin_roles WHERE slug = ?)`, role, at, id, role)
	if err != nil {
		return fmt.Errorf("set role of %d: %w", id, translate(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return NotFound("staff user", id)
	}
	return nil
}
