package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/models"
)

// Relay moves committed outbox rows to Asynq and tracks them until their
// effect is committed.
//
// A hand-over takes a lease on the row; the row is done only when the
// task's handler has succeeded (Middleware queues it, the relay marks it). A row whose lease
// runs out first — Redis lost the task, the worker crashed mid-task — is
// handed over again under a new task id (the attempt number is part of it,
// so it never collides with the lost task's id), and handlers are
// idempotent, so the effect happens once. Each lease is twice the previous
// one (up to 64× Lease), and a run is cut off when its lease ends, so two
// runs of one row rarely overlap. A row that is still not done after MaxAttempts
// hand-overs, or whose handler refuses it for good (asynq.SkipRetry), is
// parked with its error and no longer sent; it never holds up the rows
// behind it. While Redis is unreachable rows simply wait, and those failed
// hand-overs do not count. Done rows are deleted after Keep.
type Relay struct {
	store  *models.Store
	client *asynq.Client
	log    *slog.Logger

	Interval     time.Duration // between flushes
	Batch        int           // rows read per query, and rows marked done per statement
	Lease        time.Duration // the first lease; later ones double
	MaxAttempts  int           // hand-overs before a row is parked
	Queue        string        // the Asynq queue
	Keep         time.Duration // how long done rows are kept
	CleanupEvery time.Duration // how often Run deletes old done rows
	Now          func() time.Time

	instance instanceID

	// Rows whose tasks succeeded, marked done together (done, MarkDone).
	doneMu   sync.Mutex
	doneIDs  []int64
	doneKick chan struct{}
}

// NewRelay builds a relay with production defaults.
func NewRelay(store *models.Store, client *asynq.Client, log *slog.Logger) *Relay {
	return &Relay{store: store, client: client, log: log,
		Interval: 500 * time.Millisecond, Batch: 100, Lease: time.Minute, MaxAttempts: 10,
		Queue: "default", Keep: 7 * 24 * time.Hour, CleanupEvery: time.Hour, Now: time.Now,
		doneKick: make(chan struct{}, 1)}
}

// relayedRetention is how long Redis keeps a relayed task after it
// succeeded, so that enqueueing the same hand-over again (the relay retries
// an enqueue whose answer was lost within a second) is refused as a
// duplicate. Each kept task is ~600 bytes of Redis memory (bench/send:
// 42,322 tasks, 24.8 MB): a day's retention at 100 sends/s would be ~5 GB.
const relayedRetention = 10 * time.Minute

// markEvery is how often the rows of succeeded tasks are marked done.
const markEvery = 100 * time.Millisecond

func (r *Relay) now() time.Time { return models.Now(r.Now()) }

// lease is how long the attempt-th hand-over may take before the row goes
// out again.
func (r *Relay) lease(attempt int) time.Duration {
	shift := min(max(attempt-1, 0), 6)
	return r.Lease << shift
}

// Run relays until ctx ends, and deletes old done rows every CleanupEvery.
// It marks the rows of succeeded tasks done as it goes (MarkDone marks
// what is left).
func (r *Relay) Run(ctx context.Context) {
	marking := make(chan struct{})
	go func() { defer close(marking); r.markLoop(ctx) }()
	defer func() { <-marking }()
	t := time.NewTicker(r.Interval)
	defer t.Stop()
	var cleaned time.Time
	for {
		if _, err := r.Flush(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("outbox relay", "err", err)
		}
		if now := r.now(); now.Sub(cleaned) >= r.CleanupEvery {
			if _, err := r.Cleanup(ctx); err != nil && ctx.Err() == nil {
				r.log.Warn("outbox cleanup", "err", err)
			} else {
				cleaned = now
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (r *Relay) loadInstance(ctx context.Context) (string, error) {
	return r.instance.load(ctx, r.store)
}

// Flush hands over every due row, batch by batch, parks the rows that ran
// out of attempts, and reports how many it handed over. It stops at the
// first enqueue failure (Redis down), leaving that row due.
func (r *Relay) Flush(ctx context.Context) (int, error) {
	if _, err := r.loadInstance(ctx); err != nil {
		return 0, err
	}
	sent := 0
	for {
		now := r.now()
		items, err := r.store.DueOutbox(ctx, now, r.Batch)
		if err != nil {
			return sent, err
		}
		var due []int64
		byID := map[int64]models.OutboxItem{}
		for _, it := range items {
			if it.Attempts >= r.MaxAttempts {
				reason := fmt.Sprintf("not done after %d attempts", it.Attempts)
				if it.LastError != "" {
					reason += ": " + it.LastError
				}
				if err := r.store.ParkOutbox(ctx, it.ID, reason, now); err != nil {
					return sent, err
				}
				r.log.Error("outbox row parked", "id", it.ID, "type", it.TaskType, "reason", reason)
				continue
			}
			due = append(due, it.ID)
			byID[it.ID] = it
		}
		// One transaction claims the batch; rows another relay took
		// meanwhile are left out.
		claimed, err := r.store.ClaimOutbox(ctx, due, now, func(attempt int) time.Time { return now.Add(r.lease(attempt)) })
		if err != nil {
			return sent, err
		}
		for i, id := range due {
			attempt, ok := claimed[id]
			if !ok {
				continue
			}
			it := byID[id]
			lease := r.lease(attempt)
			task := asynq.NewTask(it.TaskType, []byte(it.Payload))
			_, err = r.client.EnqueueContext(ctx, task, asynq.TaskID(r.TaskID(it.ID, attempt)), asynq.Queue(r.Queue),
				asynq.MaxRetry(0), asynq.Timeout(lease), asynq.Retention(relayedRetention))
			if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
				// Redis is unreachable: this row and the rest of the
				// batch are due again at once.
				for _, rest := range due[i:] {
					if a, ok := claimed[rest]; ok {
						if rerr := r.store.ReleaseOutbox(ctx, rest, a, "enqueue: "+err.Error()); rerr != nil {
							r.log.Warn("outbox release", "id", rest, "err", rerr)
						}
					}
				}
				return sent, fmt.Errorf("enqueue outbox %d: %w", it.ID, err)
			}
			sent++
		}
		if len(items) < r.Batch {
			return sent, nil
		}
	}
}

// Cleanup deletes the rows done more than Keep ago and reports how many.
func (r *Relay) Cleanup(ctx context.Context) (int, error) {
	const batch = 500
	cutoff := r.now().Add(-r.Keep)
	total := 0
	for {
		n, err := r.store.DeleteDoneOutbox(ctx, cutoff, batch)
		total += n
		if err != nil || n < batch {
			return total, err
		}
	}
}

// TaskID is the Asynq task id of an outbox row's attempt-th hand-over. It
// carries the database's instance id, so two databases sharing one Redis
// (a restored backup, a staging copy) never collide.
func (r *Relay) TaskID(outboxID int64, attempt int) string {
	return fmt.Sprintf("outbox:%s:%d:%d", r.instance.get(), outboxID, attempt)
}

// outboxID parses a task id of this database's outbox.
func (r *Relay) outboxID(ctx context.Context, taskID string) (int64, bool) {
	parts := strings.Split(taskID, ":")
	if len(parts) < 3 || len(parts) > 4 || parts[0] != "outbox" {
		return 0, false
	}
	inst, err := r.loadInstance(ctx)
	if err != nil || parts[1] != inst {
		return 0, false
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	return id, err == nil && id > 0
}

// Middleware closes the loop on a relayed task: when the handler succeeds
// its outbox row is done (marked with the other rows done meanwhile, at
// most markEvery later: one statement for a batch instead of a transaction
// per task); when it fails the error is recorded on the row (which goes out
// again after its lease), and a refusal for good (asynq.SkipRetry) parks
// the row at once. Marking done after the handler is safe because handlers
// are idempotent: a crash between the two sends the row again when its
// lease ends, and the second run adds nothing. Until it is marked, the row
// is leased, so no relay sends it again meanwhile.
func (r *Relay) Middleware(h asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		taskID, _ := asynq.GetTaskID(ctx)
		id, ok := r.outboxID(ctx, taskID)
		if !ok {
			return h.ProcessTask(ctx, t)
		}
		err := h.ProcessTask(ctx, t)
		switch {
		case err == nil:
			r.done(id)
		case errors.Is(err, asynq.SkipRetry):
			if perr := r.store.ParkOutbox(ctx, id, err.Error(), r.now()); perr != nil {
				r.log.Warn("outbox park", "id", id, "err", perr)
			}
			r.log.Error("outbox row parked", "id", id, "type", t.Type(), "reason", err)
		default:
			// Handed over again when its lease ends (Relay).
			r.log.Warn("outbox task failed", "id", id, "type", t.Type(), "err", err)
			if ferr := r.store.FailOutbox(ctx, id, err.Error()); ferr != nil {
				r.log.Warn("outbox fail", "id", id, "err", ferr)
			}
		}
		return err
	})
}

// done queues a row whose task succeeded for marking.
func (r *Relay) done(id int64) {
	r.doneMu.Lock()
	r.doneIDs = append(r.doneIDs, id)
	full := len(r.doneIDs) >= r.Batch
	r.doneMu.Unlock()
	if full {
		select {
		case r.doneKick <- struct{}{}:
		default:
		}
	}
}

// markLoop marks the queued rows every markEvery, or at once when a batch
// is waiting, until ctx ends.
func (r *Relay) markLoop(ctx context.Context) {
	t := time.NewTicker(markEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-r.doneKick:
		}
		if err := r.MarkDone(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("outbox tasks done, rows not marked yet", "err", err)
			// The database is failing: try again in a second, not at
			// every task.
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}
}

// MarkDone marks the rows of the tasks that succeeded since the last
// marking. Rows it could not mark stay queued for the next one; one whose
// lease ends first goes out again, and its handler adds nothing the second
// time. The worker calls it once more after the job server has stopped (a
// handler Asynq gave up waiting for at shutdown that still succeeds later
// is not marked: its row goes out again the same way).
func (r *Relay) MarkDone(ctx context.Context) error {
	r.doneMu.Lock()
	ids := r.doneIDs
	r.doneIDs = nil
	r.doneMu.Unlock()
	for len(ids) > 0 {
		n := min(len(ids), max(r.Batch, 1))
		if err := r.store.MarkOutboxDone(ctx, ids[:n], r.now()); err != nil {
			r.doneMu.Lock()
			r.doneIDs = append(ids, r.doneIDs...)
			r.doneMu.Unlock()
			return err
		}
		ids = ids[n:]
	}
	return nil
}
