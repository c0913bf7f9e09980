package inbox_test

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/models"
)

// TestEscalation: R21 and the ESCALATED row of the override rule.
func TestEscalation(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu, c := e.MustCustomerConv()
		if _, err := e.svc.Take(e.ctx, e.agent, c.ID); err != nil {
			t.Fatal(err)
		}
		for _, reason := range []string{"", "   \t"} {
			before := e.rows()
			_, err := e.svc.ChangeStatus(e.ctx, e.agent, c.ID, models.StatusEscalated, reason)
			wantCode(t, err, models.EINVALID)
			e.sameRows(before)
		}
		_, err := e.svc.ChangeStatus(e.ctx, e.agent, c.ID, models.StatusEscalated, strings.Repeat("r", 501))
		wantCode(t, err, models.EINVALID)

		got := e.MustChangeStatus(e.agent, c.ID, models.StatusEscalated, "  refund of order 12  ")
		if got.Status != models.StatusEscalated {
			t.Fatalf("status = %s", got.Status)
		}
		ms := e.MustMessages(c.ID)
		last := ms[len(ms)-1]
		if last.Event != "status" || last.Public || !strings.HasSuffix(last.Body, ": refund of order 12") {
			t.Errorf("escalation event = %+v; want a staff-only status event with the trimmed reason", last)
		}

		// Sticky: messages either way do not move it.
		e.MustSend(cu, c.ID, models.KindReply, "any news?")
		e.MustSend(e.agent, c.ID, models.KindReply, "working on it")
		if s := e.MustConv(c.ID).Status; s != models.StatusEscalated {
			t.Fatalf("after messages status = %s; want ESCALATED", s)
		}

		// The agent may not move it on, to any status.
		for _, to := range []models.Status{models.StatusOpen, models.StatusAwaitingAdmin, models.StatusAwaitingUser, models.StatusResolved, models.StatusClosed} {
			before := e.rows()
			_, err := e.svc.ChangeStatus(e.ctx, e.agent, c.ID, to, "done")
			wantCode(t, err, models.EFORBIDDEN)
			e.sameRows(before)
		}
		// Nor escalate it twice.
		_, err = e.svc.ChangeStatus(e.ctx, e.agent, c.ID, models.StatusEscalated, "again")
		wantCode(t, err, models.EINVALID)

		// chat_admin and up may.
		e.MustChangeStatus(e.chatAdmin, c.ID, models.StatusAwaitingUser, "refunded")
		e.MustChangeStatus(e.agent, c.ID, models.StatusEscalated, "second refund")
		e.MustChangeStatus(e.admin, c.ID, models.StatusResolved, "")
		e.MustChangeStatus(e.agent, c.ID, models.StatusEscalated, "third")
		e.MustChangeStatus(e.owner, c.ID, models.StatusClosed, "")
		if s := e.MustConv(c.ID).Status; s != models.StatusClosed {
			t.Fatalf("status = %s; want CLOSED", s)
		}

		// An agent cannot escalate a conversation outside their scope.
		_, other := e.MustCustomerConv()
		if _, err := e.svc.Assign(e.ctx, e.chatAdmin, other.ID, &e.agent2.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.ChangeStatus(e.ctx, e.agent, other.ID, models.StatusEscalated, "refund")
		wantCode(t, err, models.ENOTFOUND)
	})
}

// TestOverrideEveryPair drives chat_admin overrides between every pair of
// statuses and checks the public/staff events each writes.
func TestOverrideEveryPair(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		for _, from := range models.Statuses {
			for _, to := range models.Statuses {
				_, c := e.MustConvIn(from)
				n := len(e.MustMessages(c.ID))
				reason := ""
				if to == models.StatusEscalated {
					reason = "needs finance"
				}
				_, err := e.svc.ChangeStatus(e.ctx, e.chatAdmin, c.ID, to, reason)
				if from == to {
					wantCode(t, err, models.EINVALID)
					continue
				}
				if err != nil {
					t.Errorf("%s → %s: %v", from, to, err)
					continue
				}
				if got := e.MustConv(c.ID).Status; got != to {
					t.Errorf("%s → %s: status %s", from, to, got)
				}
				added := kinds(e.MustMessages(c.ID)[n:])
				want := []string{"system:status:false"}
				switch {
				case to == models.StatusResolved || to == models.StatusClosed:
					want = append(want, "system:status:true")
				case from.IsTerminal():
					want = append(want, "system:reopened:true")
				}
				if strings.Join(added, ",") != strings.Join(want, ",") {
					t.Errorf("%s → %s wrote %v; want %v", from, to, added, want)
				}
			}
		}
	})
}
