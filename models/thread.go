package models

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// FirstMessageAt is when a conversation's oldest remaining message was
// written (R14 warns before the purge reaches it); ok is false without one.
func (q Queries) FirstMessageAt(ctx context.Context, conversationID int64) (at time.Time, ok bool, err error) {
	err = q.q.QueryRowContext(ctx, `SELECT created_at FROM messages WHERE conversation_id = ? ORDER BY id LIMIT 1`, conversationID).Scan(&at)
	if err == sql.ErrNoRows {
		return at, false, nil
	}
	if err != nil {
		return at, false, fmt.Errorf("first message of %d: %w", conversationID, translate(err))
	}
	return at.UTC(), true, nil
}

// SenderIP is the address the latest customer or guest message of a
// conversation came from ("" when none was recorded). Staff only (R13).
func (q Queries) SenderIP(ctx context.Context, conversationID int64) (string, error) {
	var ip string
	err := q.q.QueryRowContext(ctx, `SELECT ip FROM messages WHERE conversation_id = ? AND author_type IN (?, ?) AND ip <> ''
		ORDER BY id DESC LIMIT 1`, conversationID, ActorCustomer, ActorGuest).Scan(&ip)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sender address of %d: %w", conversationID, translate(err))
	}
	return ip, nil
}

// CustomerDetails are what the customer panel shows besides Customer.
type CustomerDetails struct {
	Address             string
	MarketingSubscribed bool
}

// CustomerOrders lists a customer's latest orders (without items).
func (q Queries) CustomerOrders(ctx context.Context, customerID int64, limit int) ([]Order, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, customer_id, number, status, total_cents, currency, created_at FROM orders
		WHERE customer_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("orders of %d: %w", customerID, translate(err))
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

// OrderWithItems loads an order and its lines in one statement.
func (q Queries) OrderWithItems(ctx context.Context, id int64) (Order, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT o.id, o.customer_id, o.number, o.status, o.total_cents, o.currency, o.created_at,
		i.id, i.sku, i.name, i.quantity, i.price_cents
		FROM orders o LEFT JOIN order_items i ON i.order_id = o.id WHERE o.id = ? ORDER BY i.id`, id)
	if err != nil {
		return Order{}, fmt.Errorf("order %d: %w", id, translate(err))
	}
	defer rows.Close()
	var o Order
	found := false
	for rows.Next() {
		var (
			itemID, qty, price sql.NullInt64
			sku, name          sql.NullString
		)
		if err := rows.Scan(&o.ID, &o.CustomerID, &o.Number, &o.Status, &o.TotalCents, &o.Currency, &o.CreatedAt,
			&itemID, &sku, &name, &qty, &price); err != nil {
			return Order{}, fmt.Errorf("scan order %d: %w", id, err)
		}
		found = true
		if itemID.Valid {
			o.Items = append(o.Items, OrderItem{ID: itemID.Int64, OrderID: id, SKU: sku.String, Name: name.String,
				Quantity: int(qty.Int64), PriceCents: price.Int64})
		}
	}
	if err := rows.Err(); err != nil {
		return Order{}, fmt.Errorf("order %d: %w", id, translate(err))
	}
	if !found {
		return Order{}, fmt.Errorf("order %d: %w", id, Errorf(ENOTFOUND, "not found"))
	}
	o.CreatedAt = o.CreatedAt.UTC()
	return o, nil
}

// Cart is a customer's current cart.
type Cart struct {
	UpdatedAt time.Time
	Items     []OrderItem // OrderID is the cart's id
}

func (q Queries) items(ctx context.Context, query string, id int64) ([]OrderItem, error) {
	rows, err := q.q.QueryContext(ctx, query, id)
	if err != nil {
		return nil, fmt.Errorf("items of %d: %w", id, translate(err))
	}
	defer rows.Close()
	var out []OrderItem
	for rows.Next() {
		var it OrderItem
		if err := rows.Scan(&it.ID, &it.OrderID, &it.SKU, &it.Name, &it.Quantity, &it.PriceCents); err != nil {
			return nil, fmt.Errorf("scan item: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// CustomerPanel is what the customer panel reads about a customer in one
// statement: the customer, their address and subscription, the staff's
// note and their cart (without its lines).
type CustomerPanel struct {
	Customer Customer
	Details  CustomerDetails
	Note     *CustomerNote // nil: no note
	Cart     *Cart         // nil: no cart; Items not loaded
	CartID   int64
}

// CustomerPanel loads a customer with their note and cart header
// (customer_notes and carts hold at most one row per customer).
func (q Queries) CustomerPanel(ctx context.Context, id int64) (CustomerPanel, error) {
	var (
		p             CustomerPanel
		noteBody      sql.NullString
		noteBy        sql.NullInt64
		noteAt, cartA sql.NullTime
		cartID        sql.NullInt64
	)
	c, err := scanCustomer(q.q.QueryRowContext(ctx, `SELECT c.id, COALESCE(c.email, ''), c.name, c.is_guest, COALESCE(c.external_id, ''), c.created_at,
		c.address, c.marketing_subscribed, n.body, n.updated_by, n.updated_at, k.id, k.updated_at
		FROM customers c
		LEFT JOIN customer_notes n ON n.customer_id = c.id
		LEFT JOIN carts k ON k.customer_id = c.id
		WHERE c.id = ?`, id), &p.Details.Address, &p.Details.MarketingSubscribed, &noteBody, &noteBy, &noteAt, &cartID, &cartA)
	if err != nil {
		return p, fmt.Errorf("customer %d: %w", id, translate(err))
	}
	p.Customer = c
	if noteBody.Valid {
		p.Note = &CustomerNote{CustomerID: id, Body: noteBody.String, UpdatedBy: noteBy.Int64, UpdatedAt: noteAt.Time.UTC()}
	}
	if cartID.Valid {
		p.Cart, p.CartID = &Cart{UpdatedAt: cartA.Time.UTC()}, cartID.Int64
	}
	return p, nil
}

// CartLines lists a cart's lines (OrderID is the cart's id).
func (q Queries) CartLines(ctx context.Context, cartID int64) ([]OrderItem, error) {
	return q.items(ctx, `SELECT id, cart_id, sku, name, quantity, price_cents FROM cart_items WHERE cart_id = ? ORDER BY id`, cartID)
}
