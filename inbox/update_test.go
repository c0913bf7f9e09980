package inbox_test

import (
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// TestUpdateIsAllOrNothing: an assignment with a refused status override
// leaves the conversation as it was.
func TestUpdateIsAllOrNothing(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu := e.MustCustomer()
		c := e.MustStart(e.chatAdmin, inbox.StartInput{CustomerID: cu.ID, Subject: "Refund", Body: "About your refund"})
		before := e.rows()
		// Escalating needs a reason: the take that came with it must not stay.
		_, err := e.svc.Update(e.ctx, e.agent, c.ID, inbox.Update{SetAssignee: true, AssignTo: &e.agent.ID, Status: models.StatusEscalated})
		if models.ErrorCode(err) != models.EINVALID {
			t.Fatalf("update = %v; want invalid", err)
		}
		if got := e.MustConv(c.ID); got.AssignedTo != nil || got.Status != c.Status {
			t.Fatalf("after a refused update: assigned %s, status %s; want unassigned, %s", idOf(got.AssignedTo), got.Status, c.Status)
		}
		e.sameRows(before)

		// Both parts allowed: applied together, assignment first.
		got, err := e.svc.Update(e.ctx, e.agent, c.ID, inbox.Update{SetAssignee: true, AssignTo: &e.agent.ID, Status: models.StatusEscalated, Reason: "refund above 50 EUR"})
		if err != nil {
			t.Fatal(err)
		}
		if got.AssignedTo == nil || *got.AssignedTo != e.agent.ID || got.Status != models.StatusEscalated {
			t.Fatalf("update applied %s / %s", idOf(got.AssignedTo), got.Status)
		}
		// A reason without a status is refused before anything happens.
		if _, err := e.svc.Update(e.ctx, e.agent, c.ID, inbox.Update{Reason: "why"}); models.ErrorCode(err) != models.EINVALID {
			t.Fatalf("reason alone = %v; want invalid", err)
		}
	})
}
