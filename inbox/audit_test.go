package inbox_test

import (
	"encoding/json"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// TestAuditTrail: R20. Every staff action writes one entry with who, what,
// when and before/after.
func TestAuditTrail(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu := e.MustCustomer()
		type view map[string]any
		decode := func(s string) view {
			t.Helper()
			if s == "" {
				return nil
			}
			var v view
			if err := json.Unmarshal([]byte(s), &v); err != nil {
				t.Fatalf("audit JSON %q: %v", s, err)
			}
			return v
		}
		var convID int64
		var blockID int64
		for _, tc := range []struct {
			action  string
			actor   models.Actor
			subject string
			do      func() error
			check   func(before, after view) bool
		}{
			{"conversation.start", e.agent, "conversation", func() error {
				c, _, err := e.svc.Start(e.ctx, e.agent, inbox.StartInput{CustomerID: cu.ID, Subject: "Outreach", Body: "Hi"})
				convID = c.ID
				return err
			}, func(b, a view) bool {
				return b == nil && a["status"] == "AWAITING_USER" && a["subject"] == "Outreach" && a["customer_id"] == float64(cu.ID)
			}},
			{"message.reply", e.agent, "conversation", func() error {
				_, _, err := e.svc.Send(e.ctx, cu, convID, models.KindReply, "customer answer") // not audited
				if err == nil {
					_, _, err = e.svc.Send(e.ctx, e.agent, convID, models.KindReply, "staff answer")
				}
				return err
			}, func(b, a view) bool {
				return b["status"] == "AWAITING_ADMIN" && a["status"] == "AWAITING_USER" && a["message_id"] != nil
			}},
			{"message.note", e.agent, "conversation", func() error {
				_, _, err := e.svc.Send(e.ctx, e.agent, convID, models.KindNote, "note")
				return err
			}, func(b, a view) bool {
				return b["status"] == "AWAITING_USER" && a["status"] == "AWAITING_USER" && a["message_id"] != nil
			}},
			{"conversation.assigned", e.agent, "conversation", func() error {
				_, err := e.svc.Take(e.ctx, e.agent, convID)
				return err
			}, func(b, a view) bool {
				return b["assigned_to"] == nil && a["assigned_to"] == float64(e.agent.ID)
			}},
			{"conversation.assigned", e.chatAdmin, "conversation", func() error {
				_, err := e.svc.Assign(e.ctx, e.chatAdmin, convID, &e.agent2.ID)
				return err
			}, func(b, a view) bool {
				return b["assigned_to"] == float64(e.agent.ID) && a["assigned_to"] == float64(e.agent2.ID)
			}},
			{"conversation.unassigned", e.chatAdmin, "conversation", func() error {
				_, err := e.svc.Assign(e.ctx, e.chatAdmin, convID, nil)
				return err
			}, func(b, a view) bool {
				return b["assigned_to"] == float64(e.agent2.ID) && a["assigned_to"] == nil
			}},
			{"conversation.status", e.agent, "conversation", func() error {
				_, err := e.svc.ChangeStatus(e.ctx, e.agent, convID, models.StatusEscalated, "refund")
				return err
			}, func(b, a view) bool {
				return b["status"] == "AWAITING_USER" && a["status"] == "ESCALATED" && a["reason"] == "refund"
			}},
			{"conversation.status", e.chatAdmin, "conversation", func() error {
				_, err := e.svc.Bulk(e.ctx, e.chatAdmin, inbox.BulkClose, []int64{convID})
				return err
			}, func(b, a view) bool {
				return b["status"] == "ESCALATED" && a["status"] == "CLOSED"
			}},
			{"conversation.delete", e.chatAdmin, "conversation", func() error {
				return e.svc.Delete(e.ctx, e.chatAdmin, convID)
			}, func(b, a view) bool {
				return b["status"] == "CLOSED" && b["subject"] == "Outreach" && a == nil
			}},
			{"customer.block", e.agent, "block", func() error {
				b, err := e.svc.Block(e.ctx, e.agent, inbox.BlockInput{CustomerID: &cu.ID, Reason: "abuse"})
				blockID = b.ID
				return err
			}, func(b, a view) bool {
				return b == nil && a["CustomerID"] == float64(cu.ID) && a["Reason"] == "abuse"
			}},
			{"customer.unblock", e.chatAdmin, "block", func() error {
				return e.svc.Unblock(e.ctx, e.chatAdmin, blockID)
			}, func(b, a view) bool {
				return b["CustomerID"] == float64(cu.ID) && a == nil
			}},
		} {
			e.clock.Advance(1e9)
			at := models.Now(e.clock.Now())
			n := e.count("audit_log", "")
			if err := tc.do(); err != nil {
				t.Fatalf("%s: %v", tc.action, err)
			}
			if got := e.count("audit_log", ""); got != n+1 {
				t.Errorf("%s wrote %d audit entries; want 1", tc.action, got-n)
			}
			subj := convID
			if tc.subject == "block" {
				subj = blockID
			}
			es := e.audits(tc.subject, subj)
			if len(es) == 0 {
				t.Fatalf("%s: no audit entry for %s %d", tc.action, tc.subject, subj)
			}
			a := es[len(es)-1]
			if a.Action != tc.action || a.ActorType != models.ActorStaff || a.ActorID != tc.actor.ID ||
				a.ActorName != tc.actor.Name || !a.CreatedAt.Equal(at) {
				t.Errorf("%s: entry %+v; want by %s at %v", tc.action, a, tc.actor.Name, at)
			}
			if b, af := decode(a.Before), decode(a.After); !tc.check(b, af) {
				t.Errorf("%s: before %s after %s", tc.action, a.Before, a.After)
			}
		}
		// Customers' own actions are not back-office actions.
		_, c := e.MustCustomerConv()
		if n := len(e.audits("conversation", c.ID)); n != 0 {
			t.Errorf("customer start wrote %d audit entries", n)
		}
	})
}
