package models

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// UseIdentityJTI records a signed identity token's id until it expires;
// conflict when it was used before (a replay).
func (q Queries) UseIdentityJTI(ctx context.Context, jti string, expires time.Time) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO identity_jtis (jti, expires_at) VALUES (?, ?)`, jti, expires)
	if err != nil {
		return fmt.Errorf("identity token id: %w", translate(err))
	}
	return nil
}

// ForgetIdentityJTIs drops the token ids that expired before now: an
// expired token is refused on its own.
func (q Queries) ForgetIdentityJTIs(ctx context.Context, now time.Time) error {
	_, err := q.q.ExecContext(ctx, `DELETE FROM identity_jtis WHERE expires_at < ?`, now)
	return translate(err)
}

// UpsertIdentityCustomer finds the customer with the shop's external id,
// creating it when new, and keeps the e-mail and name the shop signed.
func (q Queries) UpsertIdentityCustomer(ctx context.Context, externalID, email, name string, now time.Time) (int64, error) {
	var em any
	if email != "" {
		em = strings.ToLower(email)
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO customers (email, name, is_guest, external_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`+q.upsert("external_id", "email", "name", "updated_at"), em, name, false, externalID, now, now)
	if err != nil {
		return 0, fmt.Errorf("upsert customer %q: %w", externalID, translate(err))
	}
	return q.CustomerIDByExternal(ctx, externalID)
}

// InsertPasswordReset stores a reset link's hash.
func (q Queries) InsertPasswordReset(ctx context.Context, customerID int64, hash string, at, expires time.Time) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO password_resets (customer_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		customerID, hash, at, expires)
	if err != nil {
		return fmt.Errorf("insert password reset: %w", translate(err))
	}
	return nil
}

// UsePasswordReset marks a live reset link used and returns its customer;
// not found for an unknown, used or expired one. Run it in a transaction.
func (q Queries) UsePasswordReset(ctx context.Context, hash string, now time.Time) (int64, error) {
	var id, customerID int64
	var used sql.NullTime
	var expires time.Time
	err := q.q.QueryRowContext(ctx, `SELECT id, customer_id, expires_at, used_at FROM password_resets WHERE token_hash = ?`+q.forUpdate(), hash).
		Scan(&id, &customerID, &expires, &used)
	if err != nil {
		return 0, fmt.Errorf("password reset: %w", translate(err))
	}
	if used.Valid || !now.Before(expires) {
		return 0, Errorf(ENOTFOUND, "password reset not found")
	}
	res, err := q.q.ExecContext(ctx, `UPDATE password_resets SET used_at = ? WHERE id = ? AND used_at IS NULL`, now, id)
	if err != nil {
		return 0, fmt.Errorf("use password reset: %w", translate(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return 0, Errorf(ENOTFOUND, "password reset not found")
	}
	// Every other open link of the customer ends too.
	if _, err := q.q.ExecContext(ctx, `UPDATE password_resets SET used_at = ? WHERE customer_id = ? AND used_at IS NULL`, now, customerID); err != nil {
		return 0, fmt.Errorf("use password resets: %w", translate(err))
	}
	return customerID, nil
}

// CountPasswordResets counts the reset links made for a customer since t.
func (q Queries) CountPasswordResets(ctx context.Context, customerID int64, since time.Time) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM password_resets WHERE customer_id = ? AND created_at >= ?`, customerID, since).Scan(&n)
	return n, translate(err)
}

// SetCustomerPassword replaces a password account's hash.
func (q Queries) SetCustomerPassword(ctx context.Context, customerID int64, hash string, at time.Time) error {
	res, err := q.q.ExecContext(ctx, `UPDATE customers SET password_hash = ?, updated_at = ? WHERE id = ? AND login_email IS NOT NULL`, hash, at, customerID)
	if err != nil {
		return fmt.Errorf("set customer password: %w", translate(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return Errorf(ENOTFOUND, "customer %d has no password account", customerID)
	}
	return nil
}
