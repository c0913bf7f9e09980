package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
)

// The API's edges: unknown routes and methods answer JSON, logout revokes,
// timestamps are RFC 3339 UTC, staff start conversations (R5).
func TestRoutesAndShapes(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		cust, custTok := e.customer(t, "c1@example.com")
		_, staffTok := e.staff(t, "agent1", models.RoleAgent)
		_, byeTok := e.staff(t, "leaving", models.RoleAgent)
		utc := func(paths ...string) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				for _, p := range paths {
					s := r.str(p)
					ts, err := time.Parse(time.RFC3339Nano, s)
					if err != nil || ts.Location() != time.UTC || s[len(s)-1] != 'Z' {
						t.Errorf("%s = %q is not RFC 3339 UTC", p, s)
					}
				}
			}
		}
		e.run(t, []scenario{
			{Name: "unknown route", Method: "GET", URL: "/api/v1/nope", ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "unknown staff route", Method: "GET", URL: "/api/v1/staff/nope", Token: staffTok, ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "trailing slash", Method: "GET", URL: "/api/v1/me/", Token: custTok, ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "too deep", Method: "GET", URL: "/api/v1/conversations/1/messages/2", Token: custTok, ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "wrong method", Method: "DELETE", URL: "/api/v1/me", Token: custTok, ExpectedStatus: http.StatusMethodNotAllowed,
				Check: func(t *testing.T, r response) {
					if r.Header.Get("Allow") != "GET" {
						t.Errorf("Allow %q", r.Header.Get("Allow"))
					}
				}},
			{Name: "customers do not PATCH", Method: "PATCH", URL: custConvs + "/1", Token: custTok, Body: map[string]any{"status": "CLOSED"},
				ExpectedStatus: http.StatusMethodNotAllowed},
			{Name: "staff starts a conversation", Method: "POST", URL: staffConvs, Token: staffTok,
				Body: map[string]any{"customer_id": cust.ID, "subject": "Your order", "body": "We have news"}, ExpectedStatus: http.StatusCreated,
				Check: func(t *testing.T, r response) {
					if r.str("conversation.status") != "AWAITING_USER" || r.num("conversation.customer_id") != cust.ID || r.str("message.author_type") != "staff" {
						t.Errorf("%s", r.Body)
					}
					utc("conversation.created_at", "conversation.last_message_at", "message.created_at")(t, r)
				}},
			{Name: "staff start without customer", Method: "POST", URL: staffConvs, Token: staffTok,
				Body: map[string]any{"subject": "x", "body": "y"}, ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "staff start for unknown customer", Method: "POST", URL: staffConvs, Token: staffTok,
				Body: map[string]any{"customer_id": 9999, "subject": "x", "body": "y"}, ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "order of nobody", Method: "POST", URL: custConvs, Token: custTok,
				Body: map[string]any{"subject": "x", "body": "y", "order_id": 12345}, ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "customer lists the outreach", Method: "GET", URL: custConvs, Token: custTok, ExpectedStatus: http.StatusOK,
				Check: func(t *testing.T, r response) {
					if len(r.list("items")) != 1 || r.str("items.0.last_message_preview") != "We have news" || r.get("items.0.is_read_by_user") != false {
						t.Errorf("%s", r.Body)
					}
					utc("items.0.created_at", "items.0.last_message_at")(t, r)
				}},
			{Name: "customer login answers UTC expiry", Method: "POST", URL: "/api/v1/auth/login", Body: map[string]string{"email": "C1@Example.com", "password": password},
				ExpectedStatus: http.StatusOK, Check: utc("expires_at")},
			{Name: "staff logout", Method: "POST", URL: "/api/v1/staff/auth/logout", Token: byeTok, ExpectedStatus: http.StatusNoContent},
			{Name: "logged out staff token", Method: "GET", URL: "/api/v1/staff/me", Token: byeTok, ExpectedStatus: http.StatusUnauthorized,
				ExpectedMessage: models.MsgUnauthorized},
			{Name: "login without body", Method: "POST", URL: "/api/v1/staff/auth/login", ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
		})
	})
}
