package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/policies"
)

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

// TestHarnessSmall runs the harness on a small inbox: old conversations the
// throttled purge deletes, younger ones the unthrottled second cut-off
// deletes, new ones the sends go to.
func TestHarnessSmall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		pol, err := policies.New()
		if err != nil {
			t.Fatal(err)
		}
		acc := inbox.NewAccounts(st, pol, inbox.SystemClock{}, noLimit{}, []byte("k"), time.Hour)
		c := &clock{t: time.Now().Add(-100 * 24 * time.Hour)}
		svc := inbox.New(st, pol, c, noLimit{})
		for i := range 60 {
			switch i {
			case 20:
				c.t = time.Now().Add(-50 * 24 * time.Hour) // the next 20 are younger
			case 40:
				c.t = time.Now().Add(-time.Hour) // the newest 20 are recent
			}
			cu, err := acc.CreateCustomer(ctx, fmt.Sprintf("c%d@example.com", i), "C", "")
			if err != nil {
				t.Fatal(err)
			}
			a := models.Actor{Kind: models.ActorCustomer, ID: cu.ID, Role: models.RoleCustomer, Name: cu.Email}
			conv, _, err := svc.Start(ctx, a, inbox.StartInput{Subject: "Hi", Body: "first"})
			if err != nil {
				t.Fatal(err)
			}
			for j := range 4 {
				if _, _, err := svc.Send(ctx, a, conv.ID, models.KindReply, fmt.Sprint("more ", j)); err != nil {
					t.Fatal(err)
				}
			}
		}
		cfg := config{Days: 80, Rate: 40, Idle: 500 * time.Millisecond, Batch: 25, Slot: time.Now().UTC().Truncate(time.Second),
			Targets: 20, Senders: 64, ThenDays: 30}
		r, err := measure(ctx, st, cfg, log.New(io.Discard, "", 0))
		if err != nil {
			t.Fatal(err)
		}
		if !r.Finished || r.Deleted != 20*5 || r.Conversations != 20 || r.Rate <= 0 {
			t.Errorf("report %+v", r)
		}
		if th := r.Then; th == nil || !th.Finished || th.Deleted != 20*5 || th.Conversations != 20 || th.Rate <= 0 {
			t.Errorf("unthrottled run %+v", r.Then)
		}
		if r.IdleSends == 0 || r.IdleP99 <= 0 || r.IdleErrors != 0 || r.PurgeErrors != 0 {
			t.Errorf("sends: %+v", r)
		}
		printReport(cfg, r)
	})
}
