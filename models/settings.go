package models

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Setting names as stored.
const (
	SettingEnableCustomerChat = "enable_customer_chat"
	SettingMaxCustomerMonthly = "max_customer_messages_per_month"
	SettingRetentionDays      = "retention_days"
)

// Settings loads the store-wide settings over their defaults.
func (q Queries) Settings(ctx context.Context) (Settings, error) {
	s := DefaultSettings()
	rows, err := q.q.QueryContext(ctx, `SELECT name, value FROM settings`)
	if err != nil {
		return s, fmt.Errorf("settings: %w", translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return s, err
		}
		switch name {
		case SettingEnableCustomerChat:
			s.EnableCustomerChat = value == "true"
		case SettingMaxCustomerMonthly:
			if n, err := strconv.Atoi(value); err == nil {
				s.MaxCustomerMessagesPerMonth = n
			}
		case SettingRetentionDays:
			if n, err := strconv.Atoi(value); err == nil {
				s.RetentionDays = n
			}
		}
	}
	return s, rows.Err()
}

// PutSetting stores one setting.
func (q Queries) PutSetting(ctx context.Context, name, value string, at time.Time) error {
	res, err := q.q.ExecContext(ctx, `UPDATE settings SET value = ?, updated_at = ? WHERE name = ?`, value, at, name)
	if err != nil {
		return fmt.Errorf("put setting %s: %w", name, translate(err))
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	if _, err := q.q.ExecContext(ctx, `INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?)`, name, value, at); err != nil {
		return fmt.Errorf("put setting %s: %w", name, translate(err))
	}
	return nil
}
