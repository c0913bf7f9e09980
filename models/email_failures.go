package models

import (
	"context"
	"fmt"
	"time"
)

// CountFailedEmails counts notifications created since since whose e-mail
// was given up after its last attempt (the dashboard's failure card). It
// walks notifications_email_outcome (migration 00019).
func (q Queries) CountFailedEmails(ctx context.Context, since time.Time) (int64, error) {
	var n int64
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE email_outcome = ? AND created_at >= ?`,
		EmailFailed, Now(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("failed e-mails: %w", translate(err))
	}
	return n, nil
}

// CountRetryingEmails counts e-mails that failed at least once and are
// due again (waiting for their next attempt). It walks
// notifications_email_due: only rows with an e-mail still due are read.
func (q Queries) CountRetryingEmails(ctx context.Context) (int64, error) {
	var n int64
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE email_due_at IS NOT NULL AND email_attempts > 0`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("retrying e-mails: %w", translate(err))
	}
	return n, nil
}
