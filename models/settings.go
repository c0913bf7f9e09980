package models

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
	_ "time/tzdata" // IANA zone names resolve on hosts without zoneinfo
)

// Setting names as stored.
const (
	SettingEnableCustomerChat = "enable_customer_chat"
	SettingMaxCustomerMonthly = "max_customer_messages_per_month"
	SettingRetentionDays      = "retention_days"
	SettingTimeZone           = "time_zone"
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
		case SettingTimeZone:
			s.TimeZone = value
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

// InstanceID returns this database's random identity, created on first
// use. Task ids derived from row ids carry it, so two databases sharing one
// Redis (a restored backup, a staging copy) never collide.
func (q Queries) InstanceID(ctx context.Context) (string, error) {
	const name = "instance_id"
	var v string
	err := q.q.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if ErrorCode(translate(err)) != ENOTFOUND {
		return "", fmt.Errorf("instance id: %w", translate(err))
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	v = hex.EncodeToString(b)
	if _, err := q.q.ExecContext(ctx, `INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?)`, name, v, Now(time.Now())); err != nil {
		if ErrorCode(translate(err)) == ECONFLICT {
			return q.InstanceID(ctx) // another process created it first
		}
		return "", fmt.Errorf("instance id: %w", translate(err))
	}
	return v, nil
}

// Location is the store's time zone (SettingTimeZone, an IANA name such as
// "Europe/Berlin"): calendar months (R10) and job times are in it. UTC when
// unset or unknown.
func (s Settings) Location() *time.Location {
	if s.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}
