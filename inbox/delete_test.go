package inbox_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// TestDeleteOnlyClosed: R2 for every role and every non-CLOSED status.
func TestDeleteOnlyClosed(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		for _, s := range models.Statuses {
			if s == models.StatusClosed {
				continue
			}
			_, c := e.MustConvIn(s)
			for _, a := range []models.Actor{e.chatAdmin, e.admin, e.owner} {
				before := e.rows()
				err := e.svc.Delete(e.ctx, a, c.ID)
				wantCode(t, err, models.ECONFLICT)
				de := models.AsError(err)
				if !slices.Equal(de.IDs, []int64{c.ID}) || !strings.Contains(de.Message, fmt.Sprintf("conversation %d (%s)", c.ID, s)) {
					t.Errorf("%s deleting %s: %+v; want a conflict naming %d and %s", a.Role, s, de, c.ID, s)
				}
				e.sameRows(before)
				// The same through the bulk action.
				_, err = e.svc.Bulk(e.ctx, a, inbox.BulkDelete, []int64{c.ID})
				wantCode(t, err, models.ECONFLICT)
				e.sameRows(before)
			}
			// An agent may not delete at all: forbidden, not conflict.
			err := e.svc.Delete(e.ctx, e.agent, c.ID)
			wantCode(t, err, models.EFORBIDDEN)
			if n := e.count("messages", "conversation_id = ?", c.ID); n == 0 || e.MustConv(c.ID).Status != s {
				t.Errorf("%s conversation %d was touched", s, c.ID)
			}
		}
	})
}

func TestDeleteBulkMixed(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		_, closed1 := e.MustConvIn(models.StatusClosed)
		_, open := e.MustConvIn(models.StatusOpen)
		_, resolved := e.MustConvIn(models.StatusResolved)
		_, closed2 := e.MustConvIn(models.StatusClosed)
		before := e.rows()
		_, err := e.svc.Bulk(e.ctx, e.chatAdmin, inbox.BulkDelete, []int64{closed2.ID, resolved.ID, closed1.ID, open.ID})
		wantCode(t, err, models.ECONFLICT)
		if got := models.AsError(err).IDs; !slices.Equal(sorted(got...), sorted(open.ID, resolved.ID)) {
			t.Errorf("conflict ids = %v; want the non-closed %d, %d", got, open.ID, resolved.ID)
		}
		e.sameRows(before)
		for _, c := range []models.Conversation{closed1, closed2} {
			if n := e.count("messages", "conversation_id = ?", c.ID); n == 0 {
				t.Errorf("closed %d lost its messages", c.ID)
			}
		}
		// Unknown ids among them: not_found with those ids, nothing deleted.
		_, err = e.svc.Bulk(e.ctx, e.chatAdmin, inbox.BulkDelete, []int64{closed1.ID, 987654})
		wantCode(t, err, models.ENOTFOUND)
		if got := models.AsError(err).IDs; !slices.Equal(got, []int64{987654}) {
			t.Errorf("not_found ids = %v", got)
		}
		e.sameRows(before)
	})
}

func TestDeleteClosed(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		_, keep := e.MustConvIn(models.StatusClosed)
		cu, c := e.MustConvIn(models.StatusAwaitingAdmin)
		e.MustSend(e.agent, c.ID, models.KindNote, "a note")
		e.MustChangeStatus(e.chatAdmin, c.ID, models.StatusClosed, "")
		// The customer writes again: a follow-up of c.
		_, f := e.MustSend(cu, c.ID, models.KindReply, "hello again")
		if f.FollowUpOf == nil || *f.FollowUpOf != c.ID {
			t.Fatalf("set-up: follow-up = %+v", f)
		}
		keepMsgs := e.count("messages", "conversation_id = ?", keep.ID)
		followMsgs := e.count("messages", "conversation_id = ?", f.ID)
		convs := e.count("conversations", "")

		if err := e.svc.Delete(e.ctx, e.chatAdmin, c.ID, c.ID); err != nil { // duplicates are fine
			t.Fatalf("delete closed: %v", err)
		}
		if n := e.count("conversations", "id = ?", c.ID); n != 0 {
			t.Errorf("conversation %d still there", c.ID)
		}
		if n := e.count("messages", "conversation_id = ?", c.ID); n != 0 {
			t.Errorf("%d messages of %d still there", n, c.ID)
		}
		if n := e.count("conversations", ""); n != convs-1 {
			t.Errorf("conversations = %d; want %d", n, convs-1)
		}
		got := e.MustConv(f.ID)
		if got.FollowUpOf != nil || got.Status != models.StatusOpen {
			t.Errorf("follow-up after deleting its parent = %+v; want kept, follow_up_of NULL", got)
		}
		if n := e.count("messages", "conversation_id = ?", f.ID); n != followMsgs {
			t.Errorf("follow-up messages = %d; want %d", n, followMsgs)
		}
		if n := e.count("messages", "conversation_id = ?", keep.ID); n != keepMsgs {
			t.Errorf("another conversation's messages = %d; want %d", n, keepMsgs)
		}
		// Gone means gone: not_found for everyone afterwards.
		_, err := e.svc.Open(e.ctx, e.chatAdmin, c.ID)
		wantCode(t, err, models.ENOTFOUND)
		err = e.svc.Delete(e.ctx, e.chatAdmin, c.ID)
		wantCode(t, err, models.ENOTFOUND)
	})
}

// TestBulkStatus: close and resolve are all or nothing.
func TestBulkStatus(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		w := newScopeWorld(e)
		_, esc := e.MustConvIn(models.StatusEscalated)
		statuses := func() []models.Status {
			var out []models.Status
			for _, id := range []int64{w.unassigned.ID, w.mine.ID, w.theirs.ID, esc.ID} {
				out = append(out, e.MustConv(id).Status)
			}
			return out
		}
		initial := statuses()
		for _, tc := range []struct {
			name   string
			actor  models.Actor
			action string
			ids    []int64
			code   models.Code
			errIDs []int64
		}{
			{"agent with another agent's", e.agent, inbox.BulkClose, []int64{w.unassigned.ID, w.mine.ID, w.theirs.ID}, models.ENOTFOUND, []int64{w.theirs.ID}},
			{"agent with an unknown id", e.agent, inbox.BulkResolve, []int64{w.unassigned.ID, 987654}, models.ENOTFOUND, []int64{987654}},
			{"agent leaving ESCALATED", e.agent, inbox.BulkClose, []int64{w.unassigned.ID, w.mine.ID, esc.ID}, models.EFORBIDDEN, []int64{esc.ID}},
			{"customer on own", w.cuA, inbox.BulkClose, []int64{w.unassigned.ID}, models.EFORBIDDEN, []int64{w.unassigned.ID}},
			{"unknown action", e.chatAdmin, "archive", []int64{w.unassigned.ID}, models.EINVALID, nil},
			{"no ids", e.chatAdmin, inbox.BulkClose, nil, models.EINVALID, nil},
			{"zero id", e.chatAdmin, inbox.BulkClose, []int64{w.unassigned.ID, 0}, models.EINVALID, nil},
			{"501 ids", e.chatAdmin, inbox.BulkClose, manyIDs(inbox.MaxBulk + 1), models.EINVALID, nil},
		} {
			before := e.rows()
			_, err := e.svc.Bulk(e.ctx, tc.actor, tc.action, tc.ids)
			if models.ErrorCode(err) != tc.code {
				t.Errorf("%s: err = %v; want %s", tc.name, err, tc.code)
				continue
			}
			if tc.errIDs != nil {
				if got := models.AsError(err).IDs; !slices.Equal(got, tc.errIDs) {
					t.Errorf("%s: ids = %v; want %v", tc.name, got, tc.errIDs)
				}
			}
			e.sameRows(before)
			if got := statuses(); !slices.Equal(got, initial) {
				t.Errorf("%s: statuses %v; want unchanged %v", tc.name, got, initial)
			}
		}

		// 500 is the limit, not over it (unknown ids then answer not_found).
		_, err := e.svc.Bulk(e.ctx, e.chatAdmin, inbox.BulkClose, manyIDs(inbox.MaxBulk))
		wantCode(t, err, models.ENOTFOUND)

		// Duplicates are fine; each conversation changes once.
		done, err := e.svc.Bulk(e.ctx, e.agent, inbox.BulkClose, []int64{w.mine.ID, w.unassigned.ID, w.mine.ID})
		if err != nil {
			t.Fatalf("agent bulk close: %v", err)
		}
		if !slices.Equal(sorted(done...), sorted(w.mine.ID, w.unassigned.ID)) {
			t.Errorf("changed ids = %v", done)
		}
		for _, id := range done {
			if got := e.MustConv(id); got.Status != models.StatusClosed {
				t.Errorf("%d is %s; want CLOSED", id, got.Status)
			}
			if n := e.count("audit_log", "subject_id = ? AND action = ?", id, "conversation.status"); n != 1 {
				t.Errorf("%d has %d status audit entries; want 1", id, n)
			}
		}
		// Already there is not a failure, and changes nothing.
		before := e.rows()
		if _, err := e.svc.Bulk(e.ctx, e.agent, inbox.BulkClose, []int64{w.mine.ID}); err != nil {
			t.Errorf("closing a closed one: %v", err)
		}
		e.sameRows(before)
		// chat_admin resolves anything, ESCALATED included.
		if _, err := e.svc.Bulk(e.ctx, e.chatAdmin, inbox.BulkResolve, []int64{w.theirs.ID, esc.ID}); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{w.theirs.ID, esc.ID} {
			if got := e.MustConv(id); got.Status != models.StatusResolved {
				t.Errorf("%d is %s; want RESOLVED", id, got.Status)
			}
		}
	})
}

func manyIDs(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(100000 + i)
	}
	return out
}
