package web_test

import (
	"net/http"
	"testing"

	"github.com/parleyhq/parley/models"
)

// PATCH: absent = unchanged, "assigned_to": null unassigns, assignment
// then status; leaving ESCALATED is for chat admins and up.
func TestPatchConversation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		agent, agentTok := e.staff(t, "agent1", models.RoleAgent)
		_, adminTok := e.staff(t, "chief", models.RoleChatAdmin)
		cust, _ := e.customer(t, "c1@example.com")
		conv := e.start(t, cust, 0, "patch me")
		other := e.start(t, cust, 0, "take and resolve")
		url := idURL(staffConvs, conv.ID, "")
		expect := func(status string, assigned any) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				if r.str("conversation.status") != status {
					t.Errorf("status %q, want %q", r.str("conversation.status"), status)
				}
				got := r.get("conversation.assigned_to")
				if f, ok := got.(float64); ok {
					got = int64(f)
				}
				if got != assigned {
					t.Errorf("assigned_to %v, want %v", got, assigned)
				}
				if _, ok := r.get("conversation").(map[string]any)["assigned_to"]; !ok {
					t.Errorf("assigned_to missing from %s", r.Body)
				}
			}
		}
		e.run(t, []scenario{
			{Name: "empty patch changes nothing", Method: "PATCH", URL: url, Token: adminTok, Body: map[string]any{},
				ExpectedStatus: http.StatusOK, Check: expect("OPEN", nil)},
			{Name: "status only", Method: "PATCH", URL: url, Token: adminTok, Body: map[string]any{"status": "RESOLVED", "reason": "done"},
				ExpectedStatus: http.StatusOK, Check: expect("RESOLVED", nil)},
			{Name: "assign only keeps status", Method: "PATCH", URL: url, Token: adminTok, Body: map[string]any{"assigned_to": agent.ID},
				ExpectedStatus: http.StatusOK, Check: expect("RESOLVED", agent.ID)},
			{Name: "status only keeps assignee", Method: "PATCH", URL: url, Token: adminTok, Body: map[string]any{"status": "AWAITING_USER"},
				ExpectedStatus: http.StatusOK, Check: expect("AWAITING_USER", agent.ID)},
			{Name: "null unassigns, status unchanged", Method: "PATCH", URL: url, Token: adminTok, Body: `{"assigned_to": null}`,
				ExpectedStatus: http.StatusOK, Check: expect("AWAITING_USER", nil)},
			{Name: "invalid status", Method: "PATCH", URL: url, Token: adminTok, Body: map[string]any{"status": "DONE"},
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "invalid status applies no assignment", Method: "PATCH", URL: url, Token: adminTok, Body: map[string]any{"status": "DONE", "assigned_to": agent.ID},
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid", Check: func(t *testing.T, r response) {
					if c, _ := e.svc.Get(t.Context(), models.System, conv.ID); c.AssignedTo != nil {
						t.Errorf("assigned to %d despite the 400", *c.AssignedTo)
					}
				}},
			{Name: "status null", Method: "PATCH", URL: url, Token: adminTok, Body: `{"status": null}`,
				ExpectedStatus: http.StatusOK, Check: expect("AWAITING_USER", nil)},
			{Name: "same status", Method: "PATCH", URL: url, Token: adminTok, Body: map[string]any{"status": "AWAITING_USER"},
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "assigned_to of wrong type", Method: "PATCH", URL: url, Token: adminTok, Body: `{"assigned_to": "agent1"}`,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "assigned_to unknown staff", Method: "PATCH", URL: url, Token: adminTok, Body: map[string]any{"assigned_to": 9999},
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "unknown field", Method: "PATCH", URL: url, Token: adminTok, Body: map[string]any{"priority": "high"},
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "reason without status", Method: "PATCH", URL: url, Token: adminTok, Body: map[string]any{"reason": "why"},
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "agent takes and resolves in one", Method: "PATCH", URL: idURL(staffConvs, other.ID, ""), Token: agentTok,
				Body: map[string]any{"assigned_to": agent.ID, "status": "RESOLVED"}, ExpectedStatus: http.StatusOK, Check: expect("RESOLVED", agent.ID)},
			{Name: "agent may not assign to others", Method: "PATCH", URL: url, Token: agentTok, Body: map[string]any{"assigned_to": agent.ID + 1},
				ExpectedStatus: http.StatusForbidden, ExpectedCode: "forbidden"},
			{Name: "agent escalates", Method: "PATCH", URL: url, Token: agentTok, Body: map[string]any{"status": "ESCALATED", "reason": "refund"},
				ExpectedStatus: http.StatusOK, Check: expect("ESCALATED", nil)},
			{Name: "agent may not leave ESCALATED", Method: "PATCH", URL: url, Token: agentTok, Body: map[string]any{"status": "AWAITING_USER"},
				ExpectedStatus: http.StatusForbidden, ExpectedCode: "forbidden"},
			{Name: "chat admin leaves ESCALATED", Method: "PATCH", URL: url, Token: adminTok, Body: map[string]any{"status": "AWAITING_USER"},
				ExpectedStatus: http.StatusOK, Check: expect("AWAITING_USER", nil)},
			{Name: "non-numeric id", Method: "PATCH", URL: staffConvs + "/1e3", Token: adminTok, Body: map[string]any{},
				ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
		})
	})
}
