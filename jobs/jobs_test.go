package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/jobs"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/policies"
	"github.com/parleyhq/parley/ratelimit"
	"github.com/parleyhq/parley/ratelimit/redistest"
)

type fixture struct {
	store  *models.Store
	svc    *inbox.Service
	pol    *policies.Enforcer
	client *asynq.Client
	insp   *asynq.Inspector
	queue  string // a queue of this test's own on the shared Redis
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
		client: asynq.NewClientFromRedisClient(rdb), insp: asynq.NewInspectorFromRedisClient(rdb),
		queue: strings.ReplaceAll(strings.TrimSuffix(prefix, ":"), ":", "-"), staff: map[string]models.Actor{}}
	t.Cleanup(func() { f.insp.DeleteQueue(f.queue, true) })
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

// relay builds a relay on the fixture's own queue with a fake clock.
func (f *fixture) relay(now *time.Time) *jobs.Relay {
	r := jobs.NewRelay(f.store, f.client, quiet())
	r.Queue = f.queue
	r.Now = func() time.Time { return *now }
	return r
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

func outboxRow(t *testing.T, s *models.Store, id int64) models.OutboxItem {
	t.Helper()
	it, err := s.Outbox(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// TestRelayHandsOverUntilDone: handing a row to Asynq does not finish it.
// Until a handler marks it done it goes out again each time its lease runs
// out, under a new task id (the lost task's id would be refused or, worse,
// still be taken), and not before.
func TestRelayHandsOverUntilDone(t *testing.T) {
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
		id := rows[0].ID
		now := time.Now()
		relay := f.relay(&now)
		if n, err := relay.Flush(ctx); err != nil || n != 1 {
			t.Fatalf("flush: %d, %v", n, err)
		}
		info, err := f.insp.GetTaskInfo(f.queue, relay.TaskID(id, 1))
		if err != nil {
			t.Fatalf("task not in queue: %v", err)
		}
		if info.Type != jobs.TypeNotifyNewMessage || string(info.Payload) != rows[0].Payload {
			t.Fatalf("task = %s %s", info.Type, info.Payload)
		}
		if it := outboxRow(t, s, id); it.DoneAt != nil || it.Attempts != 1 {
			t.Fatalf("after the hand-over: %+v, want attempt 1 and not done", it)
		}
		// Within the lease nothing goes out again.
		now = now.Add(relay.Lease - time.Second)
		if n, err := relay.Flush(ctx); err != nil || n != 0 {
			t.Fatalf("flush within the lease: %d, %v", n, err)
		}
		// After it, the row goes out again under a new id.
		now = now.Add(2 * time.Second)
		if n, err := relay.Flush(ctx); err != nil || n != 1 {
			t.Fatalf("flush after the lease: %d, %v", n, err)
		}
		if relay.TaskID(id, 1) == relay.TaskID(id, 2) {
			t.Fatal("attempts share a task id")
		}
		if _, err := f.insp.GetTaskInfo(f.queue, relay.TaskID(id, 2)); err != nil {
			t.Fatalf("second hand-over not in queue: %v", err)
		}
		// The second lease is twice as long.
		now = now.Add(relay.Lease + time.Second)
		if n, err := relay.Flush(ctx); err != nil || n != 0 {
			t.Fatalf("flush within the doubled lease: %d, %v", n, err)
		}
	})
}

// TestRelayWaitsForRedis: with Redis unreachable nothing is lost and no
// attempt is spent, however many flushes fail; the rows go out once it is
// back.
func TestRelayWaitsForRedis(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		if _, _, err := f.svc.Start(ctx, f.alice, inbox.StartInput{Subject: "Hi", Body: "Hello"}); err != nil {
			t.Fatal(err)
		}
		down := asynq.NewClient(asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: 200e6})
		defer down.Close()
		downRelay := jobs.NewRelay(s, down, quiet())
		downRelay.MaxAttempts = 2
		for i := 0; i < 4; i++ {
			if _, err := downRelay.Flush(ctx); err == nil {
				t.Fatal("flush with Redis down succeeded")
			}
		}
		rows := pending(t, s)
		if len(rows) != 1 || rows[0].Attempts != 0 || rows[0].ClaimedUntil != nil || !strings.Contains(rows[0].LastError, "enqueue") {
			t.Fatalf("after failed flushes: %+v, want the row due, no attempt spent, the error kept", rows)
		}
		now := time.Now()
		if n, err := f.relay(&now).Flush(ctx); err != nil || n != 1 {
			t.Fatalf("flush after Redis is back: %d, %v", n, err)
		}
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
	n, err := s.UnreadNotifications(context.Background(), a.Kind, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNotifier covers R19's recipients, decided by inbox, through the
// handler, and its exactly-once effect.
func TestNotifier(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		n := jobs.NewNotifier(f.svc)
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

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// privateWorker is a worker on a redis-server of the test's own, which the
// test may stop and start empty (never the shared Redis).
func (f *fixture) privateWorker(t *testing.T) (*redistest.Server, *jobs.Worker) {
	t.Helper()
	rs := redistest.Start(t)
	opt := asynq.RedisClientOpt{Addr: rs.Addr}
	client := asynq.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	return rs, jobs.NewWorker(opt, client, f.store, f.pol, quiet())
}

// TestOutboxSurvivesRedisLoss is the fault test of the outbox: a message's
// notification task is handed to Redis, Redis restarts empty before any
// worker ran it, and the notification still arrives — exactly once.
func TestOutboxSurvivesRedisLoss(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		rs, w := f.privateWorker(t)
		w.Relay.Lease, w.Relay.Interval, w.ShutdownTimeout = time.Second, 50*time.Millisecond, time.Second

		_, m, err := f.svc.Start(ctx, f.alice, inbox.StartInput{Subject: "Refund", Body: "Please refund"})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := w.Relay.Flush(ctx); err != nil || n != 1 {
			t.Fatalf("flush: %d, %v", n, err)
		}
		id := pending(t, s)[0].ID
		insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: rs.Addr})
		defer insp.Close()
		if _, err := insp.GetTaskInfo("default", w.Relay.TaskID(id, 1)); err != nil {
			t.Fatalf("task not queued: %v", err)
		}
		rs.Stop() // Redis loses the queued task before any worker runs it.
		rs.Start()
		if _, err := insp.GetTaskInfo("default", w.Relay.TaskID(id, 1)); err == nil {
			t.Fatal("the task survived the restart; the test proves nothing")
		}

		wctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- w.Run(wctx) }()
		waitFor(t, "the outbox row to be done", func() bool {
			it, err := s.Outbox(ctx, id)
			return err == nil && it.DoneAt != nil
		})
		// Let a few more leases pass: nothing goes out again.
		time.Sleep(2500 * time.Millisecond)
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if it := outboxRow(t, s, id); it.Attempts < 2 || it.DoneAt == nil || it.ParkedAt != nil {
			t.Errorf("outbox row = %+v, want done after a second attempt", it)
		}
		for name, a := range f.staff {
			if got := unread(t, s, a); got != 1 {
				t.Errorf("%s has %d notifications of message %d, want exactly 1", name, got, m.ID)
			}
		}
	})
}

// TestOutboxParksFailingRows: a row whose handler keeps failing is parked
// with its error after MaxAttempts; one refused for good (a poison payload)
// is parked at once; neither holds up the row behind it.
func TestOutboxParksFailingRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		_, w := f.privateWorker(t)
		w.Relay.Lease, w.Relay.Interval, w.Relay.MaxAttempts, w.ShutdownTimeout = 200*time.Millisecond, 50*time.Millisecond, 3, time.Second
		const typeFlaky = "test:flaky"
		runs := make(chan struct{}, 100)
		w.Handle(typeFlaky, asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
			runs <- struct{}{}
			return errors.New("smtp: connection refused")
		}))

		now := models.Now(time.Now())
		if err := s.InsertOutbox(ctx, typeFlaky, `{}`, now); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertOutbox(ctx, jobs.TypeNotifyNewMessage, `{"message_id":0}`, now); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Start(ctx, f.alice, inbox.StartInput{Subject: "Hi", Body: "Hello"}); err != nil {
			t.Fatal(err)
		}
		rows := pending(t, s)
		if len(rows) != 3 {
			t.Fatalf("outbox = %+v", rows)
		}
		flaky, poison, good := rows[0].ID, rows[1].ID, rows[2].ID

		wctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- w.Run(wctx) }()
		defer func() { stop(); <-done }()
		waitFor(t, "the good row to be done", func() bool { return outboxRow(t, s, good).DoneAt != nil })
		if got := unread(t, s, f.staff["agent1"]); got != 1 {
			t.Errorf("agent1 has %d notifications, want 1", got)
		}
		waitFor(t, "the poison row to be parked", func() bool { return outboxRow(t, s, poison).ParkedAt != nil })
		// Parked by its handler's refusal, not for running out of attempts
		// (a slow worker start may let its first lease run out, though).
		if it := outboxRow(t, s, poison); !strings.HasPrefix(it.LastError, "notify payload") {
			t.Errorf("poison row = %+v, want parked at its handler's refusal, with its error", it)
		}
		waitFor(t, "the flaky row to be parked", func() bool { return outboxRow(t, s, flaky).ParkedAt != nil })
		it := outboxRow(t, s, flaky)
		if it.Attempts != 3 || it.DoneAt != nil || !strings.Contains(it.LastError, "connection refused") {
			t.Errorf("flaky row = %+v, want parked after 3 attempts with its error", it)
		}
		parked, err := s.ParkedOutbox(ctx, 10)
		if err != nil || len(parked) != 2 {
			t.Errorf("parked rows = %+v, %v", parked, err)
		}
		// Parked means no longer sent.
		time.Sleep(time.Second)
		if n := len(runs); n != 3 {
			t.Errorf("the flaky handler ran %d times, want 3", n)
		}
	})
}

// TestOutboxCleanup: the relay's loop deletes rows done more than a week
// ago, and nothing else.
func TestOutboxCleanup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		now := models.Now(time.Now())
		var ids []int64
		for i := 0; i < 4; i++ {
			if err := s.InsertOutbox(ctx, "test:x", `{}`, now.Add(-10*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		for _, it := range pending(t, s) {
			ids = append(ids, it.ID)
		}
		old, recent, parked, open := ids[0], ids[1], ids[2], ids[3]
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.MarkOutboxDone(ctx, []int64{old}, now.Add(-8*24*time.Hour)))
		must(s.MarkOutboxDone(ctx, []int64{recent}, now.Add(-6*24*time.Hour)))
		must(s.ParkOutbox(ctx, parked, "gave up", now.Add(-30*24*time.Hour)))

		relay := f.relay(&now)
		relay.Interval = 20 * time.Millisecond
		relay.Queue = f.queue
		rctx, stop := context.WithCancel(ctx)
		finished := make(chan struct{})
		go func() { relay.Run(rctx); close(finished) }()
		waitFor(t, "the old done row to go", func() bool {
			_, err := s.Outbox(ctx, old)
			return models.ErrorCode(err) == models.ENOTFOUND
		})
		stop()
		<-finished
		for _, id := range []int64{recent, parked, open} {
			if _, err := s.Outbox(ctx, id); err != nil {
				t.Errorf("row %d: %v", id, err)
			}
		}
	})
}

// TestOutboxCrashMidTask: a worker committed a notification's effect and
// died before marking its row done; the row goes out again after its lease
// and the original task is run too, and each recipient still has exactly
// one notification.
func TestOutboxCrashMidTask(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		_, w := f.privateWorker(t)
		w.Relay.Lease, w.Relay.Interval, w.ShutdownTimeout = 300*time.Millisecond, 50*time.Millisecond, time.Second

		_, m, err := f.svc.Start(ctx, f.alice, inbox.StartInput{Subject: "Refund", Body: "Please refund"})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := w.Relay.Flush(ctx); err != nil || n != 1 {
			t.Fatalf("flush: %d, %v", n, err)
		}
		id := pending(t, s)[0].ID
		// The crashed run: its effect is committed, its row is not done.
		if err := jobs.NewNotifier(f.svc).ProcessTask(ctx, notifyTask(t, m.ID)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(400 * time.Millisecond) // the lease runs out
		wctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- w.Run(wctx) }()
		waitFor(t, "the outbox row to be done", func() bool { return outboxRow(t, s, id).DoneAt != nil })
		time.Sleep(500 * time.Millisecond)
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		for name, a := range f.staff {
			if got := unread(t, s, a); got != 1 {
				t.Errorf("%s has %d notifications, want exactly 1", name, got)
			}
		}
	})
}

// TestRelayMarksFinishedTasksOnShutdown: rows of succeeded tasks are marked
// done together a moment later; a worker stopped in that moment marks them
// before it returns, so no finished task goes out again after a restart.
func TestRelayMarksFinishedTasksOnShutdown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		_, w := f.privateWorker(t)
		w.Relay.Interval, w.ShutdownTimeout = 20*time.Millisecond, time.Second

		if _, _, err := f.svc.Start(ctx, f.alice, inbox.StartInput{Subject: "Refund", Body: "Please refund"}); err != nil {
			t.Fatal(err)
		}
		id := pending(t, s)[0].ID
		wctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- w.Run(wctx) }()
		// Stop as soon as the task's effect is committed: usually before
		// the relay's next marking.
		deadline := time.Now().Add(20 * time.Second)
		for unread(t, s, f.staff["owner"]) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the task never ran")
			}
			time.Sleep(2 * time.Millisecond)
		}
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if it := outboxRow(t, s, id); it.DoneAt == nil || it.Attempts != 1 {
			t.Errorf("outbox row after the worker stopped = %+v, want done after one attempt", it)
		}
	})
}

// TestNotifierBatches: NEW_MESSAGE tasks written together give each
// recipient exactly what one task at a time gives — a customer message to
// an unassigned thread every staff member, to an assigned one the assignee
// and those who see every thread, a staff reply the customer, a note and a
// message that does not exist nobody — and writing the batch again adds
// nothing. A batch that fails is written again one message at a time by
// the loop; a loop that is stopping leaves its messages to their tasks; and
// tasks handed to the running loop concurrently are each notified once,
// whether its batches fail or not.
func TestNotifierBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		n := jobs.NewNotifier(f.svc)
		c1, m1, err := f.svc.Start(ctx, f.alice, inbox.StartInput{Subject: "Refund", Body: "Please refund"})
		if err != nil {
			t.Fatal(err)
		}
		c2, _, err := f.svc.Start(ctx, f.alice, inbox.StartInput{Subject: "Size", Body: "Which size?"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Take(ctx, f.staff["agent2"], c2.ID); err != nil {
			t.Fatal(err)
		}
		m2, _, err := f.svc.Send(ctx, f.alice, c2.ID, models.KindReply, "Still there?")
		if err != nil {
			t.Fatal(err)
		}
		reply, _, err := f.svc.Send(ctx, f.staff["agent1"], c1.ID, models.KindReply, "On it")
		if err != nil {
			t.Fatal(err)
		}
		note, _, err := f.svc.Send(ctx, f.staff["agent1"], c1.ID, models.KindNote, "internal")
		if err != nil {
			t.Fatal(err)
		}
		ids := []int64{note.ID, m2.ID, m1.ID, reply.ID, 999999, m1.ID}
		want := map[string]int{"agent1": 1, "agent2": 2, "chatadmin": 2, "owner": 2}
		check := func(when string, want map[string]int, customer int) {
			t.Helper()
			for name, w := range want {
				if got := unread(t, s, f.staff[name]); got != w {
					t.Errorf("%s: %s has %d notifications, want %d", when, name, got, w)
				}
			}
			if got := unread(t, s, f.alice); got != customer {
				t.Errorf("%s: customer has %d notifications, want %d", when, got, customer)
			}
		}
		for round := 0; round < 2; round++ {
			alone, errs := n.WriteBatch(ctx, ids)
			for i := range ids {
				if alone[i] || errs[i] != nil {
					t.Fatalf("round %d: message %d: alone %v, err %v", round, ids[i], alone[i], errs[i])
				}
			}
			check(fmt.Sprintf("round %d", round), want, 1)
		}
		// A failed batch: the same messages one at a time, nothing twice.
		n.FailBatches(errors.New("batch refused"))
		alone, errs := n.WriteBatch(ctx, ids)
		for i := range ids {
			if alone[i] || errs[i] != nil {
				t.Errorf("failed batch: message %d: alone %v, err %v", ids[i], alone[i], errs[i])
			}
		}
		check("after a failed batch", want, 1)
		n.FailBatches(nil)
		// A loop that is stopping writes nothing more: the tasks do.
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		alone, _ = n.WriteBatch(cancelled, []int64{m1.ID, m2.ID})
		for i, a := range alone {
			if !a {
				t.Errorf("stopping loop: message %d not left to its task", []int64{m1.ID, m2.ID}[i])
			}
		}

		// Through the loop, concurrently, as the worker's handlers do: with
		// every batch failing, then as usual.
		stop := n.StartBatches()
		for _, fail := range []error{errors.New("batch refused"), nil} {
			n.FailBatches(fail)
			var tasks []*asynq.Task
			for i := 0; i < 10; i++ {
				m, _, err := f.svc.Send(ctx, f.alice, c2.ID, models.KindReply, fmt.Sprintf("Hello %d?", i))
				if err != nil {
					t.Fatal(err)
				}
				tasks = append(tasks, notifyTask(t, m.ID), notifyTask(t, m.ID))
			}
			errs := make(chan error, len(tasks))
			for _, task := range tasks {
				go func() { errs <- n.ProcessTask(ctx, task) }()
			}
			for range tasks {
				if err := <-errs; err != nil {
					t.Errorf("batches failing %v: %v", fail != nil, err)
				}
			}
		}
		// c2 is agent2's: the assignee and those who see every thread.
		check("after the loop", map[string]int{"agent1": 1, "agent2": 22, "chatadmin": 22, "owner": 22}, 1)
		// A stopped loop takes nothing: the task writes its message.
		stop()
		m3, _, err := f.svc.Send(ctx, f.alice, c2.ID, models.KindReply, "Hello again")
		if err != nil {
			t.Fatal(err)
		}
		if err := n.ProcessTask(ctx, notifyTask(t, m3.ID)); err != nil {
			t.Fatal(err)
		}
		check("after the loop stopped", map[string]int{"agent1": 1, "agent2": 23, "chatadmin": 23, "owner": 23}, 1)
	})
}
