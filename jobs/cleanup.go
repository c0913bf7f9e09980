package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// DefaultSessionTTL is the back-office session lifetime the clean-up uses
// when none is set (admin.DefaultSessionTTL).
const DefaultSessionTTL = 8 * time.Hour

// Cleanup handles maintenance:cleanup: outbox rows done more than the
// relay's Keep ago, back-office sessions and unused form tokens older
// than the session lifetime, and guests idle a day without a conversation. (Completed Asynq tasks leave Redis by
// themselves: every task is enqueued with a Retention.)
type Cleanup struct {
	store      *models.Store
	svc        *inbox.Service // removes idle guests (a day without a conversation)
	relay      *Relay
	SessionTTL time.Duration
	Now        func() time.Time
}

// CleanupResult counts what a clean-up removed.
type CleanupResult struct {
	Outbox, AdminSessions int
	Guests                int64 // guest accounts that never started a conversation
}

// Run removes the expired rows, in small batches.
func (c *Cleanup) Run(ctx context.Context) (CleanupResult, error) {
	var res CleanupResult
	var errs []error
	n, err := c.relay.Cleanup(ctx)
	res.Outbox = n
	errs = append(errs, err)
	ttl := c.SessionTTL
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	before := c.Now().Add(-ttl)
	for {
		n, err := c.store.DeleteExpiredAdminSessions(ctx, before, 500)
		res.AdminSessions += n
		if err != nil {
			errs = append(errs, err)
		}
		if err != nil || n < 500 {
			break
		}
	}
	if c.svc != nil {
		n, err := c.svc.RemoveIdleGuests(ctx, inbox.GuestIdleAfter)
		res.Guests = n
		errs = append(errs, err)
	}
	return res, errors.Join(errs...)
}

// ProcessTask implements asynq.Handler.
func (c *Cleanup) ProcessTask(ctx context.Context, _ *asynq.Task) error {
	_, err := c.Run(ctx)
	return err
}
