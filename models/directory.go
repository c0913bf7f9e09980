package models

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The back office's plain tables (issue 6): customers, orders, blocks and
// the audit log. Each reads one page through an index — no COUNT over the
// table, no OFFSET: lists page by id (newest first, "before" the last id
// shown); customer search returns the first matches in index order.

// DirectoryPageSize is how many rows a plain table shows at once.
const DirectoryPageSize = 50

// likePrefix turns text into a LIKE prefix pattern with '!' escaping.
func likePrefix(s string) string {
	r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
	return r.Replace(s) + "%"
}

// nocase orders by a column in its case-insensitive index's order.
func (q Queries) nocase(col string) string {
	if q.d == SQLite {
		return col + " COLLATE NOCASE"
	}
	return col
}

// SearchCustomers finds customers whose name or e-mail starts with text
// (case-insensitive) or who placed the order numbered text: at most limit,
// e-mail matches first, then order, then name matches, each in index order.
func (q Queries) SearchCustomers(ctx context.Context, text string, limit int) ([]Customer, error) {
	text = strings.TrimSpace(text)
	var out []Customer
	seen := map[int64]bool{}
	add := func(query string, args ...any) error {
		if len(out) >= limit {
			return nil
		}
		rows, err := q.q.QueryContext(ctx, query, append(args, limit)...)
		if err != nil {
			return fmt.Errorf("search customers: %w", translate(err))
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCustomer(rows)
			if err != nil {
				return err
			}
			if !seen[c.ID] && len(out) < limit {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
		return rows.Err()
	}
	pat := likePrefix(text)
	if err := add(`SELECT `+customerColumns+` FROM customers WHERE email LIKE ? ESCAPE '!' ORDER BY `+q.nocase("email")+` LIMIT ?`, strings.ToLower(pat)); err != nil {
		return nil, err
	}
	if err := add(`SELECT c.id, COALESCE(c.email, ''), c.name, c.is_guest, COALESCE(c.external_id, ''), c.created_at
		FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.number = ? LIMIT ?`, text); err != nil {
		return nil, err
	}
	if err := add(`SELECT `+customerColumns+` FROM customers WHERE name LIKE ? ESCAPE '!' ORDER BY `+q.nocase("name")+` LIMIT ?`, pat); err != nil {
		return nil, err
	}
	return out, nil
}

// ListCustomers lists customers newest first, before the id given (0: from
// the newest).
func (q Queries) ListCustomers(ctx context.Context, before int64, limit int) ([]Customer, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+customerColumns+` FROM customers WHERE id < ? ORDER BY id DESC LIMIT ?`, beforeArg(before), limit)
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", translate(err))
	}
	defer rows.Close()
	var out []Customer
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func beforeArg(before int64) int64 {
	if before <= 0 {
		return 1<<63 - 1
	}
	return before
}

// OrderRow is an order as the orders table shows it, with its customer.
type OrderRow struct {
	Order
	CustomerName, CustomerEmail string
}

// ListOrders lists orders newest first before the id given, optionally only
// the one numbered number or those of one customer.
func (q Queries) ListOrders(ctx context.Context, number string, customerID, before int64, limit int) ([]OrderRow, error) {
	where, args := []string{"o.id < ?"}, []any{beforeArg(before)}
	if number != "" {
		where, args = append(where, "o.number = ?"), append(args, number)
	}
	if customerID > 0 {
		where, args = append(where, "o.customer_id = ?"), append(args, customerID)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT o.id, o.customer_id, o.number, o.status, o.total_cents, o.currency, o.created_at,
		c.name, COALESCE(c.email, '') FROM orders o JOIN customers c ON c.id = o.customer_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY o.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", translate(err))
	}
	defer rows.Close()
	var out []OrderRow
	for rows.Next() {
		var o OrderRow
		if err := rows.Scan(&o.ID, &o.CustomerID, &o.Number, &o.Status, &o.TotalCents, &o.Currency, &o.CreatedAt,
			&o.CustomerName, &o.CustomerEmail); err != nil {
			return nil, err
		}
		o.CreatedAt = o.CreatedAt.UTC()
		out = append(out, o)
	}
	return out, rows.Err()
}

// BlockRow is a block as the blocks table shows it, with the blocked
// customer (when the block names one) and who blocked.
type BlockRow struct {
	Block
	CustomerName, CustomerEmail, CreatedByName string
}

// ListBlocks lists blocks newest first before the id given.
func (q Queries) ListBlocks(ctx context.Context, before int64, limit int) ([]BlockRow, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT b.id, b.customer_id, b.email, b.ip, b.reason, b.created_by, b.created_at,
		COALESCE(c.name, ''), COALESCE(c.email, ''), COALESCE(u.username, '')
		FROM blocks b LEFT JOIN customers c ON c.id = b.customer_id LEFT JOIN goadmin_users u ON u.id = b.created_by
		WHERE b.id < ? ORDER BY b.id DESC LIMIT ?`, beforeArg(before), limit)
	if err != nil {
		return nil, fmt.Errorf("list blocks: %w", translate(err))
	}
	defer rows.Close()
	var out []BlockRow
	for rows.Next() {
		var b BlockRow
		var cust sql.NullInt64
		if err := rows.Scan(&b.ID, &cust, &b.Email, &b.IP, &b.Reason, &b.CreatedBy, &b.CreatedAt,
			&b.CustomerName, &b.CustomerEmail, &b.CreatedByName); err != nil {
			return nil, err
		}
		b.CustomerID = nullID(cust)
		b.CreatedAt = b.CreatedAt.UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}

// AuditFilter narrows the audit log; zero values match everything.
type AuditFilter struct {
	Actor       string // the actor's name as recorded (a username, "cli", "system")
	Action      string // e.g. "settings.update"
	SubjectType string // the target: "conversation", "staff", "setting", …
	SubjectID   int64  // with SubjectType
	From, To    time.Time
	Before      int64 // the page: entries with a smaller id
}

// SearchAudit lists audit entries newest first (by time, then id). Each
// filter walks its own index in that order — (actor_name, created_at),
// (action, created_at), created_at — and the page after a cursor starts
// at the cursor entry's time.
func (q Queries) SearchAudit(ctx context.Context, f AuditFilter, limit int) ([]AuditEntry, error) {
	var where []string
	var args []any
	if f.Before > 0 {
		var at time.Time
		err := q.q.QueryRowContext(ctx, `SELECT created_at FROM audit_log WHERE id = ?`, f.Before).Scan(&at)
		if err != nil && ErrorCode(translate(err)) != ENOTFOUND {
			return nil, fmt.Errorf("audit cursor: %w", translate(err))
		}
		if err != nil {
			return nil, nil // the cursor entry is gone (retention): nothing after it
		}
		where = append(where, "created_at <= ? AND (created_at < ? OR id < ?)")
		args = append(args, at, at, f.Before)
	}
	// Stored times have microseconds: round each bound up to one.
	micro := func(t time.Time) time.Time {
		tr := t.UTC().Truncate(time.Microsecond)
		if tr.Before(t) {
			tr = tr.Add(time.Microsecond)
		}
		return tr
	}
	if !f.From.IsZero() {
		where, args = append(where, "created_at >= ?"), append(args, micro(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "created_at < ?"), append(args, micro(f.To))
	}
	if f.Actor != "" {
		where, args = append(where, "actor_name = ?"), append(args, f.Actor)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.SubjectType != "" {
		where, args = append(where, "subject_type = ?"), append(args, f.SubjectType)
		if f.SubjectID > 0 {
			where, args = append(where, "subject_id = ?"), append(args, f.SubjectID)
		}
	}
	rows, err := q.q.QueryContext(ctx, `SELECT id, actor_type, actor_id, actor_name, action, subject_type, subject_id,
		before_json, after_json, created_at FROM audit_log`+whereClause(where)+` ORDER BY created_at DESC, id DESC LIMIT ?`,
		append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("search audit: %w", translate(err))
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.ActorType, &e.ActorID, &e.ActorName, &e.Action, &e.SubjectType, &e.SubjectID,
			&e.Before, &e.After, &e.CreatedAt); err != nil {
			return nil, err
		}
		e.CreatedAt = e.CreatedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// AuditActions lists the distinct actions recorded, for the filter's picker
// (a loose index scan on audit_log_action).
func (q Queries) AuditActions(ctx context.Context) ([]string, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT DISTINCT action FROM audit_log ORDER BY action LIMIT 200`)
	if err != nil {
		return nil, fmt.Errorf("audit actions: %w", translate(err))
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	slices.Sort(out)
	return out, rows.Err()
}
