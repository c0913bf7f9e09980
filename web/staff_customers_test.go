package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
)

// Issue 6: GET /staff/customers/{id} is the customer panel's data, with
// only the conversations the caller may see: agent1 never sees agent2's.
func TestStaffCustomerProfileScope(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		agent1, tok1 := e.staff(t, "agent1", models.RoleAgent)
		agent2, _ := e.staff(t, "agent2", models.RoleAgent)
		_, tokAdmin := e.staff(t, "chief", models.RoleChatAdmin)
		cust, tokCust := e.customer(t, "c1@example.com")
		ctx := context.Background()
		o := models.Order{CustomerID: cust.ID, Number: "A-100", Status: "open", TotalCents: 4250, Currency: "EUR", CreatedAt: time.Now().UTC(),
			Items: []models.OrderItem{{SKU: "MUG", Name: "Mug", Quantity: 2, PriceCents: 2125}}}
		if err := e.st.InsertOrder(ctx, &o); err != nil {
			t.Fatal(err)
		}
		if err := e.st.InsertCart(ctx, cust.ID, []models.OrderItem{{SKU: "TEA", Name: "Tea", Quantity: 1, PriceCents: 900}}, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SaveCustomerNote(ctx, agent1, cust.ID, `<img src=x onerror=alert(1)> prefers e-mail`); err != nil {
			t.Fatal(err)
		}
		free := e.start(t, cust, 0, "unassigned")
		own := e.start(t, cust, 0, "agent1's")
		other := e.start(t, cust, 0, "agent2's")
		e.assign(t, own.ID, &agent1.ID)
		e.assign(t, other.ID, &agent2.ID)
		url := idURL("/api/v1/staff/customers", cust.ID, "")

		e.run(t, []scenario{
			{Name: "agent1 sees unassigned and own only", Method: "GET", URL: url, Token: tok1, ExpectedStatus: http.StatusOK,
				Check: func(t *testing.T, r response) {
					if got := r.ids("conversations"); !sameIDs(got, []int64{free.ID, own.ID}) {
						t.Errorf("agent1 sees conversations %v, want %v (never agent2's %d)", got, []int64{free.ID, own.ID}, other.ID)
					}
					if r.str("email") != "c1@example.com" || r.str("orders.0.number") != "A-100" || r.num("orders.0.total_cents") != 4250 {
						t.Errorf("profile: %s", r.Body)
					}
					if r.str("cart.items.0.sku") != "TEA" || r.str("note.body") != `<img src=x onerror=alert(1)> prefers e-mail` {
						t.Errorf("cart or note: %s", r.Body)
					}
				}},
			{Name: "chat admin sees all three", Method: "GET", URL: url, Token: tokAdmin, ExpectedStatus: http.StatusOK,
				Check: func(t *testing.T, r response) {
					if got := r.ids("conversations"); !sameIDs(got, []int64{free.ID, own.ID, other.ID}) {
						t.Errorf("chat admin sees %v", got)
					}
				}},
			{Name: "unknown customer", Method: "GET", URL: idURL("/api/v1/staff/customers", cust.ID+1000, ""), Token: tok1,
				ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "customer token", Method: "GET", URL: url, Token: tokCust, ExpectedStatus: http.StatusUnauthorized},
			{Name: "id not a plain decimal", Method: "GET", URL: "/api/v1/staff/customers/+1", Token: tok1, ExpectedStatus: http.StatusNotFound},
		})
	})
}
