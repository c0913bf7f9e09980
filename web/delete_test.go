package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/models"
)

// R2: only CLOSED conversations can be deleted, single and bulk, all or
// nothing; who may delete at all is chat_admin and up.
func TestDeleteOnlyClosed(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		_, agentTok := e.staff(t, "agent1", models.RoleAgent)
		_, adminTok := e.staff(t, "chief", models.RoleChatAdmin)
		cust, _ := e.customer(t, "c1@example.com")
		open := e.start(t, cust, 0, "still open")
		closed1 := e.start(t, cust, 0, "closed one")
		closed2 := e.start(t, cust, 0, "closed two")
		closed3 := e.start(t, cust, 0, "closed three")
		for _, c := range []models.Conversation{closed1, closed2, closed3} {
			e.setStatus(t, c.ID, models.StatusClosed)
		}
		counts := map[int64]int{}
		for _, c := range []models.Conversation{open, closed1, closed2, closed3} {
			counts[c.ID] = countMessages(t, e, c.ID)
		}
		stillThere := func(ids ...int64) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				for _, id := range ids {
					if _, err := e.svc.Get(t.Context(), models.System, id); err != nil {
						t.Errorf("conversation %d is gone: %v", id, err)
					}
					if n := countMessages(t, e, id); n != counts[id] {
						t.Errorf("conversation %d has %d messages, had %d", id, n, counts[id])
					}
				}
			}
		}
		e.run(t, []scenario{
			{Name: "delete a non-closed conversation", Method: "DELETE", URL: idURL(staffConvs, open.ID, ""), Token: adminTok,
				ExpectedStatus: http.StatusConflict, ExpectedCode: "conflict", Check: func(t *testing.T, r response) {
					msg := r.str("error.message")
					if !strings.Contains(msg, fmt.Sprint(open.ID)) || !strings.Contains(msg, "OPEN") {
						t.Errorf("message %q does not name the id and its status", msg)
					}
					stillThere(open.ID)(t, r)
				}},
			{Name: "bulk delete with one non-closed", Method: "POST", URL: staffConvs + "/bulk", Token: adminTok,
				Body:           map[string]any{"action": "delete", "ids": []int64{closed1.ID, open.ID, closed2.ID}},
				ExpectedStatus: http.StatusConflict, ExpectedCode: "conflict", Check: func(t *testing.T, r response) {
					if ids := idsOf(r.list("error.ids")); !sameIDs(ids, []int64{open.ID}) {
						t.Errorf("error.ids %v, want [%d]", ids, open.ID)
					}
					stillThere(open.ID, closed1.ID, closed2.ID)(t, r)
				}},
			{Name: "agent deletes a closed conversation", Method: "DELETE", URL: idURL(staffConvs, closed1.ID, ""), Token: agentTok,
				ExpectedStatus: http.StatusForbidden, ExpectedCode: "forbidden", Check: stillThere(closed1.ID)},
			{Name: "agent bulk-deletes", Method: "POST", URL: staffConvs + "/bulk", Token: agentTok,
				Body: map[string]any{"action": "delete", "ids": []int64{closed1.ID}}, ExpectedStatus: http.StatusForbidden, ExpectedCode: "forbidden"},
			{Name: "chat admin deletes a closed conversation", Method: "DELETE", URL: idURL(staffConvs, closed1.ID, ""), Token: adminTok,
				ExpectedStatus: http.StatusNoContent, Check: func(t *testing.T, r response) {
					if r.Body != "" {
						t.Errorf("204 with a body: %q", r.Body)
					}
				}},
			{Name: "it is gone", Method: "GET", URL: idURL(staffConvs, closed1.ID, ""), Token: adminTok,
				ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found", Check: func(t *testing.T, r response) {
					if n := countMessages(t, e, closed1.ID); n != 0 {
						t.Errorf("%d messages left", n)
					}
				}},
			{Name: "bulk delete of closed ones", Method: "POST", URL: staffConvs + "/bulk", Token: adminTok,
				Body: map[string]any{"action": "delete", "ids": []int64{closed2.ID, closed3.ID}}, ExpectedStatus: http.StatusOK,
				Check: func(t *testing.T, r response) {
					if ids := idsOf(r.list("ids")); !sameIDs(ids, []int64{closed2.ID, closed3.ID}) {
						t.Errorf("ids %v", ids)
					}
				}},
			{Name: "bulk with an unknown action", Method: "POST", URL: staffConvs + "/bulk", Token: adminTok,
				Body: map[string]any{"action": "explode", "ids": []int64{open.ID}}, ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "bulk with no ids", Method: "POST", URL: staffConvs + "/bulk", Token: adminTok,
				Body: map[string]any{"action": "close", "ids": []int64{}}, ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "bulk with 501 ids", Method: "POST", URL: staffConvs + "/bulk", Token: adminTok,
				Body: map[string]any{"action": "close", "ids": seq(501)}, ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "bulk resolve", Method: "POST", URL: staffConvs + "/bulk", Token: adminTok,
				Body: map[string]any{"action": "resolve", "ids": []int64{open.ID}}, ExpectedStatus: http.StatusOK,
				Check: func(t *testing.T, r response) {
					if c, _ := e.svc.Get(t.Context(), models.System, open.ID); c.Status != models.StatusResolved {
						t.Errorf("status %s", c.Status)
					}
				}},
			{Name: "delete non-numeric id", Method: "DELETE", URL: staffConvs + "/x1", Token: adminTok,
				ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
		})
	})
}

func idsOf(l []any) []int64 {
	var out []int64
	for _, v := range l {
		f, _ := v.(float64)
		out = append(out, int64(f))
	}
	return out
}

func seq(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i + 1)
	}
	return out
}
