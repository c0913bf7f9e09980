package models

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Order statuses as the shop sends them (R14 exempts open orders).
const (
	OrderOpen      = "open"
	OrderFulfilled = "fulfilled"
	OrderCancelled = "cancelled"
	OrderRefunded  = "refunded"
)

// OrderStatuses lists the order statuses the integration API accepts.
var OrderStatuses = []string{OrderOpen, OrderFulfilled, OrderCancelled, OrderRefunded}

// ShopCustomer is a customer as the shop's systems describe it; the shop's
// external id is its identity in Parley (never the e-mail).
type ShopCustomer struct {
	ExternalID     string
	Email          string
	Name           string
	Address        string
	MarketingOptIn bool
	CreatedAt      time.Time // at the shop; zero means now
}

// ShopOrder is an order as the shop's systems describe it.
type ShopOrder struct {
	ExternalID string
	CustomerID int64
	Number     string
	Status     string
	TotalCents int64
	Currency   string
	Items      []OrderItem
}

// upsert returns the dialect's "insert, or update these columns of the row
// holding the same unique key" suffix.
func (q Queries) upsert(key string, cols ...string) string {
	sets := make([]string, len(cols))
	for i, c := range cols {
		if q.d == MySQL {
			sets[i] = c + " = VALUES(" + c + ")"
		} else {
			sets[i] = c + " = excluded." + c
		}
	}
	if q.d == MySQL {
		return " ON DUPLICATE KEY UPDATE " + strings.Join(sets, ", ")
	}
	return " ON CONFLICT (" + key + ") DO UPDATE SET " + strings.Join(sets, ", ")
}

// UpsertShopCustomer creates or updates the customer with c's external id
// in one statement (the unique index on external_id makes concurrent
// upserts of one id one row) and returns its id. The conversations'
// copies of the name and e-mail follow.
func (q Queries) UpsertShopCustomer(ctx context.Context, c ShopCustomer, now time.Time) (int64, error) {
	created := c.CreatedAt
	if created.IsZero() {
		created = now
	}
	var email any
	if c.Email != "" {
		email = strings.ToLower(c.Email)
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO customers (email, name, is_guest, external_id, address, marketing_subscribed, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`+q.upsert("external_id", "email", "name", "address", "marketing_subscribed", "updated_at"),
		email, c.Name, false, c.ExternalID, c.Address, c.MarketingOptIn, Now(created), now)
	if err != nil {
		return 0, fmt.Errorf("upsert customer %q: %w", c.ExternalID, translate(err))
	}
	id, err := q.CustomerIDByExternal(ctx, c.ExternalID)
	if err != nil {
		return 0, err
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE conversations SET customer_name = ?, customer_email = ? WHERE customer_id = ?`,
		c.Name, strings.ToLower(c.Email), id); err != nil {
		return 0, fmt.Errorf("customer %d conversations: %w", id, translate(err))
	}
	return id, nil
}

// CustomerIDByExternal finds a customer by the shop's external id.
func (q Queries) CustomerIDByExternal(ctx context.Context, externalID string) (int64, error) {
	var id int64
	err := q.q.QueryRowContext(ctx, `SELECT id FROM customers WHERE external_id = ?`, externalID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("customer %q: %w", externalID, translate(err))
	}
	return id, nil
}

// ShopCustomerByExternal loads a customer with the shop's fields.
func (q Queries) ShopCustomerByExternal(ctx context.Context, externalID string) (Customer, ShopCustomer, error) {
	var sc ShopCustomer
	c, err := scanCustomer(q.q.QueryRowContext(ctx, `SELECT `+customerColumns+`, address, marketing_subscribed FROM customers WHERE external_id = ?`,
		externalID), &sc.Address, &sc.MarketingOptIn)
	if err != nil {
		return c, sc, fmt.Errorf("customer %q: %w", externalID, translate(err))
	}
	sc.ExternalID, sc.Email, sc.Name, sc.CreatedAt = c.ExternalID, c.Email, c.Name, c.CreatedAt
	return c, sc, nil
}

// UpsertShopOrder creates or updates the order with o's external id and
// replaces its items. It answers conflict when the order would move to
// another customer while a conversation links it (R4), or when its number
// belongs to another order. Not one INSERT … ON DUPLICATE KEY: MySQL's
// would update whichever row holds the number. The locking read makes two
// simultaneous first PUTs of one id one insert and one update (MySQL:
// their gap locks deadlock and InTx runs the loser again; SQLite's write
// lock serialises them).
func (q Queries) UpsertShopOrder(ctx context.Context, o *ShopOrder, now time.Time) (int64, error) {
	var id, prevCustomer int64
	err := q.q.QueryRowContext(ctx, `SELECT id, customer_id FROM orders WHERE external_id = ?`+q.forUpdate(), o.ExternalID).Scan(&id, &prevCustomer)
	numberTaken := func(err error) error {
		if ErrorCode(translate(err)) == ECONFLICT {
			return Errorf(ECONFLICT, "order number %q belongs to another order", o.Number)
		}
		return fmt.Errorf("upsert order %q: %w", o.ExternalID, translate(err))
	}
	switch ErrorCode(translate(err)) {
	case "":
		if prevCustomer != o.CustomerID {
			n, err := q.countLinked(ctx, o.ExternalID)
			if err != nil {
				return 0, err
			}
			if n > 0 {
				return 0, Errorf(ECONFLICT, "order %q is linked to %d conversation(s) of its customer and cannot move to another customer", o.ExternalID, n)
			}
		}
		if _, err := q.q.ExecContext(ctx, `UPDATE orders SET customer_id = ?, number = ?, status = ?, total_cents = ?, currency = ?, updated_at = ?
			WHERE id = ?`, o.CustomerID, o.Number, o.Status, o.TotalCents, o.Currency, now, id); err != nil {
			return 0, numberTaken(err)
		}
	case ENOTFOUND:
		res, err := q.q.ExecContext(ctx, `INSERT INTO orders (customer_id, number, status, total_cents, currency, created_at, external_id, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, o.CustomerID, o.Number, o.Status, o.TotalCents, o.Currency, now, o.ExternalID, now)
		if err != nil {
			return 0, numberTaken(err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return 0, err
		}
	default:
		return 0, fmt.Errorf("order %q: %w", o.ExternalID, translate(err))
	}
	if _, err := q.q.ExecContext(ctx, `DELETE FROM order_items WHERE order_id = ?`, id); err != nil {
		return 0, fmt.Errorf("order %d items: %w", id, translate(err))
	}
	for _, it := range o.Items {
		if _, err := q.q.ExecContext(ctx, `INSERT INTO order_items (order_id, sku, name, quantity, price_cents) VALUES (?, ?, ?, ?, ?)`,
			id, it.SKU, it.Name, it.Quantity, it.PriceCents); err != nil {
			return 0, fmt.Errorf("insert order item: %w", translate(err))
		}
	}
	return id, nil
}

func (q Queries) countLinked(ctx context.Context, externalID string) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM conversations c JOIN orders o ON o.id = c.order_id WHERE o.external_id = ?`, externalID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("conversations of order %q: %w", externalID, translate(err))
	}
	return n, nil
}

// DeleteShopOrder deletes an order by external id; conflict while a
// conversation links it, not found when there is none.
func (q Queries) DeleteShopOrder(ctx context.Context, externalID string) error {
	var id int64
	err := q.q.QueryRowContext(ctx, `SELECT id FROM orders WHERE external_id = ?`+q.forUpdate(), externalID).Scan(&id)
	if err != nil {
		if ErrorCode(translate(err)) == ENOTFOUND {
			return Errorf(ENOTFOUND, "order %q not found", externalID)
		}
		return fmt.Errorf("order %q: %w", externalID, translate(err))
	}
	n, err := q.countLinked(ctx, externalID)
	if err != nil {
		return err
	}
	if n > 0 {
		return Errorf(ECONFLICT, "order %q is linked to %d conversation(s); it cannot be deleted", externalID, n)
	}
	if _, err := q.q.ExecContext(ctx, `DELETE FROM orders WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete order %q: %w", externalID, translate(err))
	}
	return nil
}

// ShopOrderByExternal loads an order with its items by external id.
func (q Queries) ShopOrderByExternal(ctx context.Context, externalID string) (Order, error) {
	var o Order
	err := q.q.QueryRowContext(ctx, `SELECT id, customer_id, number, status, total_cents, currency, created_at FROM orders WHERE external_id = ?`, externalID).
		Scan(&o.ID, &o.CustomerID, &o.Number, &o.Status, &o.TotalCents, &o.Currency, &o.CreatedAt)
	if err != nil {
		return o, fmt.Errorf("order %q: %w", externalID, translate(err))
	}
	o.CreatedAt = o.CreatedAt.UTC()
	o.Items, err = q.items(ctx, `SELECT id, order_id, sku, name, quantity, price_cents FROM order_items WHERE order_id = ? ORDER BY id`, o.ID)
	return o, err
}

// PutCart replaces a customer's cart lines (creating the cart once: the
// unique index on carts.customer_id keeps it one row).
func (q Queries) PutCart(ctx context.Context, customerID int64, items []OrderItem, now time.Time) error {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO carts (customer_id, updated_at) VALUES (?, ?)`+q.upsert("customer_id", "updated_at"),
		customerID, now); err != nil {
		return fmt.Errorf("upsert cart: %w", translate(err))
	}
	var cartID int64
	if err := q.q.QueryRowContext(ctx, `SELECT id FROM carts WHERE customer_id = ?`, customerID).Scan(&cartID); err != nil {
		return fmt.Errorf("cart of %d: %w", customerID, translate(err))
	}
	if _, err := q.q.ExecContext(ctx, `DELETE FROM cart_items WHERE cart_id = ?`, cartID); err != nil {
		return fmt.Errorf("empty cart: %w", translate(err))
	}
	for _, it := range items {
		if _, err := q.q.ExecContext(ctx, `INSERT INTO cart_items (cart_id, sku, name, quantity, price_cents) VALUES (?, ?, ?, ?, ?)`,
			cartID, it.SKU, it.Name, it.Quantity, it.PriceCents); err != nil {
			return fmt.Errorf("insert cart item: %w", translate(err))
		}
	}
	return nil
}

// CartItems lists a customer's cart lines (none when there is no cart).
func (q Queries) CartItems(ctx context.Context, customerID int64) ([]OrderItem, error) {
	return q.items(ctx, `SELECT ci.id, 0, ci.sku, ci.name, ci.quantity, ci.price_cents FROM cart_items ci
		JOIN carts c ON c.id = ci.cart_id WHERE c.customer_id = ? ORDER BY ci.id`, customerID)
}
