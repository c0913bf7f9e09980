package models

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// CustomerNote is the staff's private note on a customer (never shown to
// the customer).
type CustomerNote struct {
	CustomerID int64
	Body       string
	UpdatedBy  int64
	UpdatedAt  time.Time
}

// CustomerNote loads the note on a customer; ok is false when there is none.
func (q Queries) CustomerNote(ctx context.Context, customerID int64) (CustomerNote, bool, error) {
	n := CustomerNote{CustomerID: customerID}
	err := q.q.QueryRowContext(ctx, `SELECT body, updated_by, updated_at FROM customer_notes WHERE customer_id = ?`, customerID).
		Scan(&n.Body, &n.UpdatedBy, &n.UpdatedAt)
	if err == sql.ErrNoRows {
		return n, false, nil
	}
	if err != nil {
		return n, false, fmt.Errorf("note on customer %d: %w", customerID, translate(err))
	}
	n.UpdatedAt = n.UpdatedAt.UTC()
	return n, true, nil
}

// SaveCustomerNote writes the note on a customer (replacing any), or
// removes it when Body is empty.
func (q Queries) SaveCustomerNote(ctx context.Context, n CustomerNote) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM customer_notes WHERE customer_id = ?`, n.CustomerID); err != nil {
		return fmt.Errorf("save note on customer %d: %w", n.CustomerID, translate(err))
	}
	if n.Body == "" {
		return nil
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO customer_notes (customer_id, body, updated_by, updated_at) VALUES (?, ?, ?, ?)`,
		n.CustomerID, n.Body, n.UpdatedBy, n.UpdatedAt)
	if err != nil {
		return fmt.Errorf("save note on customer %d: %w", n.CustomerID, translate(err))
	}
	return nil
}
