package models

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// InsertBlock stores a block and sets its id.
func (q Queries) InsertBlock(ctx context.Context, b *Block) error {
	res, err := q.q.ExecContext(ctx, `INSERT INTO blocks (customer_id, email, ip, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		idArg(b.CustomerID), strings.ToLower(b.Email), b.IP, b.Reason, b.CreatedBy, b.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert block: %w", translate(err))
	}
	b.ID, err = res.LastInsertId()
	return err
}

// Block loads one block.
func (q Queries) Block(ctx context.Context, id int64) (Block, error) {
	var b Block
	var cust sql.NullInt64
	err := q.q.QueryRowContext(ctx, `SELECT id, customer_id, email, ip, reason, created_by, created_at FROM blocks WHERE id = ?`, id).
		Scan(&b.ID, &cust, &b.Email, &b.IP, &b.Reason, &b.CreatedBy, &b.CreatedAt)
	if err != nil {
		return b, fmt.Errorf("block %d: %w", id, translate(err))
	}
	b.CustomerID = nullID(cust)
	return b, nil
}

// DeleteBlock removes a block; it reports whether one was there.
func (q Queries) DeleteBlock(ctx context.Context, id int64) (bool, error) {
	res, err := q.q.ExecContext(ctx, `DELETE FROM blocks WHERE id = ?`, id)
	if err != nil {
		return false, fmt.Errorf("delete block %d: %w", id, translate(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// IsBlocked reports whether any block matches the customer, e-mail or IP (R13).
func (q Queries) IsBlocked(ctx context.Context, customerID int64, email, ip string) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM blocks WHERE customer_id = ? OR (email <> '' AND email = ?) OR (ip <> '' AND ip = ?)`,
		customerID, strings.ToLower(email), ip).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check blocks: %w", translate(err))
	}
	return n > 0, nil
}
