package web_test

import (
	"net/http"
	"testing"

	"github.com/parleyhq/parley/models"
)

const staffConvs = "/api/v1/staff/conversations"

// R6/R6a: an agent sees unassigned conversations and their own; anything
// else is invisible (404) through every endpoint; chat admins see all.
func TestAgentSeesOnlyUnassignedAndOwn(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		agent1, tok1 := e.staff(t, "agent1", models.RoleAgent)
		agent2, _ := e.staff(t, "agent2", models.RoleAgent)
		_, tokAdmin := e.staff(t, "chief", models.RoleChatAdmin)
		cust, _ := e.customer(t, "c1@example.com")

		free := e.start(t, cust, 0, "unassigned")
		own := e.start(t, cust, 0, "agent1's")
		other := e.start(t, cust, 0, "agent2's")
		e.assign(t, own.ID, &agent1.ID)
		e.assign(t, other.ID, &agent2.ID)
		otherURL := idURL(staffConvs, other.ID, "")
		before := countMessages(t, e, other.ID)

		e.run(t, []scenario{
			{Name: "agent1 lists unassigned and own", Method: "GET", URL: staffConvs, Token: tok1, ExpectedStatus: http.StatusOK,
				Check: func(t *testing.T, r response) {
					if got := r.ids("items"); !sameIDs(got, []int64{free.ID, own.ID}) {
						t.Errorf("agent1 sees %v, want %v", got, []int64{free.ID, own.ID})
					}
				}},
			{Name: "agent1 filtering by agent2 sees nothing", Method: "GET", URL: staffConvs + "?assigned_to=" + itoa(agent2.ID), Token: tok1,
				ExpectedStatus: http.StatusOK, Check: func(t *testing.T, r response) {
					if got := r.ids("items"); len(got) != 0 {
						t.Errorf("agent1 sees %v of agent2's", got)
					}
				}},
			{Name: "chat admin lists all", Method: "GET", URL: staffConvs, Token: tokAdmin, ExpectedStatus: http.StatusOK,
				Check: func(t *testing.T, r response) {
					if got := r.ids("items"); !sameIDs(got, []int64{free.ID, own.ID, other.ID}) {
						t.Errorf("chat admin sees %v", got)
					}
				}},
			{Name: "GET agent2's thread", Method: "GET", URL: otherURL, Token: tok1, ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "reply to agent2's thread", Method: "POST", URL: otherURL + "/messages", Token: tok1,
				Body: map[string]string{"body": "hi", "kind": "reply"}, ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "note on agent2's thread", Method: "POST", URL: otherURL + "/messages", Token: tok1,
				Body: map[string]string{"body": "hi", "kind": "note"}, ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "PATCH status of agent2's thread", Method: "PATCH", URL: otherURL, Token: tok1,
				Body: map[string]any{"status": "RESOLVED"}, ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			// Taking a thread someone else holds is a lost "take it" (R6): 409,
			// saying only that it is taken.
			{Name: "PATCH take agent2's thread", Method: "PATCH", URL: otherURL, Token: tok1,
				Body: map[string]any{"assigned_to": agent1.ID}, ExpectedStatus: http.StatusConflict, ExpectedCode: "conflict"},
			{Name: "PATCH nothing on agent2's thread", Method: "PATCH", URL: otherURL, Token: tok1,
				Body: map[string]any{}, ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "DELETE agent2's thread", Method: "DELETE", URL: otherURL, Token: tok1, ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "bulk close with agent2's thread", Method: "POST", URL: staffConvs + "/bulk", Token: tok1,
				Body: map[string]any{"action": "close", "ids": []int64{free.ID, other.ID}}, ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "GET unknown id looks the same", Method: "GET", URL: idURL(staffConvs, other.ID+1000, ""), Token: tok1,
				ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "agent1 opens own", Method: "GET", URL: idURL(staffConvs, own.ID, ""), Token: tok1, ExpectedStatus: http.StatusOK},
			{Name: "agent1 opens unassigned", Method: "GET", URL: idURL(staffConvs, free.ID, ""), Token: tok1, ExpectedStatus: http.StatusOK},
			{Name: "chat admin opens agent2's", Method: "GET", URL: otherURL, Token: tokAdmin, ExpectedStatus: http.StatusOK,
				Check: func(t *testing.T, r response) {
					if r.num("conversation.assigned_to") != agent2.ID || r.get("conversation.is_read_by_admin") != true {
						t.Errorf("conversation %v", r.get("conversation"))
					}
				}},
		})
		// The 404s changed nothing: agent2's thread has only its first message.
		got, err := e.svc.Get(t.Context(), models.System, other.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != other.Status || got.AssignedTo == nil || *got.AssignedTo != agent2.ID || countMessages(t, e, other.ID) != before {
			t.Errorf("agent2's thread changed: %+v", got)
		}
	})
}

func countMessages(t *testing.T, e *env, id int64) int {
	t.Helper()
	ms, err := e.st.Messages(t.Context(), id, false)
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}
