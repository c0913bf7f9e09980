package inbox_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/ratelimit"
)

// TestStaleReplyGuard (issue 9): a send that carries the newest message its
// page showed is refused with conflict when a newer public reply exists —
// the customer wrote again or another agent already answered — and writes
// nothing; notes do not count; no option, no check; of two agents
// answering from the same page at once, one wins.
func TestStaleReplyGuard(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		alice := e.MustCustomer()
		c, first, err := e.svc.Start(e.ctx, alice, inbox.StartInput{CustomerID: alice.ID, Subject: "Refund", Body: "Where is my refund?"})
		if err != nil {
			t.Fatal(err)
		}
		count := func() int {
			page, err := e.svc.ThreadView(e.ctx, e.chatAdmin, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(page.Messages)
		}
		send := func(a models.Actor, kind, body string, opts ...inbox.SendOption) (models.Message, error) {
			m, _, err := e.svc.Send(e.ctx, a, c.ID, kind, body, opts...)
			return m, err
		}
		conflict := func(name string, err error, who string) {
			t.Helper()
			if models.ErrorCode(err) != models.ECONFLICT || !strings.Contains(err.Error(), who) {
				t.Fatalf("%s: %v; want conflict naming %q", name, err, who)
			}
		}

		r1, err := send(e.agent, models.KindReply, "Sent yesterday.", inbox.LastSeen(first.ID))
		if err != nil {
			t.Fatalf("a send from an up-to-date page: %v", err)
		}
		before := count()
		_, err = send(e.agent2, models.KindReply, "Let me check.", inbox.LastSeen(first.ID))
		conflict("second agent's stale reply", err, "agent1")
		_, err = send(e.agent2, models.KindNote, "checking", inbox.LastSeen(first.ID))
		conflict("a stale note", err, "agent1")
		if n := count(); n != before {
			t.Fatalf("refused sends wrote %d messages", n-before)
		}
		// A note is not news to the sender's page.
		if _, err := send(e.agent, models.KindNote, "refund id 77", inbox.LastSeen(r1.ID)); err != nil {
			t.Fatal(err)
		}
		if _, err := send(e.agent2, models.KindReply, "It is on its way.", inbox.LastSeen(r1.ID)); err != nil {
			t.Fatalf("after only a note: %v", err)
		}
		// Sending anyway: no option, no check.
		if _, err := send(e.agent, models.KindReply, "Anything else?"); err != nil {
			t.Fatalf("sending anyway: %v", err)
		}
		// The customer's page is guarded too, without staff names.
		_, err = send(alice, models.KindReply, "Thanks!", inbox.LastSeen(r1.ID))
		conflict("customer's stale reply", err, "the store")
		if strings.Contains(err.Error(), "agent") {
			t.Fatalf("the customer was told a staff name: %v", err)
		}
		_, err = send(e.agent, models.KindReply, "x", inbox.LastSeen(0))
		if models.ErrorCode(err) != models.EINVALID {
			t.Fatalf("LastSeen(0): %v; want invalid", err)
		}

		// Two agents answer from the same page at once: one wins.
		page, err := e.svc.ThreadView(e.ctx, e.chatAdmin, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		newest := page.Messages[len(page.Messages)-1].ID
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, a := range []models.Actor{e.agent, e.chatAdmin} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = send(a, models.KindReply, "Same answer", inbox.LastSeen(newest))
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case models.ErrorCode(err) != models.ECONFLICT:
				t.Fatalf("racing send: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d of two racing stale-guarded replies went through (%v); want one", won, errs)
		}
	})
}

// TestStaleReplyGuardUpdate: the edit page's reply + override (Update)
// takes the same guard; a refused one leaves neither the reply nor the
// override behind; its reply is published like a send's, and a note alone
// never reaches the customer's stream.
func TestStaleReplyGuardUpdate(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		rec := &recorder{}
		rdb, prefix := storetest.Redis(t)
		svc := inbox.New(e.st, e.pol, e.clock, ratelimit.NewLimiter(rdb, prefix), inbox.WithPublisher(rec))
		alice := e.MustCustomer()
		c, first, err := svc.Start(e.ctx, alice, inbox.StartInput{CustomerID: alice.ID, Subject: "Refund", Body: "Where is my refund?"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Send(e.ctx, e.agent, c.ID, models.KindReply, "Sent yesterday."); err != nil {
			t.Fatal(err)
		}
		seen := first.ID
		_, err = svc.Update(e.ctx, e.agent2, c.ID, inbox.Update{Reply: &inbox.Draft{Body: "Let me check.", LastSeen: &seen}, Status: models.StatusEscalated, Reason: "refund"})
		if models.ErrorCode(err) != models.ECONFLICT || !strings.Contains(err.Error(), "agent1") {
			t.Fatalf("stale update: %v; want conflict naming agent1", err)
		}
		got, err := svc.Get(e.ctx, e.chatAdmin, c.ID)
		if err != nil || got.Status == models.StatusEscalated {
			t.Fatalf("a refused update changed the status: %v %v", got.Status, err)
		}
		zero := int64(0)
		if _, err := svc.Update(e.ctx, e.agent2, c.ID, inbox.Update{Reply: &inbox.Draft{Body: "x", LastSeen: &zero}}); models.ErrorCode(err) != models.EINVALID {
			t.Fatalf("last seen 0: %v; want invalid", err)
		}
		rec.take()
		if _, err := svc.Update(e.ctx, e.agent2, c.ID, inbox.Update{Reply: &inbox.Draft{Kind: models.KindNote, Body: "refund id 77"}}); err != nil {
			t.Fatal(err)
		}
		events := rec.take()
		if len(events) != 2 || events[0].Type != inbox.EventMessageCreated {
			t.Fatalf("a note by update published %+v; want its message and the conversation", events)
		}
		for _, ev := range events {
			if svc.MaySee(alice, ev) {
				t.Fatalf("the customer may see %+v of a note", ev)
			}
		}
	})
}
