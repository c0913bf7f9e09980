package web_test

import (
	"net/http"
	"testing"

	"github.com/parleyhq/parley/models"
)

// Issue 6: quick replies: chat admins and up manage them, all staff use
// them, unknown variables are refused on save.
func TestStaffQuickRepliesAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		_, tokAgent := e.staff(t, "agent1", models.RoleAgent)
		_, tokAdmin := e.staff(t, "chief", models.RoleChatAdmin)
		_, tokCust := e.customer(t, "c1@example.com")
		const qr = "/api/v1/staff/quick-replies"
		var id int64
		e.run(t, []scenario{
			{Name: "chat admin creates", Method: "POST", URL: qr, Token: tokAdmin,
				Body:           map[string]string{"title": "Greeting", "body": "Hello {customer.name}, about order {order.number}. — {agent.name}"},
				ExpectedStatus: http.StatusCreated, Check: func(t *testing.T, r response) { id = r.num("id") }},
			{Name: "unknown variable refused", Method: "POST", URL: qr, Token: tokAdmin,
				Body: map[string]string{"title": "Bad", "body": "Hi {customer.phone}"}, ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "unknown field refused", Method: "POST", URL: qr, Token: tokAdmin,
				Body: map[string]string{"title": "X", "body": "y", "owner": "me"}, ExpectedStatus: http.StatusBadRequest},
			{Name: "agent may not create", Method: "POST", URL: qr, Token: tokAgent,
				Body: map[string]string{"title": "Mine", "body": "hi"}, ExpectedStatus: http.StatusForbidden, ExpectedCode: "forbidden"},
			{Name: "agent lists", Method: "GET", URL: qr, Token: tokAgent, ExpectedStatus: http.StatusOK, Check: func(t *testing.T, r response) {
				if len(r.list("items")) != 1 || r.str("items.0.title") != "Greeting" || len(r.list("variables")) == 0 {
					t.Errorf("list: %s", r.Body)
				}
			}},
			{Name: "customer refused", Method: "GET", URL: qr, Token: tokCust, ExpectedStatus: http.StatusUnauthorized},
		})
		url := idURL(qr, id, "")
		e.run(t, []scenario{
			{Name: "agent may not patch", Method: "PATCH", URL: url, Token: tokAgent, Body: map[string]string{"title": "x"},
				ExpectedStatus: http.StatusForbidden},
			{Name: "patch title keeps body", Method: "PATCH", URL: url, Token: tokAdmin, Body: map[string]string{"title": "Hello"},
				ExpectedStatus: http.StatusOK, Check: func(t *testing.T, r response) {
					if r.str("title") != "Hello" || r.str("body") == "" {
						t.Errorf("patched: %s", r.Body)
					}
				}},
			{Name: "patch to unknown variable refused", Method: "PATCH", URL: url, Token: tokAdmin, Body: map[string]string{"body": "{nope}"},
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "agent may not delete", Method: "DELETE", URL: url, Token: tokAgent, ExpectedStatus: http.StatusForbidden},
			{Name: "chat admin deletes", Method: "DELETE", URL: url, Token: tokAdmin, ExpectedStatus: http.StatusNoContent},
			{Name: "gone", Method: "DELETE", URL: url, Token: tokAdmin, ExpectedStatus: http.StatusNotFound},
		})
	})
}
