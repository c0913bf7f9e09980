package models

import (
	"context"
	"fmt"
	"strconv"
)

// CustomerOrders lists a customer's orders, newest first, at most limit
// (without items): the order picker of a new conversation (R4).
func (q Queries) CustomerOrders(ctx context.Context, customerID int64, limit int) ([]Order, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, customer_id, number, status, total_cents, currency, created_at
		FROM orders WHERE customer_id = ? ORDER BY created_at DESC, id DESC LIMIT `+strconv.Itoa(limit), customerID)
	if err != nil {
		return nil, fmt.Errorf("orders of customer %d: %w", customerID, translate(err))
	}
	defer rows.Close()
	var out []Order
	for rows.Next() {
		var o Order
		if err := rows.Scan(&o.ID, &o.CustomerID, &o.Number, &o.Status, &o.TotalCents, &o.Currency, &o.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan order: %w", err)
		}
		o.CreatedAt = o.CreatedAt.UTC()
		out = append(out, o)
	}
	return out, rows.Err()
}
