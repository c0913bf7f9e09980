package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// Worker runs the Asynq server with Parley's handlers and the outbox relay.
type Worker struct {
	redis asynq.RedisConnOpt
	mux   *asynq.ServeMux
	log   *slog.Logger
	// Relay hands the outbox to Asynq; its fields (lease, queue, …) may be
	// changed before Run.
	Relay *Relay
	// Scheduler enqueues the periodic tasks (retention, auto-close,
	// distribution, clean-up) on the relay's queue.
	Scheduler *Scheduler
	// Retention, Cleanup: the periodic handlers, configurable before Run.
	Retention *RetentionHandler
	Cleanup   *Cleanup
	// Mail sends NEW_MESSAGE e-mails when set (EnableMail).
	Mail     *MailJob
	notifier *Notifier
	// Concurrency and ShutdownTimeout configure the Asynq server
	// (DefaultConcurrency, 8 s).
	Concurrency     int
	ShutdownTimeout time.Duration
}

// DefaultConcurrency is how many tasks a worker runs at once, of every
// type. NEW_MESSAGE tasks that arrive together are written as one batch
// (Notifier), and a batch can hold only the tasks in flight: with 10, a
// drain with five staff to notify ran ~1,800 messages/s at 0.70 ms of CPU
// each, with 64 3,500–4,100/s at 0.34–0.44 ms (bench/send -drain-only).
// Those tasks wait in a batch, one database connection writing for all of
// them; e-mail, bulk and periodic tasks share the same 64.
const DefaultConcurrency = 64

// NewWorker builds a worker on the Redis connection. Its handlers call the
// inbox; the worker's inbox never rate-limits (it only notifies). opts
// give that inbox its optional dependencies (the attachment files the
// purge removes, the search index hook, presence).
func NewWorker(redis asynq.RedisConnOpt, client *asynq.Client, store *models.Store, pol *policies.Enforcer, log *slog.Logger, opts ...inbox.Option) *Worker {
	relay := NewRelay(store, client, log)
	svc := inbox.New(store, pol, inbox.SystemClock{}, nil, opts...)
	mux := asynq.NewServeMux()
	mux.Use(relay.Middleware)
	notifier := NewNotifier(svc)
	notifier.log = log
	mux.Handle(TypeNotifyNewMessage, notifier)
	mux.Handle(inbox.TaskNotifyEscalation, notifier)
	mux.Handle(TypeBulkJob, NewBulkJobs(svc))
	w := &Worker{redis: redis, mux: mux, log: log, Relay: relay, notifier: notifier, Concurrency: DefaultConcurrency, ShutdownTimeout: 8 * time.Second}
	w.handlePeriodic(svc, store, client)
	return w
}

// EnableMail adds the e-mail sweep and its task handler (before Run).
// The notify handlers then use the mail job's inbox, which carries the
// e-mail options (burst window, presence, secret).
func (w *Worker) EnableMail(j *MailJob) {
	w.Mail = j
	w.notifier.svc = j.svc
	w.mux.Handle(inbox.TaskSendEmail, j)
}

// Handle adds a handler for a task type (before Run).
func (w *Worker) Handle(taskType string, h asynq.Handler) { w.mux.Handle(taskType, h) }

// Run processes tasks and relays the outbox until ctx ends, then drains.
func (w *Worker) Run(ctx context.Context) error {
	srv := asynq.NewServer(w.redis, asynq.Config{
		Concurrency:     w.Concurrency,
		Queues:          map[string]int{w.Relay.Queue: 1},
		ShutdownTimeout: w.ShutdownTimeout,
		Logger:          asynqLogger{w.log},
		LogLevel:        asynq.WarnLevel,
	})
	stopBatches := w.notifier.start()
	if err := srv.Start(w.mux); err != nil {
		stopBatches()
		return fmt.Errorf("start worker: %w", err)
	}
	w.Scheduler.Queue = w.Relay.Queue
	done := make(chan struct{})
	go func() { defer close(done); w.Scheduler.Run(ctx) }()
	if w.Mail != nil {
		go w.Mail.Run(ctx)
	}
	w.Relay.Run(ctx)
	<-done
	srv.Shutdown()
	stopBatches()
	// The tasks that finished during the shutdown: their rows are marked
	// now, or go out again when their leases end.
	mctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.Relay.MarkDone(mctx); err != nil {
		w.log.Warn("outbox tasks done, rows not marked", "err", err)
	}
	return nil
}

type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a asynqLogger) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
