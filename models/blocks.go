package models

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
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

// blockMatch is R13's match of a block: the customer, their e-mail or the
// address (args: customer id, lower-cased e-mail, IP).
const blockMatch = `customer_id = ? OR (email <> '' AND email = ?) OR (ip <> '' AND ip = ?)`

// IsBlocked reports whether any block matches the customer, e-mail or IP (R13).
func (q Queries) IsBlocked(ctx context.Context, customerID int64, email, ip string) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM blocks WHERE `+blockMatch,
		customerID, strings.ToLower(email), ip).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check blocks: %w", translate(err))
	}
	return n > 0, nil
}

// SettingsAndBlocked is Settings and IsBlocked in one statement: what a
// customer's send or start checks first (R9, R10, R11, R13), one round
// trip instead of two. The settings are read as stored now, like Settings.
// (A UNION ALL: on MariaDB it cost less than the two statements it
// replaces, where a join to the block count's derived table cost more.)
func (q Queries) SettingsAndBlocked(ctx context.Context, customerID int64, email, ip string) (Settings, bool, error) {
	s := DefaultSettings()
	// Rows of kind 0 are the stored settings; the one row of kind 1 holds
	// the number of matching blocks.
	rows, err := q.prep().QueryContext(ctx, `SELECT 0, name, value FROM settings
		UNION ALL SELECT 1, '', COUNT(*) FROM blocks WHERE `+blockMatch,
		customerID, strings.ToLower(email), ip)
	if err != nil {
		return s, false, fmt.Errorf("settings and blocks: %w", translate(err))
	}
	defer rows.Close()
	counted, blocked := 0, false
	for rows.Next() {
		var kind int
		var name, value string
		if err := rows.Scan(&kind, &name, &value); err != nil {
			return s, false, fmt.Errorf("settings and blocks: %w", err)
		}
		if kind == 0 {
			s.apply(name, value)
			continue
		}
		n, err := strconv.Atoi(value)
		if err != nil {
			return s, false, fmt.Errorf("settings and blocks: block count %q", value)
		}
		counted++
		blocked = n > 0
	}
	if err := rows.Err(); err != nil {
		return s, false, fmt.Errorf("settings and blocks: %w", translate(err))
	}
	if counted != 1 {
		return s, false, fmt.Errorf("settings and blocks: %d block counts", counted)
	}
	return s, blocked, nil
}
