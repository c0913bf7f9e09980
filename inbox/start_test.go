package inbox_test

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

func TestStartByCustomer(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu := e.MustCustomer()
		other := e.MustCustomer()
		now := models.Now(e.clock.Now())
		// CustomerID is ignored for customers: they always start their own.
		c, m, err := e.svc.Start(e.ctx, cu, inbox.StartInput{CustomerID: other.ID, Subject: "  Where is my parcel?  ", Body: "It has been a week."})
		if err != nil {
			t.Fatalf("start: %v", err)
		}
		got := e.MustConv(c.ID)
		if got.Status != models.StatusOpen || got.CustomerID != cu.ID || got.Subject != "Where is my parcel?" ||
			got.AssignedTo != nil || got.FollowUpOf != nil || got.OrderID != nil {
			t.Errorf("conversation = %+v; want OPEN, own, trimmed subject, unassigned", got)
		}
		if !got.IsReadByUser || got.IsReadByAdmin {
			t.Errorf("read flags user=%v admin=%v; want user true, admin false", got.IsReadByUser, got.IsReadByAdmin)
		}
		if got.MessageCount != 1 || got.PublicMessages != 1 || got.PublicPreview != "It has been a week." || got.LastPreview != "It has been a week." {
			t.Errorf("counters = %d/%d previews %q/%q", got.MessageCount, got.PublicMessages, got.LastPreview, got.PublicPreview)
		}
		if !got.CreatedAt.Equal(now) || !got.PublicLastAt.Equal(now) || !got.LastMessageAt.Equal(now) {
			t.Errorf("times = %v/%v/%v; want the fake clock's %v", got.CreatedAt, got.PublicLastAt, got.LastMessageAt, now)
		}
		ms := e.MustMessages(c.ID)
		if len(ms) != 1 || ms[0].ID != m.ID || ms[0].Kind != models.KindReply || !ms[0].Public ||
			ms[0].AuthorType != models.ActorCustomer || ms[0].AuthorID == nil || *ms[0].AuthorID != cu.ID {
			t.Fatalf("timeline = %+v; want one public customer reply", ms)
		}
		if n := e.count("outbox", ""); n != 1 {
			t.Errorf("outbox rows = %d; want 1 new-message notification", n)
		}
		if n := e.count("audit_log", "action = ?", "conversation.start"); n != 0 {
			t.Errorf("customer start wrote %d back-office audit entries; want 0", n)
		}
	})
}

func TestStartByStaff(t *testing.T) { // R5
	eachEnv(t, func(t *testing.T, e *env) {
		cu := e.MustCustomer()
		for _, staff := range []models.Actor{e.agent, e.chatAdmin, e.owner} {
			c, m, err := e.svc.Start(e.ctx, staff, inbox.StartInput{CustomerID: cu.ID, Subject: "Your order", Body: "We have news."})
			if err != nil {
				t.Fatalf("%s start: %v", staff.Role, err)
			}
			got := e.MustConv(c.ID)
			if got.Status != models.StatusAwaitingUser || got.CustomerID != cu.ID || got.AssignedTo != nil {
				t.Errorf("%s start = %+v; want AWAITING_USER for the customer, unassigned", staff.Role, got)
			}
			if !got.IsReadByAdmin || got.IsReadByUser {
				t.Errorf("%s start read flags admin=%v user=%v; want admin true, user false", staff.Role, got.IsReadByAdmin, got.IsReadByUser)
			}
			if !m.Public || m.AuthorType != models.ActorStaff || got.PublicMessages != 1 {
				t.Errorf("%s start message = %+v", staff.Role, m)
			}
			th, err := e.svc.Open(e.ctx, cu, c.ID)
			if err != nil || len(th.Messages) != 1 || th.Messages[0].Body != "We have news." {
				t.Errorf("customer opening staff-started %d: %+v, %v", c.ID, th.Messages, err)
			}
		}
	})
}

func TestStartOrders(t *testing.T) { // R4
	eachEnv(t, func(t *testing.T, e *env) {
		cu := e.MustCustomer()
		other := e.MustCustomer()
		own := e.MustOrder(cu.ID)
		theirs := e.MustOrder(other.ID)

		c := e.MustStart(cu, inbox.StartInput{OrderID: &own})
		if got := e.MustConv(c.ID); got.OrderID == nil || *got.OrderID != own {
			t.Errorf("order = %s; want %d", idOf(got.OrderID), own)
		}
		for _, tc := range []struct {
			name  string
			actor models.Actor
			order int64
		}{
			{"customer, another customer's order", cu, theirs},
			{"customer, unknown order", cu, 987654},
			{"staff, an order of another customer", e.agent, theirs},
		} {
			before := e.rows()
			_, _, err := e.svc.Start(e.ctx, tc.actor, inbox.StartInput{CustomerID: cu.ID, Subject: "S", Body: "B", OrderID: &tc.order})
			wantCode(t, err, models.EINVALID)
			if !strings.Contains(err.Error(), "not one of this customer's orders") {
				t.Errorf("%s: message %q does not say why", tc.name, err)
			}
			e.sameRows(before)
		}
	})
}

func TestStartRefusals(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu := e.MustCustomer()
		for _, tc := range []struct {
			name  string
			actor models.Actor
			in    inbox.StartInput
			code  models.Code
		}{
			{"unknown customer", e.agent, inbox.StartInput{CustomerID: 987654, Subject: "S", Body: "B"}, models.ENOTFOUND},
			{"empty subject", cu, inbox.StartInput{Subject: "", Body: "B"}, models.EINVALID},
			{"blank subject", cu, inbox.StartInput{Subject: " \t ", Body: "B"}, models.EINVALID},
			{"subject of 201", cu, inbox.StartInput{Subject: strings.Repeat("x", 201), Body: "B"}, models.EINVALID},
			{"empty body", cu, inbox.StartInput{Subject: "S", Body: ""}, models.EINVALID},
			{"blank body", cu, inbox.StartInput{Subject: "S", Body: "  \n "}, models.EINVALID},
			{"body of 10001", cu, inbox.StartInput{Subject: "S", Body: strings.Repeat("é", 10001)}, models.ETOOLARGE},
			{"invalid UTF-8 body", cu, inbox.StartInput{Subject: "S", Body: "bad \xff"}, models.EINVALID},
			{"staff, invalid body", e.agent, inbox.StartInput{CustomerID: cu.ID, Subject: "S", Body: ""}, models.EINVALID},
			{"actor role not matching kind", models.Actor{Kind: models.ActorCustomer, ID: cu.ID, Role: models.RoleAgent}, inbox.StartInput{Subject: "S", Body: "B"}, models.EFORBIDDEN},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := e.sub(t) // Must helpers fail this subtest, from its own goroutine
				before := e.rows()
				_, _, err := e.svc.Start(e.ctx, tc.actor, tc.in)
				wantCode(t, err, tc.code)
				e.sameRows(before)
			})
		}
		// The limits themselves are accepted, multi-byte runes included.
		c := e.MustStart(cu, inbox.StartInput{Subject: strings.Repeat("é", 200), Body: strings.Repeat("😀", 10000)})
		if ms := e.MustMessages(c.ID); len(ms) != 1 || ms[0].Body != strings.Repeat("😀", 10000) {
			t.Errorf("10,000-emoji body did not round-trip")
		}
		if got := e.MustConv(c.ID); got.Subject != strings.Repeat("é", 200) {
			t.Errorf("200-rune subject did not round-trip: %q", got.Subject)
		}
	})
}
