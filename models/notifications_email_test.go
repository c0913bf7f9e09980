package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/migrations"
	"github.com/parleyhq/parley/models"
)

// TestNotificationUpgradeMailsNoHistory: notifications written before
// migration 00014 get no e-mail due, so an upgrade never mails history.
func TestNotificationUpgradeMailsNoHistory(t *testing.T) {
	for _, b := range emptyBackends(t) {
		t.Run(b.name, func(t *testing.T) {
			s := b.store
			ctx := context.Background()
			upTo(t, s, 13)
			old := models.Now(time.Now().Add(-time.Minute))
			exec(t, s.DB, `INSERT INTO notifications (id, recipient_type, recipient_id, kind, created_at) VALUES (1, 'customer', 5, 'new_message', ?)`, old)
			if err := s.Migrate(ctx, migrations.FS); err != nil {
				t.Fatal(err)
			}
			n, err := s.NotificationByID(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			if n.EmailDueAt != nil || n.EmailedAt != nil || n.EmailAttempts != 0 {
				t.Errorf("an old notification after the upgrade: %+v", n)
			}
			due, err := s.DueEmails(ctx, time.Now().Add(24*time.Hour), 10)
			if err != nil || len(due) != 0 {
				t.Errorf("due e-mails after the upgrade: %+v %v", due, err)
			}
		})
	}
}
