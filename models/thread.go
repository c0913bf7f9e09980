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

// CustomerDetails loads a customer's address and marketing subscription.
func (q Queries) CustomerDetails(ctx context.Context, id int64) (CustomerDetails, error) {
	var d CustomerDetails
	err := q.q.QueryRowContext(ctx, `SELECT address, marketing_subscribed FROM customers WHERE id = ?`, id).Scan(&d.Address, &d.MarketingSubscribed)
	if err != nil {
		return d, fmt.Errorf("customer %d: %w", id, translate(err))
	}
	return d, nil
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

// OrderItems lists an order's lines.
func (q Queries) OrderItems(ctx context.Context, orderID int64) ([]OrderItem, error) {
	return q.items(ctx, `SELECT id, order_id, sku, name, quantity, price_cents FROM order_items WHERE order_id = ? ORDER BY id`, orderID)
}

// Cart is a customer's current cart.
type Cart struct {
	UpdatedAt time.Time
	Items     []OrderItem // OrderID is the cart's id
}

// CustomerCart loads a customer's cart; ok is false when they have none.
func (q Queries) CustomerCart(ctx context.Context, customerID int64) (Cart, bool, error) {
	var c Cart
	var id int64
	err := q.q.QueryRowContext(ctx, `SELECT id, updated_at FROM carts WHERE customer_id = ?`, customerID).Scan(&id, &c.UpdatedAt)
	if err == sql.ErrNoRows {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("cart of %d: %w", customerID, translate(err))
	}
	c.UpdatedAt = c.UpdatedAt.UTC()
	c.Items, err = q.items(ctx, `SELECT id, cart_id, sku, name, quantity, price_cents FROM cart_items WHERE cart_id = ? ORDER BY id`, id)
	return c, err == nil, err
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
