package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/jobs"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/policies"
	"github.com/parleyhq/parley/ratelimit"
)

type fixture struct {
	store  *models.Store
	svc    *inbox.Service
	pol    *policies.Enforcer
	client *asynq.Client
	insp   *asynq.Inspector
	staff  map[string]models.Actor
	alice  models.Actor
}

func newFixture(t *testing.T, s *models.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	pol, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	rdb, prefix := storetest.Redis(t)
	lim := ratelimit.NewLimiter(rdb, prefix)
	f := &fixture{store: s, pol: pol, svc: inbox.New(s, pol, inbox.SystemClock{}, lim),
		client: asynq.NewClientFromRedisClient(rdb), insp: asynq.NewInspectorFromRedisClient(rdb), staff: map[string]models.Actor{}}
	acc := inbox.NewAccounts(s, pol, inbox.SystemClock{}, lim, []byte("k"), 1e12)
	for _, u := range []struct{ name, role string }{{"agent1", "agent"}, {"agent2", "agent"}, {"chatadmin", "chat_admin"}, {"owner", "owner"}} {
		st, err := acc.CreateStaff(ctx, models.System, u.name, u.role, "", "x")
		if err != nil {
			t.Fatal(err)
		}
		f.staff[u.name] = models.Actor{Kind: models.ActorStaff, ID: st.ID, Role: st.Role, Name: st.Username}
	}
	c, err := acc.CreateCustomer(ctx, "alice@example.com", "Alice", "")
	if err != nil {
		t.Fatal(err)
	}
	f.alice = models.Actor{Kind: models.ActorCustomer, ID: c.ID, Role: models.RoleCustomer, Name: c.Email}
	return f
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func pending(t *testing.T, s *models.Store) []models.OutboxItem {
	t.Helper()
	items, err := s.PendingOutbox(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// TestRelayHandsOverOnce: a committed message's outbox row becomes one
// Asynq task, and handing it over again (a crash between enqueue and
// marking) does not make a second one.
func TestRelayHandsOverOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		if _, _, err := f.svc.Start(ctx, f.alice, inbox.StartInput{Subject: "Hi", Body: "Where is my parcel?"}); err != nil {
			t.Fatal(err)
		}
		rows := pending(t, s)
		if len(rows) != 1 || rows[0].TaskType != jobs.TypeNotifyNewMessage {
			t.Fatalf("outbox = %+v, want one notify row", rows)
		}
		relay := jobs.NewRelay(s, f.client, quiet())
		if n, err := relay.Flush(ctx); err != nil || n != 1 {
			t.Fatalf("flush: %d, %v", n, err)
		}
		info, err := f.insp.GetTaskInfo("default", relay.TaskID(rows[0].ID))
		if err != nil {
			t.Fatalf("task not in queue: %v", err)
		}
		if info.Type != jobs.TypeNotifyNewMessage || string(info.Payload) != rows[0].Payload {
			t.Fatalf("task = %s %s", info.Type, info.Payload)
		}
		if len(pending(t, s)) != 0 {
			t.Fatal("row still pending after flush")
		}
		// Simulate a crash after the enqueue but before the mark.
		if _, err := s.DB.ExecContext(ctx, `UPDATE outbox SET sent_at = NULL`); err != nil {
			t.Fatal(err)
		}
		if n, err := relay.Flush(ctx); err != nil || n != 1 {
			t.Fatalf("second flush: %d, %v", n, err)
		}
		if len(pending(t, s)) != 0 {
			t.Fatal("row still pending after the second flush")
		}
		f.insp.DeleteTask("default", relay.TaskID(rows[0].ID))
	})
}

// TestRelayWaitsForRedis: with Redis unreachable nothing is lost; the rows
// go out once it is back.
func TestRelayWaitsForRedis(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		if _, _, err := f.svc.Start(ctx, f.alice, inbox.StartInput{Subject: "Hi", Body: "Hello"}); err != nil {
			t.Fatal(err)
		}
		down := asynq.NewClient(asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: 200e6})
		defer down.Close()
		if _, err := jobs.NewRelay(s, down, quiet()).Flush(ctx); err == nil {
			t.Fatal("flush with Redis down succeeded")
		}
		rows := pending(t, s)
		if len(rows) != 1 || rows[0].Attempts != 1 {
			t.Fatalf("after a failed flush: %+v, want the row waiting with one attempt", rows)
		}
		relay := jobs.NewRelay(s, f.client, quiet())
		if n, err := relay.Flush(ctx); err != nil || n != 1 {
			t.Fatalf("flush after Redis is back: %d, %v", n, err)
		}
		f.insp.DeleteTask("default", relay.TaskID(rows[0].ID))
	})
}

func notifyTask(t *testing.T, id int64) *asynq.Task {
	t.Helper()
	task, err := jobs.NewNotifyNewMessageTask(id)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func unread(t *testing.T, s *models.Store, a models.Actor) int {
	t.Helper()
	kind := a.Kind
	n, err := s.UnreadNotifications(context.Background(), kind, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNotifier covers R19's recipients and its exactly-once effect.
func TestNotifier(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		n := jobs.NewNotifier(s, f.pol)
		c, m, err := f.svc.Start(ctx, f.alice, inbox.StartInput{Subject: "Refund", Body: "Please refund"})
		if err != nil {
			t.Fatal(err)
		}
		// Unassigned: every staff member who may see it, twice processed = once.
		for i := 0; i < 2; i++ {
			if err := n.ProcessTask(ctx, notifyTask(t, m.ID)); err != nil {
				t.Fatal(err)
			}
		}
		for name, want := range map[string]int{"agent1": 1, "agent2": 1, "chatadmin": 1, "owner": 1} {
			if got := unread(t, s, f.staff[name]); got != want {
				t.Errorf("unassigned: %s has %d notifications, want %d", name, got, want)
			}
		}
		// A staff reply notifies the customer; a note notifies nobody.
		reply, _, err := f.svc.Send(ctx, f.staff["agent1"], c.ID, models.KindReply, "On it")
		if err != nil {
			t.Fatal(err)
		}
		note, _, err := f.svc.Send(ctx, f.staff["agent1"], c.ID, models.KindNote, "internal")
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{reply.ID, reply.ID, note.ID} {
			if err := n.ProcessTask(ctx, notifyTask(t, id)); err != nil {
				t.Fatal(err)
			}
		}
		if got := unread(t, s, f.alice); got != 1 {
			t.Errorf("customer has %d notifications, want 1", got)
		}
		// Assigned: only the assignee and those who see every thread.
		if _, err := f.svc.Take(ctx, f.staff["agent1"], c.ID); err != nil {
			t.Fatal(err)
		}
		m2, _, err := f.svc.Send(ctx, f.alice, c.ID, models.KindReply, "Thanks")
		if err != nil {
			t.Fatal(err)
		}
		if err := n.ProcessTask(ctx, notifyTask(t, m2.ID)); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]int{"agent1": 2, "agent2": 1, "chatadmin": 2, "owner": 2} {
			if got := unread(t, s, f.staff[name]); got != want {
				t.Errorf("assigned: %s has %d notifications, want %d", name, got, want)
			}
		}
		// A poison payload is not retried; a deleted message is nothing to do.
		if err := n.ProcessTask(ctx, asynq.NewTask(jobs.TypeNotifyNewMessage, []byte("{"))); !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("poison payload: %v, want SkipRetry", err)
		}
		if err := n.ProcessTask(ctx, notifyTask(t, 999999)); err != nil {
			t.Errorf("missing message: %v", err)
		}
	})
}
