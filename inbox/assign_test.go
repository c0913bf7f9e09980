package inbox_test

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// TestLostTakeWindow: R6 and R6a together. A take (or an agent's PATCH
// assigned_to=self) of a thread another agent holds is a conflict only
// right after it left the unassigned pool, when the caller may really have
// raced for it; later, and for a thread handed from one assignee to
// another, it is not_found like every other access to it.
func TestLostTakeWindow(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		take := func(id int64) error { _, err := e.svc.Take(e.ctx, e.agent, id); return err }
		assignSelf := func(id int64) error { _, err := e.svc.Assign(e.ctx, e.agent, id, &e.agent.ID); return err }
		update := func(id int64) error { // PATCH assigned_to=self
			_, err := e.svc.Update(e.ctx, e.agent, id, inbox.Update{SetAssignee: true, AssignTo: &e.agent.ID})
			return err
		}
		check := func(step string, id int64, want models.Code) {
			t.Helper()
			for name, call := range map[string]func(int64) error{"take": take, "assign self": assignSelf, "update": update} {
				before := e.rows()
				if err := call(id); models.ErrorCode(err) != want {
					t.Errorf("%s: %s = %v; want %s", step, name, err, want)
				}
				e.sameRows(before)
			}
			if got := e.MustConv(id); got.AssignedTo == nil || *got.AssignedTo != e.agent2.ID {
				t.Errorf("%s: assignee %s; want agent2 still", step, idOf(got.AssignedTo))
			}
		}

		_, taken := e.MustCustomerConv()
		if _, err := e.svc.Take(e.ctx, e.agent2, taken.ID); err != nil {
			t.Fatal(err)
		}
		check("just taken by agent2", taken.ID, models.ECONFLICT)
		e.clock.Advance(inbox.LostTakeWindow)
		check("taken LostTakeWindow ago", taken.ID, models.ECONFLICT)
		e.clock.Advance(time.Millisecond)
		check("taken just over LostTakeWindow ago", taken.ID, models.ENOTFOUND)
		e.clock.Advance(24 * time.Hour)
		check("taken a day ago", taken.ID, models.ENOTFOUND)

		// Assigned by a chat admin from the unassigned pool: the same.
		_, assigned := e.MustCustomerConv()
		if _, err := e.svc.Assign(e.ctx, e.chatAdmin, assigned.ID, &e.agent2.ID); err != nil {
			t.Fatal(err)
		}
		check("just assigned to agent2", assigned.ID, models.ECONFLICT)

		// Unassigned and assigned again: back in the pool meanwhile, so a
		// race was possible again.
		if _, err := e.svc.Assign(e.ctx, e.chatAdmin, taken.ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Assign(e.ctx, e.chatAdmin, taken.ID, &e.agent2.ID); err != nil {
			t.Fatal(err)
		}
		check("reassigned to agent2 from the pool", taken.ID, models.ECONFLICT)

		// Handed from the chat admin to agent2: it was never free, so the
		// agent cannot have raced for it.
		_, handed := e.MustCustomerConv()
		for _, to := range []int64{e.chatAdmin.ID, e.agent2.ID} {
			if _, err := e.svc.Assign(e.ctx, e.chatAdmin, handed.ID, &to); err != nil {
				t.Fatal(err)
			}
		}
		check("handed over to agent2", handed.ID, models.ENOTFOUND)
	})
}
