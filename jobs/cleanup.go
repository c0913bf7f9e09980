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
// than the session lifetime, guests idle a day without a conversation, and
// the search words of conversations the retention purge deleted. (Completed Asynq tasks leave Redis by
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
	// WordsSwept is how many purged conversations had their search words
	// deleted.
	WordsSwept int
}

// Sweeping the words of purged conversations (~120 rows each, ~1.5 ms of
// MariaDB CPU):
// sweepChunk conversations per transaction, then a pause of sweepPause
// times the chunk's time (it works a third of the time, so sends hardly
// notice), for at most sweepBudget per clean-up run; the next run goes on.
var (
	sweepChunk  = 100
	sweepPause  = 2.0
	sweepBudget = 10 * time.Minute
)

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
	n, err = c.sweepWords(ctx)
	res.WordsSwept = n
	errs = append(errs, err)
	return res, errors.Join(errs...)
}

// sweepWords deletes the search words of purged conversations, paced.
func (c *Cleanup) sweepWords(ctx context.Context) (int, error) {
	var total int
	start := time.Now()
	for time.Since(start) < sweepBudget {
		t := time.Now()
		n, err := c.store.SweepGoneWords(ctx, sweepChunk)
		total += n
		if err != nil || n < sweepChunk {
			return total, err
		}
		select {
		case <-ctx.Done():
			return total, ctx.Err()
		case <-time.After(time.Duration(float64(time.Since(t)) * sweepPause)):
		}
	}
	return total, nil
}

// ProcessTask implements asynq.Handler.
func (c *Cleanup) ProcessTask(ctx context.Context, _ *asynq.Task) error {
	_, err := c.Run(ctx)
	return err
}
