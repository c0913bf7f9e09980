package inbox_test

import (
	"slices"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// TestBulkMore: the list's bulk actions of issue 6 — reopen, take, mark
// read/unread, assign — all or nothing, refusals naming the row, within
// the caller's scope.
func TestBulkMore(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		w := newScopeWorld(e)
		_, closed := e.MustConvIn(models.StatusClosed)
		_, free2 := e.MustCustomerConv()

		// Reopen: closed → OPEN, open rows untouched.
		if _, err := e.svc.Bulk(e.ctx, e.chatAdmin, inbox.BulkReopen, []int64{closed.ID, w.mine.ID}); err != nil {
			t.Fatal(err)
		}
		if got := e.MustConv(closed.ID).Status; got != models.StatusOpen {
			t.Errorf("reopened status %s", got)
		}

		// Mark unread, then read, for staff.
		if _, err := e.svc.Bulk(e.ctx, e.chatAdmin, inbox.BulkMarkUnread, []int64{w.mine.ID, w.theirs.ID}); err != nil {
			t.Fatal(err)
		}
		if e.MustConv(w.mine.ID).IsReadByAdmin || e.MustConv(w.theirs.ID).IsReadByAdmin {
			t.Error("mark unread left a row read")
		}
		if _, err := e.svc.Bulk(e.ctx, e.chatAdmin, inbox.BulkMarkRead, []int64{w.mine.ID}); err != nil || !e.MustConv(w.mine.ID).IsReadByAdmin {
			t.Errorf("mark read: %v", err)
		}
		// An agent cannot touch another agent's thread: not found, named.
		_, err := e.svc.Bulk(e.ctx, e.agent, inbox.BulkMarkRead, []int64{w.mine.ID, w.theirs.ID})
		wantCode(t, err, models.ENOTFOUND)
		if e := models.AsError(err); e == nil || !slices.Equal(e.IDs, []int64{w.theirs.ID}) {
			t.Errorf("refusal names %v", err)
		}

		// Take: an agent takes two unassigned threads; with one already
		// someone's, nothing is taken and the refusal names it.
		_, err = e.svc.Bulk(e.ctx, e.agent2, inbox.BulkTake, []int64{w.unassigned.ID, w.mine.ID})
		if err == nil {
			t.Fatal("take of another agent's thread passed")
		}
		if e.MustConv(w.unassigned.ID).AssignedTo != nil {
			t.Error("a refused bulk take still took a row")
		}
		if _, err := e.svc.Bulk(e.ctx, e.agent2, inbox.BulkTake, []int64{w.unassigned.ID, free2.ID}); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{w.unassigned.ID, free2.ID} {
			if got := e.MustConv(id).AssignedTo; got == nil || *got != e.agent2.ID {
				t.Errorf("conversation %d assigned to %s after take", id, idOf(got))
			}
		}

		// Assign: chat admins hand threads to an agent; agents may not.
		if _, err := e.svc.BulkAssignTo(e.ctx, e.chatAdmin, []int64{w.unassigned.ID, w.mine.ID}, &e.agent.ID); err != nil {
			t.Fatal(err)
		}
		if got := e.MustConv(w.unassigned.ID).AssignedTo; got == nil || *got != e.agent.ID {
			t.Errorf("assigned to %s", idOf(got))
		}
		_, err = e.svc.BulkAssignTo(e.ctx, e.agent, []int64{w.mine.ID}, &e.agent2.ID)
		wantCode(t, err, models.EFORBIDDEN)
		_, err = e.svc.Bulk(e.ctx, e.chatAdmin, inbox.BulkAssign, []int64{w.mine.ID})
		wantCode(t, err, models.EINVALID)
		_, err = e.svc.Bulk(e.ctx, e.chatAdmin, "explode", []int64{w.mine.ID})
		wantCode(t, err, models.EINVALID)
	})
}

// TestAwaiting: the Inbox badge counts unread AWAITING_ADMIN threads in the
// caller's scope only.
func TestAwaiting(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		w := newScopeWorld(e)
		for _, id := range []int64{w.unassigned.ID, w.mine.ID, w.theirs.ID} {
			e.MustChangeStatus(e.chatAdmin, id, models.StatusAwaitingAdmin, "")
		}
		if _, err := e.svc.Bulk(e.ctx, e.chatAdmin, inbox.BulkMarkUnread, []int64{w.unassigned.ID, w.mine.ID, w.theirs.ID}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			actor models.Actor
			want  int
		}{{"agent", e.agent, 2}, {"agent2", e.agent2, 2}, {"chat admin", e.chatAdmin, 3}} {
			n, capped, err := e.svc.Awaiting(e.ctx, tc.actor)
			if err != nil || n != tc.want || capped {
				t.Errorf("%s: %d %v %v; want %d", tc.name, n, capped, err, tc.want)
			}
		}
		_, _, err := e.svc.Awaiting(e.ctx, w.cuA)
		wantCode(t, err, models.EFORBIDDEN)
	})
}
