package models

import (
	"context"
	"fmt"
	"time"
)

// Consent is a customer's acceptance of the privacy notice (R18).
type Consent struct {
	CustomerID int64
	Channel    string
	Version    string
	AcceptedAt time.Time
}

// InsertConsent records an acceptance; accepting the same version twice
// keeps the first.
func (q Queries) InsertConsent(ctx context.Context, c Consent) error {
	ok, err := q.HasConsent(ctx, c.CustomerID, c.Version)
	if err != nil || ok {
		return err
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO consents (customer_id, channel, text_version, accepted_at) VALUES (?, ?, ?, ?)`,
		c.CustomerID, c.Channel, c.Version, c.AcceptedAt)
	if err != nil && ErrorCode(translate(err)) != ECONFLICT {
		return fmt.Errorf("insert consent: %w", translate(err))
	}
	return nil
}

// HasConsent reports whether the customer accepted this version.
func (q Queries) HasConsent(ctx context.Context, customerID int64, version string) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM consents WHERE customer_id = ? AND text_version = ?`, customerID, version).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("consent of %d: %w", customerID, translate(err))
	}
	return n > 0, nil
}

// SetConversationChannel records where a conversation was started.
func (q Queries) SetConversationChannel(ctx context.Context, id int64, channel string) error {
	if _, err := q.q.ExecContext(ctx, `UPDATE conversations SET channel = ? WHERE id = ?`, channel, id); err != nil {
		return fmt.Errorf("channel of %d: %w", id, translate(err))
	}
	return nil
}

// ConversationChannel reads where a conversation was started.
func (q Queries) ConversationChannel(ctx context.Context, id int64) (string, error) {
	var ch string
	if err := q.q.QueryRowContext(ctx, `SELECT channel FROM conversations WHERE id = ?`, id).Scan(&ch); err != nil {
		return "", fmt.Errorf("channel of %d: %w", id, translate(err))
	}
	return ch, nil
}
