package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// Periodic task types (docs/design.md §5).
const (
	TypeRetentionPurge = "retention:purge"
	TypeAutoClose      = "conversations:auto_close"
	TypeDistribute     = "conversations:distribute"
	TypeCleanup        = "maintenance:cleanup"
)

// SlotPayload names the slot a periodic task runs for.
type SlotPayload struct {
	Slot time.Time `json:"slot"`
}

// Scheduler enqueues the periodic tasks, one per slot. Every worker runs
// one; each slot's task carries a TaskID made of the database's instance
// id, the task type and the slot (plus, for the purge, how many times the
// slot was claimed), so several schedulers enqueue a slot once, and the
// handlers' own claims (the purge's slot row, the conditional updates of
// auto-close and distribution) make a duplicate harmless anyway. Times
// come from Now and the store's settings (time zone, purge time), read at
// every tick, so a settings change applies at once.
type Scheduler struct {
	store  *models.Store
	client *asynq.Client
	log    *slog.Logger

	Queue           string
	Interval        time.Duration // between ticks
	AutoCloseEvery  time.Duration
	DistributeEvery time.Duration
	CleanupEvery    time.Duration
	Now             func() time.Time

	instance instanceID
}

// NewScheduler builds a scheduler with production defaults.
func NewScheduler(store *models.Store, client *asynq.Client, log *slog.Logger) *Scheduler {
	return &Scheduler{store: store, client: client, log: log, Queue: "default", Interval: 20 * time.Second,
		AutoCloseEvery: 15 * time.Minute, DistributeEvery: time.Minute, CleanupEvery: time.Hour, Now: time.Now}
}

// Run ticks until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("scheduler", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Scheduler) loadInstance(ctx context.Context) (string, error) {
	return s.instance.load(ctx, s.store)
}

// Tick enqueues the tasks whose slot has come and answers the task ids it
// enqueued (a slot already enqueued is not).
func (s *Scheduler) Tick(ctx context.Context) ([]string, error) {
	inst, err := s.loadInstance(ctx)
	if err != nil {
		return nil, err
	}
	st, err := s.store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	now := models.Now(s.Now())
	var out []string
	enqueue := func(typ string, slot time.Time, suffix string, retention, timeout time.Duration) error {
		id := fmt.Sprintf("%s:%s:%d%s", typ, inst, slot.Unix(), suffix)
		b, _ := json.Marshal(SlotPayload{Slot: slot})
		_, err := s.client.EnqueueContext(ctx, asynq.NewTask(typ, b), asynq.TaskID(id), asynq.Queue(s.Queue),
			asynq.Retention(retention), asynq.Timeout(timeout), asynq.MaxRetry(3))
		if errors.Is(err, asynq.ErrTaskIDConflict) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("enqueue %s: %w", id, err)
		}
		out = append(out, id)
		return nil
	}
	var errs []error
	if st.RetentionDays > 0 {
		slot := inbox.RetentionSlot(st, now)
		run, err := s.store.RetentionRunAt(ctx, slot)
		switch {
		case err == nil && run.FinishedAt != nil:
		case err == nil && run.LeaseUntil != nil && run.LeaseUntil.After(now):
			// running
		case err == nil || models.ErrorCode(err) == models.ENOTFOUND:
			// Not started, or its last holder died: a new id per claim.
			errs = append(errs, enqueue(TypeRetentionPurge, slot, fmt.Sprintf(":%d", run.Attempts), 48*time.Hour, 12*time.Hour))
		default:
			errs = append(errs, err)
		}
	}
	if st.AutoCloseAfterDays > 0 || st.AutoCloseUnassignedAfterDays > 0 {
		errs = append(errs, enqueue(TypeAutoClose, now.Truncate(s.AutoCloseEvery), "", 2*s.AutoCloseEvery, time.Hour))
	}
	if st.DistributionMode != models.DistributionOff {
		errs = append(errs, enqueue(TypeDistribute, now.Truncate(s.DistributeEvery), "", 2*s.DistributeEvery, 10*time.Minute))
	}
	errs = append(errs, enqueue(TypeCleanup, now.Truncate(s.CleanupEvery), "", 2*s.CleanupEvery, time.Hour))
	return out, errors.Join(errs...)
}

func slotOf(t *asynq.Task) (time.Time, error) {
	var p SlotPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.Slot.IsZero() {
		return time.Time{}, fmt.Errorf("%s payload %q: %v: %w", t.Type(), t.Payload(), err, asynq.SkipRetry)
	}
	return p.Slot, nil
}

// RetentionHandler handles retention:purge: the inbox runs or resumes the
// slot (R14); a slot another worker holds is left to it.
type RetentionHandler struct {
	svc     *inbox.Service
	log     *slog.Logger
	Options inbox.PurgeOptions
}

// ProcessTask implements asynq.Handler.
func (h *RetentionHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	slot, err := slotOf(t)
	if err != nil {
		return err
	}
	res, err := h.svc.PurgeSlot(ctx, slot, h.Options)
	if err != nil {
		return err
	}
	if res.Ran {
		h.log.Info("retention purge", "slot", res.Slot, "cutoff", res.Cutoff, "finished", res.Finished,
			"deleted_messages", res.Counts.DeletedMessages, "kept_escalated", res.Counts.KeptEscalated,
			"kept_open_order", res.Counts.KeptOpenOrder, "deleted_conversations", res.Counts.DeletedConversations)
	}
	return nil
}

// AutoCloseHandler handles conversations:auto_close (R16).
type AutoCloseHandler struct {
	svc *inbox.Service
	log *slog.Logger
}

// ProcessTask implements asynq.Handler.
func (h *AutoCloseHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	if _, err := slotOf(t); err != nil {
		return err
	}
	res, err := h.svc.AutoClose(ctx, false)
	if err == nil && res.ClosedAssigned+res.ClosedUnassigned > 0 {
		h.log.Info("auto-close", "assigned", res.ClosedAssigned, "unassigned", res.ClosedUnassigned)
	}
	return err
}

// DistributeHandler handles conversations:distribute (R17).
type DistributeHandler struct {
	svc *inbox.Service
	log *slog.Logger
}

// ProcessTask implements asynq.Handler.
func (h *DistributeHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	if _, err := slotOf(t); err != nil {
		return err
	}
	res, err := h.svc.Distribute(ctx, false)
	if err == nil && res.Assigned > 0 {
		h.log.Info("distribution", "mode", res.Mode, "assigned", res.Assigned, "waiting", res.Waiting)
	}
	return err
}

// handlePeriodic registers the periodic handlers and builds the scheduler.
func (w *Worker) handlePeriodic(svc *inbox.Service, store *models.Store, client *asynq.Client) {
	w.Scheduler = NewScheduler(store, client, w.log)
	w.Retention = &RetentionHandler{svc: svc, log: w.log}
	w.Cleanup = &Cleanup{store: store, svc: svc, relay: w.Relay, Now: time.Now}
	w.mux.Handle(TypeRetentionPurge, w.Retention)
	w.mux.Handle(TypeAutoClose, &AutoCloseHandler{svc: svc, log: w.log})
	w.mux.Handle(TypeDistribute, &DistributeHandler{svc: svc, log: w.log})
	w.mux.Handle(TypeCleanup, w.Cleanup)
}

// NewCleanup builds the clean-up for a one-off run (parley job run cleanup).
func NewCleanup(store *models.Store, svc *inbox.Service, relay *Relay, sessionTTL time.Duration) *Cleanup {
	return &Cleanup{store: store, svc: svc, relay: relay, SessionTTL: sessionTTL, Now: time.Now}
}
