package web_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// GET customers?q=, GET blocks, DELETE blocks/{id}, GET audit: chat admins
// (audit: admins) and up; agents are refused; strict query strings.
func TestStaffDirectoryAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		_, owner := e.staff(t, "owner1", models.RoleOwner)
		chatA, chat := e.staff(t, "chat1", models.RoleChatAdmin)
		_, agent := e.staff(t, "agent1", models.RoleAgent)
		cu, err := e.acc.CreateCustomer(ctx, "xss@example.com", `<script>alert(1)</script> Eve`, "")
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.svc.Block(ctx, chatA, inbox.BlockInput{CustomerID: &cu.ID, Reason: "spam"})
		if err != nil {
			t.Fatal(err)
		}
		e.run(t, []scenario{
			{Name: "agent cannot list customers", Method: "GET", URL: "/api/v1/staff/customers?q=x", Token: agent, ExpectedStatus: 403},
			{Name: "agent cannot list blocks", Method: "GET", URL: "/api/v1/staff/blocks", Token: agent, ExpectedStatus: 403},
			{Name: "chat admin cannot read the audit log", Method: "GET", URL: "/api/v1/staff/audit", Token: chat, ExpectedStatus: 403},
			{Name: "search by name", Method: "GET", URL: "/api/v1/staff/customers?q=%3Cscript", Token: chat, ExpectedStatus: 200,
				Check: func(t *testing.T, r response) {
					if ids := r.ids("customers"); len(ids) != 1 || ids[0] != cu.ID || r.str("customers.0.name") != cu.Name || r.get("next_cursor") != nil {
						t.Errorf("search: %s", r.Body)
					}
				}},
			{Name: "search by e-mail", Method: "GET", URL: "/api/v1/staff/customers?q=XSS%40", Token: chat, ExpectedStatus: 200,
				Check: func(t *testing.T, r response) {
					if ids := r.ids("customers"); len(ids) != 1 {
						t.Errorf("search: %s", r.Body)
					}
				}},
			{Name: "unknown parameter", Method: "GET", URL: "/api/v1/staff/customers?query=x", Token: chat, ExpectedStatus: 400},
			{Name: "repeated parameter", Method: "GET", URL: "/api/v1/staff/customers?q=a&q=b", Token: chat, ExpectedStatus: 400},
			{Name: "bad cursor", Method: "GET", URL: "/api/v1/staff/customers?cursor=-1", Token: chat, ExpectedStatus: 400},
			{Name: "blocks", Method: "GET", URL: "/api/v1/staff/blocks", Token: chat, ExpectedStatus: 200,
				Check: func(t *testing.T, r response) {
					if ids := r.ids("blocks"); len(ids) != 1 || ids[0] != b.ID || r.str("blocks.0.created_by_name") != "chat1" {
						t.Errorf("blocks: %s", r.Body)
					}
				}},
			{Name: "unknown block", Method: "DELETE", URL: idURL("/api/v1/staff/blocks", 999999, ""), Token: agent, ExpectedStatus: 404},
			{Name: "unblock", Method: "DELETE", URL: idURL("/api/v1/staff/blocks", b.ID, ""), Token: chat, ExpectedStatus: 204},
			{Name: "unblock again", Method: "DELETE", URL: idURL("/api/v1/staff/blocks", b.ID, ""), Token: chat, ExpectedStatus: 404},
			{Name: "audit filtered", Method: "GET", URL: "/api/v1/staff/audit?actor=chat1&action=customer.unblock&target=block:" + itoa(b.ID) + "&from=2000-01-01", Token: owner, ExpectedStatus: 200,
				Check: func(t *testing.T, r response) {
					if len(r.list("entries")) != 1 || r.str("entries.0.action") != "customer.unblock" || r.get("entries.0.before") == nil {
						t.Errorf("audit: %s", r.Body)
					}
				}},
			{Name: "audit bad date", Method: "GET", URL: "/api/v1/staff/audit?from=yesterday", Token: owner, ExpectedStatus: 400},
			{Name: "audit bad target", Method: "GET", URL: "/api/v1/staff/audit?target=block:x", Token: owner, ExpectedStatus: 400},
			{Name: "audit reversed range", Method: "GET", URL: "/api/v1/staff/audit?from=2030-01-02&to=2030-01-01", Token: owner, ExpectedStatus: 400},
		})
	})
}
