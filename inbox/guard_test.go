package inbox_test

import (
	"fmt"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// TestCustomerChatOff: R9.
func TestCustomerChatOff(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu, c := e.MustCustomerConv()
		e.MustSend(e.agent, c.ID, models.KindReply, "hello from staff")
		if err := e.st.PutSetting(e.ctx, models.SettingEnableCustomerChat, "false", e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		before := e.rows()
		_, _, err := e.svc.Start(e.ctx, cu, inbox.StartInput{Subject: "New", Body: "hello"})
		wantCode(t, err, models.EFORBIDDEN)
		_, _, err = e.svc.Send(e.ctx, cu, c.ID, models.KindReply, "hello?")
		wantCode(t, err, models.EFORBIDDEN)
		e.sameRows(before)

		// History stays readable, staff still reply and start.
		th, err := e.svc.Open(e.ctx, cu, c.ID)
		if err != nil || len(th.Messages) != 2 {
			t.Errorf("customer history with chat off: %d messages, %v", len(th.Messages), err)
		}
		if p, err := e.svc.List(e.ctx, cu, models.ConversationFilter{}); err != nil || len(p.Items) != 1 {
			t.Errorf("customer list with chat off: %v, %v", p.Items, err)
		}
		e.MustSend(e.agent, c.ID, models.KindReply, "staff still answer")
		e.MustStart(e.agent, inbox.StartInput{CustomerID: cu.ID})

		if err := e.st.PutSetting(e.ctx, models.SettingEnableCustomerChat, "true", e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		e.MustSend(cu, c.ID, models.KindReply, "back on")
	})
}

// TestBlocks: R13, by customer, e-mail and IP; unblock restores.
func TestBlocks(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		for _, tc := range []struct {
			name string
			in   func(cu models.Actor) inbox.BlockInput
		}{
			{"customer", func(cu models.Actor) inbox.BlockInput { return inbox.BlockInput{CustomerID: &cu.ID, Reason: "abuse"} }},
			{"e-mail", func(cu models.Actor) inbox.BlockInput {
				return inbox.BlockInput{Email: " " + upper(cu.Name) + " ", Reason: "spam"}
			}},
			{"IP", func(cu models.Actor) inbox.BlockInput { return inbox.BlockInput{IP: cu.IP} }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := e.sub(t)
				cu, c := e.MustCustomerConv()
				cu.IP = fmt.Sprintf("203.0.113.%d", e.seq.Add(1))
				bystander, bc := e.MustCustomerConv()
				b, err := e.svc.Block(e.ctx, e.agent, tc.in(cu))
				if err != nil {
					t.Fatalf("block: %v", err)
				}
				before := e.rows()
				_, _, err = e.svc.Send(e.ctx, cu, c.ID, models.KindReply, "let me in")
				wantCode(t, err, models.EFORBIDDEN)
				if msg := models.AsError(err).Message; msg != models.MsgBlocked {
					t.Errorf("send refusal %q; want the neutral %q", msg, models.MsgBlocked)
				}
				_, _, err = e.svc.Start(e.ctx, cu, inbox.StartInput{Subject: "S", Body: "B"})
				wantCode(t, err, models.EFORBIDDEN)
				if msg := models.AsError(err).Message; msg != models.MsgBlocked {
					t.Errorf("start refusal %q; want %q", msg, models.MsgBlocked)
				}
				e.sameRows(before)
				// Others are not affected, and staff still write to the blocked customer.
				e.MustSend(bystander, bc.ID, models.KindReply, "I am fine")
				e.MustSend(e.agent, c.ID, models.KindReply, "we hear you")

				if err := e.svc.Unblock(e.ctx, e.agent, b.ID); err != nil {
					t.Fatalf("unblock: %v", err)
				}
				e.MustSend(cu, c.ID, models.KindReply, "thanks for unblocking")
				err = e.svc.Unblock(e.ctx, e.agent, b.ID)
				wantCode(t, err, models.ENOTFOUND)

				for _, action := range []string{"customer.block", "customer.unblock"} {
					es := e.audits("block", b.ID)
					found := false
					for _, a := range es {
						if a.Action == action && a.ActorType == models.ActorStaff && a.ActorID == e.agent.ID && a.ActorName == e.agent.Name {
							found = true
						}
					}
					if !found {
						t.Errorf("no %s audit entry by the agent among %+v", action, es)
					}
				}
			})
		}
		cu, _ := e.MustCustomerConv()
		for _, tc := range []struct {
			name  string
			actor models.Actor
			in    inbox.BlockInput
			code  models.Code
		}{
			{"customer blocking", cu, inbox.BlockInput{Email: "x@example.com"}, models.EFORBIDDEN},
			{"nothing named", e.agent, inbox.BlockInput{Reason: "?"}, models.EINVALID},
			{"bad IP", e.agent, inbox.BlockInput{IP: "300.1.1.1"}, models.EINVALID},
			{"bad e-mail", e.agent, inbox.BlockInput{Email: "nobody"}, models.EINVALID},
			{"unknown customer", e.agent, inbox.BlockInput{CustomerID: ptr(int64(987654))}, models.ENOTFOUND},
		} {
			before := e.count("blocks", "")
			_, err := e.svc.Block(e.ctx, tc.actor, tc.in)
			if models.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v; want %s", tc.name, err, tc.code)
			}
			if n := e.count("blocks", ""); n != before {
				t.Errorf("%s: blocks %d → %d", tc.name, before, n)
			}
		}
		wantCode(t, e.svc.Unblock(e.ctx, cu, 1), models.EFORBIDDEN)
	})
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// TestCustomerRateLimit: R11, 30 messages and 5 new conversations a minute;
// over the limit nothing is stored.
func TestCustomerRateLimit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu, c := e.MustCustomerConv()
		for i := range 30 {
			if _, _, err := e.svc.Send(e.ctx, cu, c.ID, models.KindReply, fmt.Sprintf("message %d", i)); err != nil {
				t.Fatalf("message %d of 30: %v", i+1, err)
			}
		}
		before := e.rows()
		_, _, err := e.svc.Send(e.ctx, cu, c.ID, models.KindReply, "one too many")
		wantCode(t, err, models.ERATELIMITED)
		if ra := models.AsError(err).RetryAfter; ra <= 0 || ra > 60 {
			t.Errorf("RetryAfter = %d; want 1..60 s", ra)
		}
		e.sameRows(before)
		// Staff have no product cap, and another customer has their own budget.
		for range 35 {
			e.MustSend(e.agent, c.ID, models.KindNote, "staff note")
		}
		other, oc := e.MustCustomerConv()
		e.MustSend(other, oc.ID, models.KindReply, "my own budget")
		// cu is still limited: writing to other's thread is not found, as an
		// unknown id is (the scope is checked on the locked read before any
		// limit), so a refusal never tells that the thread exists.
		_, _, err = e.svc.Send(e.ctx, cu, oc.ID, models.KindReply, "peek")
		wantCode(t, err, models.ENOTFOUND)

		// New conversations: 5 a minute (the first came from MustCustomerConv).
		for i := range 4 {
			if _, _, err := e.svc.Start(e.ctx, other, inbox.StartInput{Subject: "S", Body: fmt.Sprint(i)}); err != nil {
				t.Fatalf("conversation %d of 5: %v", i+2, err)
			}
		}
		before = e.rows()
		_, _, err = e.svc.Start(e.ctx, other, inbox.StartInput{Subject: "S", Body: "sixth"})
		wantCode(t, err, models.ERATELIMITED)
		if models.AsError(err).RetryAfter <= 0 {
			t.Errorf("RetryAfter = %d", models.AsError(err).RetryAfter)
		}
		e.sameRows(before)
	})
}
