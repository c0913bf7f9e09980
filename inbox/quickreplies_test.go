package inbox_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

func TestValidateQuickReply(t *testing.T) {
	for _, tc := range []struct {
		title, body string
		ok          bool
	}{
		{"Greeting", "Hello {customer.name}, order {order.number}. {agent.name} ({customer.email}) re {conversation.subject}", true},
		{"Braces in prose", "Use { and } freely, or {} empty", false},
		{"Unknown", "Hi {customer.phone}", false},
		{"Case", "Hi {Customer.Name}", false},
		{"", "body", false},
		{strings.Repeat("t", inbox.MaxQuickReplyTitleRunes+1), "body", false},
		{"Blank", "   ", false},
		{"Control", "a\x00b", false},
	} {
		_, err := inbox.ValidateQuickReply(tc.title, tc.body)
		if (err == nil) != tc.ok {
			t.Errorf("%q / %q: err %v, want ok=%v", tc.title, tc.body, err, tc.ok)
		}
		if err != nil && models.ErrorCode(err) != models.EINVALID && models.ErrorCode(err) != models.ETOOLARGE {
			t.Errorf("%q: code %s", tc.title, models.ErrorCode(err))
		}
	}
}

func TestFillQuickReply(t *testing.T) {
	got, missing := inbox.FillQuickReply("Hi {customer.name}, order {order.number} / {order.number}", map[string]string{"customer.name": "Ann {agent.name}"})
	if got != "Hi Ann {agent.name}, order {order.number} / {order.number}" || len(missing) != 1 || missing[0] != "order.number" {
		t.Errorf("filled %q, missing %v", got, missing)
	}
}

func FuzzValidateQuickReply(f *testing.F) {
	f.Add("t", "Hello {customer.name}")
	f.Add("t", "{{order.number}}")
	f.Fuzz(func(t *testing.T, title, body string) {
		clean, err := inbox.ValidateQuickReply(title, body)
		if err != nil {
			return
		}
		if !utf8.ValidString(clean) || clean == "" || models.ValidateBody(body) != nil {
			t.Fatalf("accepted %q / %q", title, body)
		}
		filled, _ := inbox.FillQuickReply(body, map[string]string{"customer.name": "x"})
		if !utf8.ValidString(filled) {
			t.Fatalf("fill broke UTF-8: %q", filled)
		}
	})
}

// Issue 6: staff see each status change once on the page (the public
// twin is for the customer), the page holds the newest messages only, and
// the sender's address is recorded for customers (R13) but not for staff.
func TestThreadViewTimelineAndSenderIP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		e := newEnv(t, st)
		cust, c := e.MustCustomerConv()
		cust.IP = "198.51.100.4"
		e.MustSend(cust, c.ID, models.KindReply, "from an address")
		e.MustChangeStatus(e.chatAdmin, c.ID, models.StatusResolved, "")
		e.MustSend(cust, c.ID, models.KindReply, "reopen it")
		p, err := e.svc.ThreadView(e.ctx, e.chatAdmin, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var events []string
		for _, m := range p.Messages {
			if m.Kind == models.KindSystem {
				events = append(events, m.Body)
			}
		}
		if len(events) != 2 || !strings.Contains(events[0], "to Resolved") || !strings.Contains(events[1], "to Awaiting") {
			t.Errorf("staff events %q, want each change once", events)
		}
		if !p.SenderIP || !p.Can.Block {
			t.Errorf("sender address not known: %+v", p.Can)
		}
		// The agent outside scope sees nothing of it; customers never use it.
		e.MustChangeStatus(e.chatAdmin, c.ID, models.StatusOpen, "")
		if _, err := e.svc.Assign(e.ctx, e.chatAdmin, c.ID, &e.agent2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ThreadView(e.ctx, e.agent, c.ID); models.ErrorCode(err) != models.ENOTFOUND {
			t.Errorf("agent1 views agent2's thread: %v", err)
		}
		if _, err := e.svc.ThreadView(e.ctx, cust, c.ID); models.ErrorCode(err) != models.ENOTFOUND {
			t.Errorf("customer views the staff page: %v", err)
		}
		if _, _, err := e.svc.Older(e.ctx, e.agent, c.ID, 1<<40); models.ErrorCode(err) != models.ENOTFOUND {
			t.Errorf("agent1 reads agent2's older history: %v", err)
		}
		b, err := e.svc.BlockSender(e.ctx, e.chatAdmin, c.ID, inbox.BlockByIP, "spam")
		if err != nil || b.IP != "198.51.100.4" {
			t.Fatalf("block by address: %+v %v", b, err)
		}
		if _, _, err := e.svc.Send(e.ctx, cust, c.ID, models.KindReply, "still here?"); err == nil {
			t.Error("a blocked address could still write")
		}
	})
}

// Issue 6: notes on customers are staff-only, bounded and audited.
func TestCustomerNoteAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		e := newEnv(t, st)
		cust := e.MustCustomer()
		if _, err := e.svc.SaveCustomerNote(e.ctx, e.agent, cust.ID, "prefers e-mail"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SaveCustomerNote(e.ctx, cust, cust.ID, "I am great"); models.ErrorCode(err) != models.EFORBIDDEN {
			t.Errorf("customer writes a staff note: %v", err)
		}
		if _, err := e.svc.SaveCustomerNote(e.ctx, e.agent, cust.ID, strings.Repeat("x", inbox.MaxCustomerNoteRunes+1)); err == nil {
			t.Error("oversized note accepted")
		}
		p, err := e.svc.CustomerProfile(e.ctx, e.agent, cust.ID)
		if err != nil || p.Note == nil || p.Note.Body != "prefers e-mail" {
			t.Fatalf("profile note: %+v %v", p.Note, err)
		}
		if got := e.audits("customer", cust.ID); len(got) != 1 || got[0].Action != "customer.note" {
			t.Errorf("audit: %+v", got)
		}
	})
}
