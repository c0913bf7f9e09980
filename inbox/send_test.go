package inbox_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// TestSendTransitions drives every row of docs/design.md §3's table through Send,
// end to end: the landing status, the timeline entries written (kind,
// event, public), the public counters and the read flags.
func TestSendTransitions(t *testing.T) {
	const (
		customer = "customer reply"
		staff    = "staff reply"
		note     = "staff note"
	)
	reply := "reply::true"
	statusEv := "system:status:false"
	reopened := "system:reopened:true"
	eachEnv(t, func(t *testing.T, e *env) {
		for _, tc := range []struct {
			from   models.Status
			sender string
			to     models.Status
			added  []string // timeline entries appended, in order
		}{
			{models.StatusOpen, customer, models.StatusOpen, []string{reply}},
			{models.StatusAwaitingUser, customer, models.StatusAwaitingAdmin, []string{statusEv, reply}},
			{models.StatusAwaitingAdmin, customer, models.StatusAwaitingAdmin, []string{reply}},
			{models.StatusResolved, customer, models.StatusAwaitingAdmin, []string{statusEv, reopened, reply}},
			{models.StatusEscalated, customer, models.StatusEscalated, []string{reply}},
			// customer → CLOSED lands in a follow-up: TestFollowUp.

			{models.StatusOpen, staff, models.StatusAwaitingUser, []string{statusEv, reply}},
			{models.StatusAwaitingAdmin, staff, models.StatusAwaitingUser, []string{statusEv, reply}},
			{models.StatusAwaitingUser, staff, models.StatusAwaitingUser, []string{reply}},
			{models.StatusResolved, staff, models.StatusAwaitingUser, []string{statusEv, reopened, reply}},
			{models.StatusClosed, staff, models.StatusAwaitingUser, []string{statusEv, reopened, reply}},
			{models.StatusEscalated, staff, models.StatusEscalated, []string{reply}},

			{models.StatusOpen, note, models.StatusOpen, []string{"note::false"}},
			{models.StatusAwaitingAdmin, note, models.StatusAwaitingAdmin, []string{"note::false"}},
			{models.StatusAwaitingUser, note, models.StatusAwaitingUser, []string{"note::false"}},
			{models.StatusResolved, note, models.StatusResolved, []string{"note::false"}},
			{models.StatusClosed, note, models.StatusClosed, []string{"note::false"}},
			{models.StatusEscalated, note, models.StatusEscalated, []string{"note::false"}},
		} {
			t.Run(tc.sender+"/"+string(tc.from), func(t *testing.T) {
				e := e.sub(t)
				cu, c := e.MustConvIn(tc.from)
				before := e.MustConv(c.ID)
				timeline := e.MustMessages(c.ID)
				actor, kind := e.agent, models.KindReply
				switch tc.sender {
				case customer:
					actor = cu
				case note:
					kind = models.KindNote
				}
				at := models.Now(e.clock.Now())
				m, landed := e.MustSend(actor, c.ID, kind, "the body of "+tc.sender)
				if landed.ID != c.ID {
					t.Fatalf("landed in %d; want %d", landed.ID, c.ID)
				}
				got := e.MustConv(c.ID)
				if got.Status != tc.to || landed.Status != tc.to {
					t.Errorf("status = %s (returned %s); want %s", got.Status, landed.Status, tc.to)
				}
				added := e.MustMessages(c.ID)[len(timeline):]
				if !slices.Equal(kinds(added), tc.added) {
					t.Errorf("timeline appended %v; want %v", kinds(added), tc.added)
				}
				if m.Kind != kind || m.Public != (kind == models.KindReply) || m.AuthorType != actor.Kind {
					t.Errorf("message = %+v", m)
				}
				// Counts are of messages (replies, notes), not events.
				staffAdded, publicAdded := 0, 0
				for _, m := range added {
					if m.Kind != models.KindSystem {
						staffAdded++
					}
					if m.Public && m.Kind == models.KindReply {
						publicAdded++
					}
				}
				if got.MessageCount != before.MessageCount+staffAdded || !got.LastMessageAt.Equal(at) {
					t.Errorf("staff counters = %d at %v; want %d at %v", got.MessageCount, got.LastMessageAt, before.MessageCount+staffAdded, at)
				}
				if got.PublicMessages != before.PublicMessages+publicAdded {
					t.Errorf("public messages = %d; want %d", got.PublicMessages, before.PublicMessages+publicAdded)
				}
				switch tc.sender {
				case customer:
					if !got.IsReadByUser || got.IsReadByAdmin {
						t.Errorf("read flags user=%v admin=%v; want true/false", got.IsReadByUser, got.IsReadByAdmin)
					}
				case staff:
					if got.IsReadByUser || !got.IsReadByAdmin {
						t.Errorf("read flags user=%v admin=%v; want false/true", got.IsReadByUser, got.IsReadByAdmin)
					}
				}
				if tc.sender == note {
					// A note never moves anything the customer sees (R8).
					if got.PublicPreview != before.PublicPreview || !got.PublicLastAt.Equal(before.PublicLastAt) ||
						got.PublicMessages != before.PublicMessages || got.IsReadByUser != before.IsReadByUser {
						t.Errorf("note moved public values: before %+v after %+v", before, got)
					}
					if got.LastPreview != "the body of staff note" {
						t.Errorf("staff preview = %q", got.LastPreview)
					}
				} else if got.PublicPreview != "the body of "+tc.sender || !got.PublicLastAt.Equal(at) {
					t.Errorf("public preview %q at %v; want the reply at %v", got.PublicPreview, got.PublicLastAt, at)
				}
			})
		}
	})
}

func TestSendRefusals(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu, c := e.MustCustomerConv()
		for _, tc := range []struct {
			name  string
			actor models.Actor
			kind  string
			body  string
			code  models.Code
		}{
			{"customer note", cu, models.KindNote, "psst", models.EFORBIDDEN},
			{"unknown kind", e.agent, "system", "x", models.EINVALID},
			{"blank body", e.agent, models.KindReply, " \n", models.EINVALID},
			{"too large", cu, models.KindReply, stringOf(10001), models.ETOOLARGE},
		} {
			before := e.rows()
			_, _, err := e.svc.Send(e.ctx, tc.actor, c.ID, tc.kind, tc.body)
			if models.ErrorCode(err) != tc.code {
				t.Errorf("%s: err = %v; want %s", tc.name, err, tc.code)
			}
			e.sameRows(before)
		}
		_, _, err := e.svc.Send(e.ctx, e.agent, 987654, models.KindReply, "hi")
		wantCode(t, err, models.ENOTFOUND)
	})
}

func stringOf(n int) string { return string(slices.Repeat([]rune{'ö'}, n)) }

// TestFollowUp: a customer writing to a CLOSED thread lands in its
// follow-up, the same one while it is open, a new one once it is closed.
func TestFollowUp(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu := e.MustCustomer()
		order := e.MustOrder(cu.ID)
		closed := e.MustStart(cu, inbox.StartInput{Subject: "Broken lamp", Body: "It arrived broken.", OrderID: &order})
		if _, err := e.svc.Take(e.ctx, e.agent, closed.ID); err != nil {
			t.Fatal(err)
		}
		e.MustChangeStatus(e.agent, closed.ID, models.StatusClosed, "")
		closedBefore := e.MustConv(closed.ID)
		closedTimeline := len(e.MustMessages(closed.ID))
		convs := e.count("conversations", "")

		m, f := e.MustSend(cu, closed.ID, models.KindReply, "Still broken!")
		if f.ID == closed.ID {
			t.Fatalf("message landed in the closed conversation")
		}
		got := e.MustConv(f.ID)
		if got.Status != models.StatusOpen || got.AssignedTo != nil || got.Subject != "Broken lamp" ||
			got.OrderID == nil || *got.OrderID != order || got.FollowUpOf == nil || *got.FollowUpOf != closed.ID ||
			got.CustomerID != cu.ID {
			t.Errorf("follow-up = %+v; want OPEN, unassigned, same subject and order, follow_up_of %d", got, closed.ID)
		}
		if !got.IsReadByUser || got.IsReadByAdmin {
			t.Errorf("follow-up read flags user=%v admin=%v", got.IsReadByUser, got.IsReadByAdmin)
		}
		if m.ConversationID != f.ID {
			t.Errorf("message in %d; want %d", m.ConversationID, f.ID)
		}
		if k := kinds(e.MustMessages(f.ID)); !slices.Equal(k, []string{"system:follow_up:false", "reply::true"}) {
			t.Errorf("follow-up timeline = %v", k)
		}
		if after := e.MustConv(closed.ID); after.Status != models.StatusClosed || after.MessageCount != closedBefore.MessageCount ||
			len(e.MustMessages(closed.ID)) != closedTimeline {
			t.Errorf("the closed conversation changed: %+v", after)
		}
		if n := e.count("conversations", ""); n != convs+1 {
			t.Errorf("conversations = %d; want %d", n, convs+1)
		}

		// A second message (even after a staff reply there) lands in the SAME open follow-up.
		e.MustSend(e.agent, f.ID, models.KindReply, "Sorry! Sending another.")
		_, f2 := e.MustSend(cu, closed.ID, models.KindReply, "Thanks")
		if f2.ID != f.ID || f2.Status != models.StatusAwaitingAdmin {
			t.Errorf("second message landed in %d (%s); want %d AWAITING_ADMIN", f2.ID, f2.Status, f.ID)
		}
		if n := e.count("conversations", ""); n != convs+1 {
			t.Errorf("conversations = %d after second message; want %d", n, convs+1)
		}
		if n := e.count("messages", "conversation_id = ? AND kind = ?", f.ID, models.KindReply); n != 3 {
			t.Errorf("follow-up replies = %d; want 3", n)
		}

		// Once the follow-up is closed too, the next message opens a new one.
		e.MustChangeStatus(e.chatAdmin, f.ID, models.StatusClosed, "")
		_, f3 := e.MustSend(cu, closed.ID, models.KindReply, "One more thing")
		if f3.ID == f.ID || f3.ID == closed.ID || f3.FollowUpOf == nil || *f3.FollowUpOf != closed.ID || f3.Status != models.StatusOpen {
			t.Errorf("third message landed in %+v; want a new OPEN follow-up of %d", f3, closed.ID)
		}
		if n := e.count("conversations", "follow_up_of = ?", closed.ID); n != 2 {
			t.Errorf("follow-ups of %d = %d; want 2", closed.ID, n)
		}
		// The customer lists them; no staff-only follow_up event shows.
		th, err := e.svc.Open(e.ctx, cu, f3.ID)
		if err != nil || !slices.Equal(kinds(th.Messages), []string{"reply::true"}) {
			t.Errorf("customer view of follow-up = %v, %v", kinds(th.Messages), err)
		}
	})
}

// TestReadFlags: R1.
func TestReadFlags(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu, c := e.MustCustomerConv()
		flags := func(step string, user, admin bool) {
			t.Helper()
			got := e.MustConv(c.ID)
			if got.IsReadByUser != user || got.IsReadByAdmin != admin {
				t.Errorf("%s: user=%v admin=%v; want user=%v admin=%v", step, got.IsReadByUser, got.IsReadByAdmin, user, admin)
			}
		}
		open := func(a models.Actor) inbox.Thread {
			t.Helper()
			th, err := e.svc.Open(e.ctx, a, c.ID)
			if err != nil {
				t.Fatalf("open as %s: %v", a.Name, err)
			}
			return th
		}
		flags("customer started", true, false)
		open(cu)
		flags("customer opened own", true, false)
		if th := open(e.agent); !th.Conversation.IsReadByAdmin {
			t.Errorf("Open answered the conversation as unread by admin")
		}
		flags("agent opened", true, true)
		e.MustSend(e.agent, c.ID, models.KindReply, "answer")
		flags("staff replied", false, true)
		open(e.chatAdmin)
		flags("another staff opened", false, true)
		if th := open(cu); !th.Conversation.IsReadByUser {
			t.Errorf("Open answered the conversation as unread by user")
		}
		flags("customer opened", true, true)
		e.MustSend(cu, c.ID, models.KindReply, "thanks")
		flags("customer replied", true, false)
		e.MustSend(e.agent, c.ID, models.KindNote, "note")
		flags("staff note", true, true)
		e.MustSend(e.agent, c.ID, models.KindReply, "more")
		flags("staff replied again", false, true)
		e.MustSend(e.agent, c.ID, models.KindNote, "note 2")
		flags("a note leaves the customer's flag alone", false, true)
		if _, err := e.svc.Get(e.ctx, cu, c.ID); err != nil {
			t.Fatal(err)
		}
		flags("Get does not mark read", false, true)
	})
}

// TestCustomerViewHidesStaffOnly: R8.
func TestCustomerViewHidesStaffOnly(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu, c := e.MustCustomerConv()
		e.MustSend(e.agent, c.ID, models.KindReply, "public answer")
		public := e.MustConv(c.ID)

		// Staff-only activity: take, note, escalate with a reason, override with a reason, reassign.
		if _, err := e.svc.Take(e.ctx, e.agent, c.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(1e9)
		e.MustSend(e.agent, c.ID, models.KindNote, "SECRET-NOTE customer seems angry")
		e.MustChangeStatus(e.agent, c.ID, models.StatusEscalated, "SECRET-REASON possible fraud")
		e.MustChangeStatus(e.chatAdmin, c.ID, models.StatusAwaitingAdmin, "SECRET-OVERRIDE checked")
		if _, err := e.svc.Assign(e.ctx, e.chatAdmin, c.ID, &e.agent2.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(1e9)

		got := e.MustConv(c.ID)
		if got.PublicPreview != public.PublicPreview || !got.PublicLastAt.Equal(public.PublicLastAt) ||
			got.PublicMessages != public.PublicMessages || got.IsReadByUser != public.IsReadByUser {
			t.Errorf("staff-only activity moved public values: before %+v after %+v", public, got)
		}
		if got.MessageCount <= public.MessageCount || got.LastPreview != "SECRET-NOTE customer seems angry" {
			t.Errorf("staff values did not move: %d %q", got.MessageCount, got.LastPreview)
		}

		// A resolve with a reason: the customer sees the fact, not the reason.
		e.MustChangeStatus(e.chatAdmin, c.ID, models.StatusResolved, "SECRET-RESOLVE internal")

		th, err := e.svc.Open(e.ctx, cu, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"reply::true", "reply::true", "system:status:true"}
		if !slices.Equal(kinds(th.Messages), want) {
			t.Errorf("customer sees %v; want %v", kinds(th.Messages), want)
		}
		for _, m := range th.Messages {
			if !m.Public || m.Kind == models.KindNote || (m.Kind == models.KindSystem && !slices.Contains([]string{inbox.EventStatus, inbox.EventReopened}, m.Event)) ||
				containsSecret(m.Body) {
				t.Errorf("customer sees %+v", m)
			}
		}
		countKind := func(ms []models.Message, keep func(models.Message) bool) int {
			n := 0
			for _, m := range ms {
				if keep(m) {
					n++
				}
			}
			return n
		}
		if got, n := th.Conversation, countKind(th.Messages, func(m models.Message) bool { return m.Kind == models.KindReply }); got.PublicMessages != n {
			t.Errorf("public count %d but %d public replies", got.PublicMessages, n)
		}
		// Staff see everything.
		all, err := e.svc.Open(e.ctx, e.chatAdmin, c.ID)
		if n := countKind(all.Messages, func(m models.Message) bool { return m.Kind != models.KindSystem }); err != nil || n != e.MustConv(c.ID).MessageCount {
			t.Errorf("staff see %d messages, count says %d, %v", n, e.MustConv(c.ID).MessageCount, err)
		}
		// The customer's list shows the public values.
		p, err := e.svc.List(e.ctx, cu, models.ConversationFilter{})
		if err != nil || len(p.Items) != 1 || containsSecret(p.Items[0].PublicPreview) {
			t.Errorf("customer list = %+v, %v", p.Items, err)
		}
	})
}

func containsSecret(s string) bool { return strings.Contains(s, "SECRET") }
