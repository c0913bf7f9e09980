package main

import (
	"context"
	"io"
	"log"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/ratelimit/redistest"
)

// TestHarnessSmall runs the harness end to end on a Redis of the test's
// own: every reply's e-mail arrives over SMTP once, with a latency.
func TestHarnessSmall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		rs := redistest.Start(t)
		cfg := config{N: 8, Senders: 2, Window: time.Millisecond, Sweep: 50 * time.Millisecond, Relay: 50 * time.Millisecond,
			Concurrency: 2, Timeout: time.Minute}
		r, err := measure(context.Background(), st, asynq.RedisClientOpt{Addr: rs.Addr}, cfg, log.New(io.Discard, "", 0))
		if err != nil {
			t.Fatal(err)
		}
		if r.Replies != 8 || r.ReplyErrors != 0 || r.Delivered != 8 || r.Rate <= 0 || r.P50 <= 0 || r.P99 < r.P50 {
			t.Errorf("report %+v", r)
		}
		printReport(cfg, r)
	})
}
