package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// Worker runs the Asynq server with Parley's handlers and the outbox relay.
type Worker struct {
	server *asynq.Server
	mux    *asynq.ServeMux
	relay  *Relay
	log    *slog.Logger
}

// NewWorker builds a worker on the Redis connection.
func NewWorker(redis asynq.RedisConnOpt, client *asynq.Client, store *models.Store, pol *policies.Enforcer, log *slog.Logger) *Worker {
	srv := asynq.NewServer(redis, asynq.Config{
		Concurrency:     10,
		ShutdownTimeout: 8 * time.Second,
		Logger:          asynqLogger{log},
		LogLevel:        asynq.WarnLevel,
	})
	mux := asynq.NewServeMux()
	mux.Handle(TypeNotifyNewMessage, NewNotifier(store, pol))
	return &Worker{server: srv, mux: mux, relay: NewRelay(store, client, log), log: log}
}

// Run processes tasks and relays the outbox until ctx ends, then drains.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.server.Start(w.mux); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	w.relay.Run(ctx)
	w.server.Shutdown()
	return nil
}

type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a asynqLogger) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
