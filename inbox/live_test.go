package inbox_test

import (
	"context"
	"sync"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/ratelimit"
)

// recorder is a Publisher keeping what it was given.
type recorder struct {
	mu     sync.Mutex
	events []inbox.Event
}

func (r *recorder) Publish(_ context.Context, e inbox.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return nil
}

// take returns and forgets what was published.
func (r *recorder) take() []inbox.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

// TestLiveSignals (issue 9): typing and viewing reach only who may read
// the conversation — a note being typed or a staff member viewing never a
// customer, and the customer learns "the store" is typing, not who — at
// most one per person per SignalEvery; a staff read is the customer's
// "seen"; each notification tells its one recipient, naming the
// conversation.
func TestLiveSignals(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		rdb, prefix := storetest.Redis(t)
		rec := &recorder{}
		svc := inbox.New(e.st, e.pol, e.clock, ratelimit.NewLimiter(rdb, prefix), inbox.WithPublisher(rec))
		alice, bob := e.MustCustomer(), e.MustCustomer()
		c, first, err := svc.Start(e.ctx, alice, inbox.StartInput{CustomerID: alice.ID, Subject: "Parcel <b>late</b>", Body: "Where is it?"})
		if err != nil {
			t.Fatal(err)
		}
		rec.take()
		one := func(what string) inbox.Event {
			t.Helper()
			got := rec.take()
			if len(got) != 1 {
				t.Fatalf("%s: %d events %+v; want one", what, len(got), got)
			}
			return got[0]
		}

		if ok, err := svc.ReportTyping(e.ctx, e.agent, c.ID, false); err != nil || !ok {
			t.Fatalf("agent typing a reply: %v %v", ok, err)
		}
		typing := one("typing a reply")
		if typing.Type != inbox.EventTyping || typing.ConversationID != c.ID || !svc.MaySee(alice, typing) || svc.MaySee(bob, typing) {
			t.Fatalf("reply typing %+v: alice %v, bob %v", typing, svc.MaySee(alice, typing), svc.MaySee(bob, typing))
		}
		if s := typing.Signal(false); s.Data["name"] != nil || s.Data["staff_id"] != nil || s.Data["side"] != "staff" {
			t.Fatalf("the customer's signal names the agent: %+v", s.Data)
		}
		if s := typing.Signal(true); s.Data["name"] != "agent1" {
			t.Fatalf("staff signal %+v; want the agent's name", s.Data)
		}
		if ok, err := svc.ReportTyping(e.ctx, e.agent, c.ID, false); err != nil || ok {
			t.Fatalf("a second report within SignalEvery: passed on %v (%v)", ok, err)
		}
		if got := rec.take(); len(got) != 0 {
			t.Fatalf("throttled report published %+v", got)
		}
		if ok, err := svc.ReportTyping(e.ctx, e.chatAdmin, c.ID, true); err != nil || !ok {
			t.Fatalf("typing a note: %v %v", ok, err)
		}
		if note := one("typing a note"); svc.MaySee(alice, note) || !svc.MaySee(e.agent, note) {
			t.Fatal("a note being typed must reach staff only")
		}
		if ok, err := svc.ReportTyping(e.ctx, alice, c.ID, false); err != nil || !ok {
			t.Fatalf("customer typing: %v %v", ok, err)
		}
		if ct := one("customer typing"); svc.MaySee(alice, ct) || !svc.MaySee(e.agent, ct) || ct.Signal(true).Data["side"] != "customer" {
			t.Fatalf("customer typing %+v must reach staff only", ct)
		}
		if _, err := svc.ReportTyping(e.ctx, bob, c.ID, false); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("bob typing in alice's conversation: %v; want not found", err)
		}

		if _, err := svc.ReportViewing(e.ctx, alice, c.ID, inbox.Viewing); models.ErrorCode(err) != models.EFORBIDDEN {
			t.Fatalf("a customer reporting viewing: %v; want forbidden", err)
		}
		if _, err := svc.ReportViewing(e.ctx, e.agent, c.ID, "staring"); models.ErrorCode(err) != models.EINVALID {
			t.Fatalf("an unknown state: %v; want invalid", err)
		}
		if ok, err := svc.ReportViewing(e.ctx, e.agent, c.ID, inbox.Viewing); err != nil || !ok {
			t.Fatalf("viewing: %v %v", ok, err)
		}
		view := one("viewing")
		if view.Type != inbox.EventPresence || svc.MaySee(alice, view) || !svc.MaySee(e.agent2, view) || view.Signal(true).Data["name"] != "agent1" {
			t.Fatalf("viewing %+v: staff only, with the name", view)
		}
		if ok, err := svc.ReportViewing(e.ctx, e.agent, c.ID, inbox.Viewing); err != nil || ok {
			t.Fatalf("viewing again within SignalEvery: passed on %v (%v)", ok, err)
		}
		if ok, err := svc.ReportViewing(e.ctx, e.agent, c.ID, inbox.Left); err != nil || !ok {
			t.Fatalf("leaving right after viewing is passed on: %v %v", ok, err)
		}
		if left := one("left"); left.Signal(true).Data["state"] != inbox.Left {
			t.Fatalf("left %+v", left)
		}

		// An agent taking the thread: the other agent loses it, and its
		// viewers' signals stop reaching them.
		if _, err := svc.Take(e.ctx, e.agent, c.ID); err != nil {
			t.Fatal(err)
		}
		rec.take()
		if _, err := svc.ReportViewing(e.ctx, e.agent2, c.ID, inbox.Viewing); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("agent2 viewing agent1's thread: %v; want not found", err)
		}

		if _, err := svc.Open(e.ctx, e.agent, c.ID); err != nil {
			t.Fatal(err)
		}
		seen := one("a staff read")
		if seen.Type != inbox.EventConversationUpdated || seen.Data["read_by"] != "staff" || !svc.MaySee(alice, seen) {
			t.Fatalf("staff read %+v: the customer's seen", seen)
		}
		if _, err := svc.Open(e.ctx, e.agent, c.ID); err != nil {
			t.Fatal(err)
		}
		if got := rec.take(); len(got) != 0 {
			t.Fatalf("opening a read thread again published %+v", got)
		}

		n, err := svc.NotifyNewMessage(e.ctx, first.ID)
		if err != nil || n == 0 {
			t.Fatalf("notify: %d %v", n, err)
		}
		bells := rec.take()
		if len(bells) != n {
			t.Fatalf("%d notifications, %d events", n, len(bells))
		}
		for _, b := range bells {
			if b.Type != inbox.EventNotificationCreated || b.Data["subject"] != "Parcel <b>late</b>" || b.RecipientKind != models.ActorStaff {
				t.Fatalf("notification event %+v", b)
			}
			to := models.Actor{Kind: models.ActorStaff, ID: b.RecipientID, Role: models.RoleOwner}
			other := models.Actor{Kind: models.ActorStaff, ID: b.RecipientID + 1000, Role: models.RoleOwner}
			if !svc.MaySee(to, b) || svc.MaySee(other, b) || svc.MaySee(alice, b) {
				t.Fatalf("notification for %d reaches the wrong people", b.RecipientID)
			}
		}
		if n, err := svc.NotifyNewMessage(e.ctx, first.ID); err != nil || n != 0 {
			t.Fatalf("notify again: %d %v", n, err)
		}
		if got := rec.take(); len(got) != 0 {
			t.Fatalf("a re-run that added nothing published %+v", got)
		}
	})
}

// TestCustomerPresenceEvents: a customer's presence reaches every staff
// member and no customer.
func TestCustomerPresenceEvents(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		rec := &recorder{}
		svc := inbox.New(e.st, e.pol, e.clock, nil, inbox.WithPublisher(rec))
		alice := e.MustCustomer()
		svc.CameOnline(e.ctx, alice)
		svc.CameOnline(e.ctx, e.agent) // staff presence is not published
		got := rec.take()
		if len(got) != 1 || got[0].Type != inbox.EventPresence || got[0].Data["online"] != true {
			t.Fatalf("came online: %+v", got)
		}
		if !svc.MaySee(e.agent, got[0]) || svc.MaySee(alice, got[0]) {
			t.Fatal("presence of a customer: staff only")
		}
		svc.WentOffline(e.ctx, alice) // no presence store: nobody is online
		if got := rec.take(); len(got) != 1 || got[0].Data["online"] != false {
			t.Fatalf("went offline: %+v", got)
		}
	})
}

// TestLiveLeftScope: a take, a bulk action and a delete tell everyone who
// could read the conversation before, so a list drops a thread that left
// its reader's scope.
func TestLiveLeftScope(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		rec := &recorder{}
		svc := inbox.New(e.st, e.pol, e.clock, nil, inbox.WithPublisher(rec))
		_, c := e.MustCustomerConv()
		mayAny := func(a models.Actor, events []inbox.Event) bool {
			for _, ev := range events {
				if svc.MaySee(a, ev) {
					return true
				}
			}
			return false
		}
		if _, err := svc.Take(e.ctx, e.agent, c.ID); err != nil {
			t.Fatal(err)
		}
		if got := rec.take(); !mayAny(e.agent2, got) || !mayAny(e.agent, got) {
			t.Fatalf("take: %+v; agent2 (who saw it unassigned) and agent1 must both hear", got)
		}
		// A chat admin hands it to agent2 with an update (the staff API's
		// PATCH): agent1, who held it, hears too.
		to := e.agent2.ID
		if _, err := svc.Update(e.ctx, e.chatAdmin, c.ID, inbox.Update{SetAssignee: true, AssignTo: &to}); err != nil {
			t.Fatal(err)
		}
		if got := rec.take(); !mayAny(e.agent, got) || !mayAny(e.agent2, got) {
			t.Fatalf("update's assignment: %+v; agent1 (who held it) and agent2 must both hear", got)
		}
		if _, err := svc.Bulk(e.ctx, e.chatAdmin, inbox.BulkClose, []int64{c.ID}); err != nil {
			t.Fatal(err)
		}
		if got := rec.take(); len(got) == 0 || got[0].Status != models.StatusClosed || !mayAny(e.agent2, got) || mayAny(e.agent, got) {
			t.Fatalf("bulk close: %+v", got)
		}
		if err := svc.Delete(e.ctx, e.chatAdmin, c.ID); err != nil {
			t.Fatal(err)
		}
		got := rec.take()
		if len(got) != 1 || got[0].Data["deleted"] != true || !mayAny(e.agent2, got) {
			t.Fatalf("delete: %+v", got)
		}
	})
}
