package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/models"
)

// Relay moves committed outbox rows to Asynq. The task id is the outbox
// id (within this database's instance id), so a row handed over twice (a crash between enqueue and mark) is
// still one task. While Redis is down rows simply wait.
type Relay struct {
	store    *models.Store
	client   *asynq.Client
	Interval time.Duration
	Batch    int
	log      *slog.Logger
	instance string // the database's instance id, read once
}

// NewRelay builds a relay.
func NewRelay(store *models.Store, client *asynq.Client, log *slog.Logger) *Relay {
	return &Relay{store: store, client: client, Interval: 500 * time.Millisecond, Batch: 100, log: log}
}

// Run relays until ctx ends.
func (r *Relay) Run(ctx context.Context) {
	t := time.NewTicker(r.Interval)
	defer t.Stop()
	for {
		if _, err := r.Flush(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("outbox relay", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Flush hands over every pending row, batch by batch, and reports how
// many it handed over. It stops at the first enqueue failure.
func (r *Relay) Flush(ctx context.Context) (int, error) {
	sent := 0
	if r.instance == "" {
		id, err := r.store.InstanceID(ctx)
		if err != nil {
			return 0, err
		}
		r.instance = id
	}
	for {
		items, err := r.store.PendingOutbox(ctx, r.Batch)
		if err != nil {
			return sent, err
		}
		for _, it := range items {
			task := asynq.NewTask(it.TaskType, []byte(it.Payload))
			_, err := r.client.EnqueueContext(ctx, task, asynq.TaskID(r.TaskID(it.ID)),
				asynq.MaxRetry(10), asynq.Retention(24*time.Hour))
			if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
				if ferr := r.store.MarkOutboxFailed(ctx, it.ID); ferr != nil {
					r.log.Warn("outbox mark failed", "id", it.ID, "err", ferr)
				}
				return sent, fmt.Errorf("enqueue outbox %d: %w", it.ID, err)
			}
			if err := r.store.MarkOutboxSent(ctx, it.ID, models.Now(time.Now())); err != nil {
				return sent, err
			}
			sent++
		}
		if len(items) < r.Batch {
			return sent, nil
		}
	}
}

// TaskID is the Asynq task id of an outbox row.
func (r *Relay) TaskID(outboxID int64) string {
	return fmt.Sprintf("outbox:%s:%d", r.instance, outboxID)
}
