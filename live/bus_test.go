package live

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

// testRedis is the test's Redis (PARLEY_TEST_REDIS_URL's, else an
// in-process one) and a key prefix of its own.
func testRedis(t *testing.T) (redis.UniversalClient, string) {
	rdb, prefix := storetest.Redis(t)
	t.Cleanup(func() { rdb.Del(context.Background(), prefix+"parley:events") })
	return rdb, prefix
}

// node starts a bus reading the stream until the test ends.
func node(t *testing.T, rdb redis.UniversalClient, prefix string) *Bus {
	t.Helper()
	b := New(rdb, prefix)
	ctx, cancel := context.WithCancel(context.Background())
	wait, err := b.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); wait() })
	return b
}

func all(inbox.Event) bool { return true }

func msg(n int64) inbox.Event {
	return inbox.Event{Type: inbox.EventMessageCreated, ConversationID: 1, MessageID: n}
}

// next waits up to 5 s for a delivery.
func next(t *testing.T, s *Sub) Delivery {
	t.Helper()
	select {
	case d := <-s.C:
		return d
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return Delivery{}
}

func quiet(t *testing.T, s *Sub) {
	t.Helper()
	select {
	case d := <-s.C:
		t.Fatalf("unexpected event %+v", d)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestEventCrossesNodes(t *testing.T) {
	rdb, prefix := testRedis(t)
	a, b := node(t, rdb, prefix), New(rdb, prefix) // b only publishes, as a node whose streams are elsewhere
	ctx := context.Background()
	mine := func(e inbox.Event) bool { return e.ConversationID == 7 }
	sub, _, err := a.Subscribe(ctx, "", mine)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Unsubscribe(sub)
	if err := b.Publish(ctx, inbox.Event{Type: inbox.EventMessageCreated, ConversationID: 8, MessageID: 1}); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(ctx, inbox.Event{Type: inbox.EventMessageCreated, ConversationID: 7, MessageID: 2, CustomerID: 3, Private: true}); err != nil {
		t.Fatal(err)
	}
	d := next(t, sub)
	if d.Event.ConversationID != 7 || d.Event.MessageID != 2 || d.Event.CustomerID != 3 || !d.Event.Private {
		t.Fatalf("got %+v; want conversation 7's message 2 with its audience", d.Event)
	}
	if _, err := ParseID(d.ID); err != nil {
		t.Fatalf("delivery id %q: %v", d.ID, err)
	}
	quiet(t, sub) // conversation 8's event was filtered out
}

// A stream dropped and resumed with the last id it received misses
// nothing and repeats nothing, even while events keep coming.
func TestResumeMissesNothing(t *testing.T) {
	rdb, prefix := testRedis(t)
	bus := node(t, rdb, prefix)
	ctx := context.Background()
	const n = 300
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := int64(1); i <= n; i++ {
			if err := bus.Publish(ctx, msg(i)); err != nil {
				t.Error(err)
				return
			}
			if i%10 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	var got []int64
	last := ""
	for round := 0; len(got) < n; round++ {
		if round > 1000 {
			t.Fatalf("after %d resumes only %d of %d events", round, len(got), n)
		}
		sub, replay, err := bus.Subscribe(ctx, last, all)
		if err != nil {
			t.Fatalf("resume from %q: %v", last, err)
		}
		for _, d := range replay {
			got, last = append(got, d.Event.MessageID), d.ID
		}
		// Read a few live, then drop the stream.
		for i := 0; i < 7 && len(got) < n; i++ {
			d := next(t, sub)
			got, last = append(got, d.Event.MessageID), d.ID
		}
		bus.Unsubscribe(sub)
	}
	wg.Wait()
	for i, id := range got {
		if id != int64(i+1) {
			t.Fatalf("event %d is message %d; want %d (got %v)", i, id, i+1, got)
		}
	}
}

func TestResumeBeyondWindowResets(t *testing.T) {
	rdb, prefix := testRedis(t)
	bus := New(rdb, prefix)
	ctx := context.Background()
	if err := bus.Publish(ctx, msg(1)); err != nil {
		t.Fatal(err)
	}
	first, err := rdb.XRangeN(ctx, prefix+"parley:events", "-", "+", 1).Result()
	if err != nil || len(first) != 1 {
		t.Fatal(first, err)
	}
	old := first[0].ID
	if err := bus.Publish(ctx, msg(2)); err != nil {
		t.Fatal(err)
	}
	if _, replay, err := bus.Subscribe(ctx, old, all); err != nil || len(replay) != 1 || replay[0].Event.MessageID != 2 {
		t.Fatalf("within the window: %v, %v; want message 2", replay, err)
	}
	// A window later the next publish trims both and keeps its own.
	time.Sleep(1200 * time.Millisecond)
	bus.Now = func() time.Time { return time.Now().Add(bus.Window - 500*time.Millisecond) }
	if err := bus.Publish(ctx, msg(3)); err != nil {
		t.Fatal(err)
	}
	if n, err := rdb.XLen(ctx, prefix+"parley:events").Result(); err != nil || n != 1 {
		t.Fatalf("stream holds %d entries (%v); want message 3 alone", n, err)
	}
	if _, _, err := bus.Subscribe(ctx, old, all); !errors.Is(err, ErrReset) {
		t.Fatalf("beyond the window: %v; want ErrReset", err)
	}
	// Redis lost its data: nothing to resume from.
	rdb.Del(ctx, prefix+"parley:events")
	if _, _, err := bus.Subscribe(ctx, old, all); !errors.Is(err, ErrReset) {
		t.Fatalf("after Redis lost the stream: %v; want ErrReset", err)
	}
	if _, _, err := bus.Subscribe(ctx, "12-x", all); err == nil || errors.Is(err, ErrReset) {
		t.Fatalf("a malformed id: %v; want a parse error", err)
	}
}

func TestSlowSubscriberIsCutOff(t *testing.T) {
	rdb, prefix := testRedis(t)
	bus := node(t, rdb, prefix)
	bus.Buffer = 2
	ctx := context.Background()
	slow, _, err := bus.Subscribe(ctx, "", all)
	if err != nil {
		t.Fatal(err)
	}
	bus.Buffer = 64
	fast, _, err := bus.Subscribe(ctx, "", all)
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Unsubscribe(fast)
	for i := int64(1); i <= 5; i++ {
		if err := bus.Publish(ctx, msg(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := int64(1); i <= 5; i++ {
		if d := next(t, fast); d.Event.MessageID != i {
			t.Fatalf("fast subscriber got %d; want %d", d.Event.MessageID, i)
		}
	}
	select {
	case <-slow.Lagged():
	case <-time.After(5 * time.Second):
		t.Fatal("the slow subscriber was not cut off")
	}
}

func TestParseID(t *testing.T) {
	for _, ok := range []string{"0-0", "1733270400000-0", "1733270400000-17", "18446744073709551615-18446744073709551615"} {
		if _, err := ParseID(ok); err != nil {
			t.Errorf("ParseID(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-", "1", "1-", "-1", "01-1", "1-01", "+1-1", "1-1 ", " 1-1", "1-1-1", "1_1", "１-1", "18446744073709551616-0", "1-0x1", "$", "*"} {
		if _, err := ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) accepted it", bad)
		}
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"0-0", "1733270400000-17", "01-1", "1-", "1-1-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseID(s)
		if err != nil {
			return
		}
		// What it accepts is exactly the id it prints back.
		if back := formatID(p); back != s {
			t.Fatalf("ParseID(%q) = %v, which prints as %q", s, p, back)
		}
	})
}

// TestReplayDoesNotHoldUpTheNode: a client resuming from far back has its
// replay read and filtered while the node's reader goes on handing live
// events to everyone else; a replay longer than MaxReplay is a reset.
func TestReplayDoesNotHoldUpTheNode(t *testing.T) {
	rdb, prefix := testRedis(t)
	bus := New(rdb, prefix)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := bus.Publish(ctx, msg(1)); err != nil {
		t.Fatal(err)
	}
	first, err := rdb.XRangeN(ctx, prefix+"parley:events", "-", "+", 1).Result()
	if err != nil || len(first) != 1 {
		t.Fatal(first, err)
	}
	if err := bus.Publish(ctx, msg(2)); err != nil {
		t.Fatal(err)
	}
	wait, err := bus.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer wait()
	defer cancel()
	live, _, err := bus.Subscribe(ctx, "", all)
	if err != nil {
		t.Fatal(err)
	}
	inReplay, release := make(chan struct{}), make(chan struct{})
	slow := func(e inbox.Event) bool {
		if e.MessageID == 2 { // the replayed event: the filter takes its time
			close(inReplay)
			<-release
		}
		return true
	}
	done := make(chan []Delivery)
	go func() {
		_, replay, err := bus.Subscribe(ctx, first[0].ID, slow)
		if err != nil {
			t.Error(err)
		}
		done <- replay
	}()
	<-inReplay
	if err := bus.Publish(ctx, msg(99)); err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-live.C:
		if d.Event.MessageID != 99 {
			t.Fatalf("live subscriber got %+v", d.Event)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("a replay in progress held up live delivery for 3 s")
	}
	close(release)
	if replay := <-done; len(replay) != 1 || replay[0].Event.MessageID != 2 {
		t.Fatalf("replay %+v; want message 2", replay)
	}

	for i := 0; i < MaxReplay+1; i++ {
		if err := bus.Publish(ctx, msg(int64(1000+i))); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(200 * time.Millisecond) // the reader catches up
	if _, _, err := bus.Subscribe(ctx, first[0].ID, all); !errors.Is(err, ErrReset) {
		t.Fatalf("a resume %d entries back: %v; want ErrReset", MaxReplay+2, err)
	}
}

// TestCustomerIndex: a customer's subscription is offered only the events
// of its customer's conversations and notifications; staff's every event.
func TestCustomerIndex(t *testing.T) {
	rdb, prefix := testRedis(t)
	bus := New(rdb, prefix)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wait, err := bus.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer wait()
	defer cancel()
	alice, _, _ := bus.Subscribe(ctx, "", all, ForCustomer(10))
	staff, _, _ := bus.Subscribe(ctx, "", all)
	events := []inbox.Event{
		{Type: inbox.EventMessageCreated, ConversationID: 1, MessageID: 1, CustomerID: 10},
		{Type: inbox.EventMessageCreated, ConversationID: 2, MessageID: 2, CustomerID: 11},
		{Type: inbox.EventNotificationCreated, ConversationID: 3, MessageID: 3, CustomerID: 12, RecipientKind: models.ActorGuest, RecipientID: 10},
		{Type: inbox.EventNotificationCreated, ConversationID: 4, MessageID: 4, CustomerID: 10, RecipientKind: models.ActorStaff, RecipientID: 7},
		{Type: inbox.EventPresence, MessageID: 5, CustomerID: 11, Private: true},
	}
	for _, e := range events {
		if err := bus.Publish(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got := func(s *Sub, n int) []int64 {
		var ids []int64
		for len(ids) < n {
			select {
			case d := <-s.C:
				ids = append(ids, d.Event.MessageID)
			case <-time.After(3 * time.Second):
				t.Fatalf("got %v; want %d events", ids, n)
			}
		}
		select {
		case d := <-s.C:
			t.Fatalf("after %v also %d", ids, d.Event.MessageID)
		case <-time.After(200 * time.Millisecond):
		}
		return ids
	}
	if ids := got(alice, 3); !slices.Equal(ids, []int64{1, 3, 4}) {
		t.Fatalf("customer 10 was offered %v; want 1, 3, 4", ids)
	}
	if ids := got(staff, 5); len(ids) != 5 {
		t.Fatalf("staff was offered %v", ids)
	}
}
