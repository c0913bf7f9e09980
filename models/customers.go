package models

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// InsertCustomer stores a customer (passwordHash may be "" for guests and
// identity-token customers) and sets its id.
func (q Queries) InsertCustomer(ctx context.Context, c *Customer, passwordHash string) error {
	var email, ext, hash, login any
	if c.Email != "" {
		email = strings.ToLower(c.Email)
	}
	if c.ExternalID != "" {
		ext = c.ExternalID
	}
	if passwordHash != "" {
		hash = passwordHash
		// E-mail addresses are unique among password accounts only
		// (migration 00011): login_email carries that unique index.
		if !c.IsGuest {
			login = email
		}
	}
	cols, vals := "", ""
	args := []any{email, c.Name, hash, c.IsGuest, ext, c.CreatedAt}
	if login != nil {
		cols, vals = ", login_email", ", ?"
		args = append(args, login)
	}
	res, err := q.q.ExecContext(ctx, `INSERT INTO customers (email, name, password_hash, is_guest, external_id, created_at`+cols+`)
		VALUES (?, ?, ?, ?, ?, ?`+vals+`)`, args...)
	if err != nil {
		return fmt.Errorf("insert customer: %w", translate(err))
	}
	c.ID, err = res.LastInsertId()
	return err
}

const customerColumns = `id, COALESCE(email, ''), name, is_guest, COALESCE(external_id, ''), created_at`

func scanCustomer(row scanner, extra ...any) (Customer, error) {
	var c Customer
	err := row.Scan(append([]any{&c.ID, &c.Email, &c.Name, &c.IsGuest, &c.ExternalID, &c.CreatedAt}, extra...)...)
	c.CreatedAt = c.CreatedAt.UTC()
	return c, err
}

// Customer loads one customer.
func (q Queries) Customer(ctx context.Context, id int64) (Customer, error) {
	c, err := scanCustomer(q.q.QueryRowContext(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = ?`, id))
	if err != nil {
		return c, fmt.Errorf("customer %d: %w", id, translate(err))
	}
	return c, nil
}

// CustomerCredentials loads a registered customer by e-mail with the
// password hash ("" when the customer has none).
func (q Queries) CustomerCredentials(ctx context.Context, email string) (Customer, string, error) {
	var hash sql.NullString
	c, err := scanCustomer(q.q.QueryRowContext(ctx, `SELECT `+customerColumns+`, password_hash FROM customers
		WHERE login_email = ? AND is_guest = ?`, strings.ToLower(email), false), &hash)
	if err != nil {
		return c, "", fmt.Errorf("customer %q: %w", email, translate(err))
	}
	return c, hash.String, nil
}

// CountCustomers counts every customer (the demo checks an empty store).
func (q Queries) CountCustomers(ctx context.Context) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM customers`).Scan(&n)
	return n, translate(err)
}

// InsertOrder stores an order with its items and sets the ids.
func (q Queries) InsertOrder(ctx context.Context, o *Order) error {
	res, err := q.q.ExecContext(ctx, `INSERT INTO orders (customer_id, number, status, total_cents, currency, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, o.CustomerID, o.Number, o.Status, o.TotalCents, o.Currency, o.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert order %s: %w", o.Number, translate(err))
	}
	if o.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	for i := range o.Items {
		it := &o.Items[i]
		it.OrderID = o.ID
		res, err := q.q.ExecContext(ctx, `INSERT INTO order_items (order_id, sku, name, quantity, price_cents) VALUES (?, ?, ?, ?, ?)`,
			it.OrderID, it.SKU, it.Name, it.Quantity, it.PriceCents)
		if err != nil {
			return fmt.Errorf("insert order item: %w", translate(err))
		}
		if it.ID, err = res.LastInsertId(); err != nil {
			return err
		}
	}
	return nil
}

// Order loads one order (without items).
func (q Queries) Order(ctx context.Context, id int64) (Order, error) {
	var o Order
	err := q.q.QueryRowContext(ctx, `SELECT id, customer_id, number, status, total_cents, currency, created_at FROM orders WHERE id = ?`, id).
		Scan(&o.ID, &o.CustomerID, &o.Number, &o.Status, &o.TotalCents, &o.Currency, &o.CreatedAt)
	if err != nil {
		return o, fmt.Errorf("order %d: %w", id, translate(err))
	}
	o.CreatedAt = o.CreatedAt.UTC()
	return o, nil
}

// InsertCart stores a customer's cart with its lines.
func (q Queries) InsertCart(ctx context.Context, customerID int64, items []OrderItem, at time.Time) error {
	res, err := q.q.ExecContext(ctx, `INSERT INTO carts (customer_id, updated_at) VALUES (?, ?)`, customerID, at)
	if err != nil {
		return fmt.Errorf("insert cart: %w", translate(err))
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	for _, it := range items {
		if _, err := q.q.ExecContext(ctx, `INSERT INTO cart_items (cart_id, sku, name, quantity, price_cents) VALUES (?, ?, ?, ?, ?)`,
			id, it.SKU, it.Name, it.Quantity, it.PriceCents); err != nil {
			return fmt.Errorf("insert cart item: %w", translate(err))
		}
	}
	return nil
}
