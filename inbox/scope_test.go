package inbox_test

import (
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// scopeWorld: an unassigned conversation, one of agent's, one of agent2's.
type scopeWorld struct {
	cuA, cuB                 models.Actor
	unassigned, mine, theirs models.Conversation
}

func newScopeWorld(e *env) scopeWorld {
	e.t.Helper()
	var w scopeWorld
	w.cuA, w.unassigned = e.MustCustomerConv()
	w.cuB, w.mine = e.MustCustomerConv()
	w.theirs = e.MustStart(w.cuB, inbox.StartInput{Subject: "Second", Body: "Another question"})
	if _, err := e.svc.Take(e.ctx, e.agent, w.mine.ID); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.Assign(e.ctx, e.chatAdmin, w.theirs.ID, &e.agent2.ID); err != nil {
		e.t.Fatal(err)
	}
	e.clock.Advance(1e9)
	return w
}

func ids(cs []models.Conversation) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	slices.Sort(out)
	return out
}

// newestFirst reports whether a list is in the actor's activity order.
func newestFirst(a models.Actor, cs []models.Conversation) bool {
	at := func(c models.Conversation) int64 {
		if a.IsCustomer() {
			return c.PublicLastAt.UnixMicro()
		}
		return c.LastMessageAt.UnixMicro()
	}
	for i := 1; i < len(cs); i++ {
		if at(cs[i]) > at(cs[i-1]) || (at(cs[i]) == at(cs[i-1]) && cs[i].ID > cs[i-1].ID) {
			return false
		}
	}
	return true
}

func sorted(v ...int64) []int64 { slices.Sort(v); return v }

// TestListScope: R6/R6a lists, by cursor and by page.
func TestListScope(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		w := newScopeWorld(e)
		for _, tc := range []struct {
			name  string
			actor models.Actor
			want  []int64
		}{
			{"agent: unassigned and own", e.agent, sorted(w.unassigned.ID, w.mine.ID)},
			{"agent2: unassigned and own", e.agent2, sorted(w.unassigned.ID, w.theirs.ID)},
			{"chat_admin: all", e.chatAdmin, sorted(w.unassigned.ID, w.mine.ID, w.theirs.ID)},
			{"owner: all", e.owner, sorted(w.unassigned.ID, w.mine.ID, w.theirs.ID)},
			{"customer A: own", w.cuA, sorted(w.unassigned.ID)},
			{"customer B: own", w.cuB, sorted(w.mine.ID, w.theirs.ID)},
			{"system: all", models.System, sorted(w.unassigned.ID, w.mine.ID, w.theirs.ID)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p, err := e.svc.List(e.ctx, tc.actor, models.ConversationFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if got := ids(p.Items); !slices.Equal(got, tc.want) || p.NextCursor != "" {
					t.Errorf("List = %v (next %q); want %v", got, p.NextCursor, tc.want)
				}
				counted, err := e.svc.List(e.ctx, tc.actor, models.ConversationFilter{Count: true})
				if err != nil {
					t.Fatal(err)
				}
				if got := ids(counted.Items); !slices.Equal(got, tc.want) || counted.Total != len(tc.want) || counted.Capped {
					t.Errorf("List with count = %v (total %d); want %v", got, counted.Total, tc.want)
				}
				// By cursor, one at a time: the same set, no duplicates.
				var paged []models.Conversation
				f := models.ConversationFilter{Limit: 1}
				for range 10 {
					p, err := e.svc.List(e.ctx, tc.actor, f)
					if err != nil {
						t.Fatal(err)
					}
					paged = append(paged, p.Items...)
					if p.NextCursor == "" {
						break
					}
					f.Cursor = p.NextCursor
				}
				if got := ids(paged); !slices.Equal(got, tc.want) {
					t.Errorf("List by cursor = %v; want %v", got, tc.want)
				}
				if !newestFirst(tc.actor, paged) {
					t.Errorf("List by cursor is not newest activity first")
				}
				// Back from the oldest, one at a time (before): the same
				// rows, newest first once put together.
				var back []models.Conversation
				last := paged[len(paged)-1]
				f = models.ConversationFilter{Limit: 1, Before: models.EncodeCursor(activityOf(tc.actor, last), last.ID)}
				back = append(back, last)
				for range 10 {
					p, err := e.svc.List(e.ctx, tc.actor, f)
					if err != nil {
						t.Fatal(err)
					}
					back = append(p.Items, back...)
					if p.PrevCursor == "" {
						break
					}
					f.Before = p.PrevCursor
				}
				if got := ids(back); !slices.Equal(got, tc.want) {
					t.Errorf("List by before = %v; want %v", got, tc.want)
				}
			})
		}
		// An agent's filter cannot widen the scope.
		p, err := e.svc.List(e.ctx, e.agent, models.ConversationFilter{AssignedTo: &e.agent2.ID})
		if err != nil || len(p.Items) != 0 {
			t.Errorf("agent filtering on agent2 sees %v, %v", ids(p.Items), err)
		}
		_, err = e.svc.List(e.ctx, e.agent, models.ConversationFilter{Cursor: "garbage!"})
		wantCode(t, err, models.EINVALID)
		_, err = e.svc.List(e.ctx, e.agent, models.ConversationFilter{Limit: inbox.MaxPageSize + 1})
		wantCode(t, err, models.EINVALID)
		_, err = e.svc.List(e.ctx, e.agent, models.ConversationFilter{Before: "garbage!"})
		wantCode(t, err, models.EINVALID)
	})
}

// TestOutsideScopeIsNotFound: R6a. Every single-conversation call answers
// not_found outside the caller's scope, exactly as for an unknown id.
func TestOutsideScopeIsNotFound(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		w := newScopeWorld(e)
		closedTheirs := e.MustStart(w.cuB, inbox.StartInput{Subject: "Third", Body: "x"})
		if _, err := e.svc.Assign(e.ctx, e.chatAdmin, closedTheirs.ID, &e.agent2.ID); err != nil {
			t.Fatal(err)
		}
		e.MustChangeStatus(e.chatAdmin, closedTheirs.ID, models.StatusClosed, "")
		// Long after the assignments: no take can have raced them
		// (TestLostTakeWindow covers the moment right after).
		e.clock.Advance(inbox.LostTakeWindow + time.Second)
		const unknown = 987654
		calls := map[string]func(a models.Actor, id int64) error{
			"Open": func(a models.Actor, id int64) error { _, err := e.svc.Open(e.ctx, a, id); return err },
			"Get":  func(a models.Actor, id int64) error { _, err := e.svc.Get(e.ctx, a, id); return err },
			"Send reply": func(a models.Actor, id int64) error {
				_, _, err := e.svc.Send(e.ctx, a, id, models.KindReply, "hi")
				return err
			},
			"Send note": func(a models.Actor, id int64) error {
				_, _, err := e.svc.Send(e.ctx, a, id, models.KindNote, "hi")
				return err
			},
			"ChangeStatus": func(a models.Actor, id int64) error {
				_, err := e.svc.ChangeStatus(e.ctx, a, id, models.StatusResolved, "")
				return err
			},
			"Take":   func(a models.Actor, id int64) error { _, err := e.svc.Take(e.ctx, a, id); return err },
			"Assign": func(a models.Actor, id int64) error { _, err := e.svc.Assign(e.ctx, a, id, &a.ID); return err },
			"Delete": func(a models.Actor, id int64) error { return e.svc.Delete(e.ctx, a, id) },
			"Bulk close": func(a models.Actor, id int64) error {
				_, err := e.svc.Bulk(e.ctx, a, inbox.BulkClose, []int64{id})
				return err
			},
		}
		for name, call := range calls {
			for _, tc := range []struct {
				who   string
				actor models.Actor
				id    int64
			}{
				{"agent on agent2's", e.agent, w.theirs.ID},
				{"agent on agent2's closed", e.agent, closedTheirs.ID},
				{"customer A on B's", w.cuA, w.mine.ID},
				{"agent on unknown", e.agent, unknown},
				{"chat_admin on unknown", e.chatAdmin, unknown},
			} {
				before := e.rows()
				err := call(tc.actor, tc.id)
				if models.ErrorCode(err) != models.ENOTFOUND {
					t.Errorf("%s, %s: err = %v; want not_found", name, tc.who, err)
				}
				e.sameRows(before)
			}
		}
		if got := e.MustConv(w.theirs.ID); got.Status != models.StatusOpen || got.AssignedTo == nil || *got.AssignedTo != e.agent2.ID {
			t.Errorf("agent2's conversation changed: %+v", got)
		}
	})
}

// TestVisibleButNotAllowed: R6a's forbidden cases.
func TestVisibleButNotAllowed(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu, c := e.MustCustomerConv()
		_, closed := e.MustConvIn(models.StatusClosed)
		for _, tc := range []struct {
			name string
			call func() error
		}{
			{"customer changes status of own", func() error {
				_, err := e.svc.ChangeStatus(e.ctx, cu, c.ID, models.StatusClosed, "")
				return err
			}},
			{"customer takes own", func() error { _, err := e.svc.Take(e.ctx, cu, c.ID); return err }},
			{"customer assigns own", func() error { _, err := e.svc.Assign(e.ctx, cu, c.ID, &e.agent.ID); return err }},
			{"customer deletes own", func() error { return e.svc.Delete(e.ctx, cu, c.ID) }},
			{"customer writes a note", func() error { _, _, err := e.svc.Send(e.ctx, cu, c.ID, models.KindNote, "x"); return err }},
			{"customer bulk-closes own", func() error { _, err := e.svc.Bulk(e.ctx, cu, inbox.BulkClose, []int64{c.ID}); return err }},
			{"agent deletes a closed one", func() error { return e.svc.Delete(e.ctx, e.agent, closed.ID) }},
			{"agent assigns to agent2", func() error { _, err := e.svc.Assign(e.ctx, e.agent, c.ID, &e.agent2.ID); return err }},
		} {
			before := e.rows()
			err := tc.call()
			if models.ErrorCode(err) != models.EFORBIDDEN {
				t.Errorf("%s: err = %v; want forbidden", tc.name, err)
			}
			e.sameRows(before)
		}
		if got := e.MustConv(c.ID); got.Status != models.StatusOpen || got.AssignedTo != nil {
			t.Errorf("conversation changed: %+v", got)
		}
	})
}

// TestAgentClose: R7.
func TestAgentClose(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		w := newScopeWorld(e)
		for _, tc := range []struct {
			name string
			id   int64
			code models.Code
		}{
			{"unassigned", w.unassigned.ID, ""},
			{"own", w.mine.ID, ""},
			{"agent2's", w.theirs.ID, models.ENOTFOUND},
		} {
			_, err := e.svc.ChangeStatus(e.ctx, e.agent, tc.id, models.StatusClosed, "")
			if models.ErrorCode(err) != tc.code {
				t.Errorf("agent closes %s: %v; want %q", tc.name, err, tc.code)
			}
			want := models.StatusClosed
			if tc.code != "" {
				want = models.StatusOpen
			}
			if got := e.MustConv(tc.id); got.Status != want {
				t.Errorf("%s is %s; want %s", tc.name, got.Status, want)
			}
		}
	})
}

// TestAssign covers "Assign it": chat admins to staff who may work
// conversations, an agent naming themselves, and unassigning.
func TestAssign(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		_, c := e.MustCustomerConv()
		deactivated := e.MustStaff("gone", models.RoleAgent)
		if err := e.acc.DeactivateStaff(e.ctx, e.owner, "gone"); err != nil {
			t.Fatal(err)
		}
		for _, to := range []int64{987654, deactivated.ID} {
			_, err := e.svc.Assign(e.ctx, e.chatAdmin, c.ID, &to)
			wantCode(t, err, models.EINVALID)
		}
		if _, err := e.svc.Assign(e.ctx, e.agent, c.ID, &e.agent.ID); err != nil {
			t.Fatalf("agent assigning themselves an unassigned one: %v", err)
		}
		if got := e.MustConv(c.ID); got.AssignedTo == nil || *got.AssignedTo != e.agent.ID {
			t.Fatalf("assignee = %s", idOf(got.AssignedTo))
		}
		if _, err := e.svc.Assign(e.ctx, e.chatAdmin, c.ID, &e.agent2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Assign(e.ctx, e.chatAdmin, c.ID, nil); err != nil {
			t.Fatal(err)
		}
		got := e.MustConv(c.ID)
		if got.AssignedTo != nil {
			t.Errorf("assignee = %s after unassigning", idOf(got.AssignedTo))
		}
		var events []string
		for _, m := range e.MustMessages(c.ID) {
			if m.Kind == models.KindSystem {
				events = append(events, m.Event)
				if m.Public {
					t.Errorf("assignment event %q is public", m.Event)
				}
			}
		}
		if want := []string{"assigned", "assigned", "unassigned"}; !slices.Equal(events, want) {
			t.Errorf("events = %v; want %v", events, want)
		}
		// Taking one already yours is a conflict, not a second event.
		if _, err := e.svc.Take(e.ctx, e.agent, c.ID); err != nil {
			t.Fatal(err)
		}
		before := e.rows()
		_, err := e.svc.Take(e.ctx, e.agent, c.ID)
		wantCode(t, err, models.ECONFLICT)
		e.sameRows(before)
	})
}

func activityOf(a models.Actor, c models.Conversation) time.Time {
	if a.IsCustomer() {
		return c.PublicLastAt
	}
	return c.LastMessageAt
}
