package web_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/parleyhq/parley/models"
)

// TestStaffSearchScope: GET /api/v1/staff/conversations?q= searches
// subjects and message bodies (notes included) within the caller's scope:
// agent1 never finds agent2's thread, not even by a word of its note; a
// chat admin finds both. Customers cannot search.
func TestStaffSearchScope(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		agent, agentTok := e.staff(t, "agent1", models.RoleAgent)
		agent2, _ := e.staff(t, "agent2", models.RoleAgent)
		chief, adminTok := e.staff(t, "chief", models.RoleChatAdmin)
		alice, aliceTok := e.customer(t, "alice@example.com")
		mine := e.start(t, models.System, alice.ID, "Parcel one")
		theirs := e.start(t, models.System, alice.ID, "Parcel two")
		e.assign(t, mine.ID, &agent.ID)
		e.assign(t, theirs.ID, &agent2.ID)
		for _, id := range []int64{mine.ID, theirs.ID} {
			if _, _, err := e.svc.Send(context.Background(), chief, id, models.KindNote, "courier marmalade tracking"); err != nil {
				t.Fatal(err)
			}
		}
		search := func(tok, q string) (int, []int64) {
			r := e.do(t, "GET", staffConvs+"?q="+q, tok, nil)
			if r.Code != http.StatusOK {
				return r.Code, nil
			}
			ids := r.ids("items")
			slices.Sort(ids)
			return r.Code, ids
		}
		if code, ids := search(agentTok, "marmalade"); code != 200 || !slices.Equal(ids, []int64{mine.ID}) {
			t.Errorf("agent1 search = %d %v; want only %d", code, ids, mine.ID)
		}
		if code, ids := search(agentTok, "parcel"); code != 200 || !slices.Equal(ids, []int64{mine.ID}) {
			t.Errorf("agent1 subject search = %d %v; want only %d", code, ids, mine.ID)
		}
		if code, ids := search(adminTok, "marma"); code != 200 || !slices.Equal(ids, []int64{mine.ID, theirs.ID}) {
			t.Errorf("chat admin prefix search = %d %v", code, ids)
		}
		if code, _ := search(adminTok, "ab"); code != http.StatusBadRequest && code != http.StatusUnprocessableEntity {
			t.Errorf("two-letter search answered %d", code)
		}
		if r := e.do(t, "GET", "/api/v1/conversations?q=parcel", aliceTok, nil); r.Code == http.StatusOK {
			t.Errorf("customer search answered %d", r.Code)
		}
	})
}
