package web_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

const shopCustomers = "/api/v1/integration/customers/"

func aliceAtShop() map[string]any {
	return map[string]any{"email": "Alice@Example.com", "name": "Alice Shop", "address": "1 Main St\nSpringfield",
		"marketing_opt_in": true, "created_at": "2025-03-01T10:00:00Z"}
}

func order(customer string) map[string]any {
	return map[string]any{"customer_external_id": customer, "number": "A-1001", "status": "open", "total_cents": 4200,
		"currency": "EUR", "items": []map[string]any{{"name": "Mug", "quantity": 2, "price_cents": 2100}}}
}

// TestIntegrationKeysOnlyOnIntegration: the integration API takes
// integration keys only, and integration keys work nowhere else.
func TestIntegrationKeysOnlyOnIntegration(t *testing.T) {
	eachIdent(t, func(t *testing.T, e *env, key string) {
		_, cust := e.customer(t, "carol@example.com")
		_, staff := e.staff(t, "sam", models.RoleOwner)
		url := shopCustomers + "c-1"
		e.run(t, []scenario{
			{Name: "no key", Method: "PUT", URL: url, Body: aliceAtShop(), ExpectedStatus: 401, ExpectedCode: "unauthorized"},
			{Name: "customer token", Method: "PUT", URL: url, Token: cust, Body: aliceAtShop(), ExpectedStatus: 401},
			{Name: "staff token", Method: "PUT", URL: url, Token: staff, Body: aliceAtShop(), ExpectedStatus: 401},
			{Name: "made-up key", Method: "PUT", URL: url, Token: "pk_" + strings.Repeat("A", 43), Body: aliceAtShop(), ExpectedStatus: 401},
			{Name: "key on the customer API", Method: "GET", URL: "/api/v1/me", Token: key, ExpectedStatus: 401},
			{Name: "key on the staff API", Method: "GET", URL: "/api/v1/staff/me", Token: key, ExpectedStatus: 401},
			{Name: "key", Method: "PUT", URL: url, Token: key, Body: aliceAtShop(), ExpectedStatus: 200},
		})
		if err := e.acc.RevokeAPIKey(context.Background(), models.System, "shop"); err != nil {
			t.Fatal(err)
		}
		e.run(t, []scenario{{Name: "revoked key", Method: "PUT", URL: url, Token: key, Body: aliceAtShop(), ExpectedStatus: 401}})
	})
}

// TestIntegrationUpserts: idempotent upserts, 400 naming the field, 409
// for an order of an unknown customer or a linked order's delete.
func TestIntegrationUpserts(t *testing.T) {
	eachIdent(t, func(t *testing.T, e *env, key string) {
		first := e.do(t, "PUT", shopCustomers+"c-1", key, aliceAtShop())
		if first.Code != 200 || first.str("email") != "alice@example.com" || first.str("created_at") != "2025-03-01T10:00:00Z" {
			t.Fatalf("put customer: %d %s", first.Code, first.Body)
		}
		renamed := aliceAtShop()
		renamed["name"] = "Alice Renamed"
		again := e.do(t, "PUT", shopCustomers+"c-1", key, renamed)
		if again.num("id") != first.num("id") || again.str("name") != "Alice Renamed" {
			t.Fatalf("second put made another customer or kept the old name: %s then %s", first.Body, again.Body)
		}
		bad := func(field string, mutate func(m map[string]any)) scenario {
			b := aliceAtShop()
			mutate(b)
			return scenario{Name: "bad " + field, Method: "PUT", URL: shopCustomers + "c-2", Token: key, Body: b, ExpectedStatus: 400,
				Check: func(t *testing.T, r response) {
					if !strings.Contains(r.str("error.message"), field) {
						t.Errorf("message %q does not name %s", r.str("error.message"), field)
					}
				}}
		}
		badOrder := func(field string, mutate func(m map[string]any)) scenario {
			b := order("c-1")
			mutate(b)
			return scenario{Name: "bad order " + field, Method: "PUT", URL: "/api/v1/integration/orders/o-9", Token: key, Body: b, ExpectedStatus: 400,
				Check: func(t *testing.T, r response) {
					if !strings.Contains(r.str("error.message"), field) {
						t.Errorf("message %q does not name %s", r.str("error.message"), field)
					}
				}}
		}
		e.run(t, []scenario{
			bad("email", func(m map[string]any) { delete(m, "email") }),
			bad("email", func(m map[string]any) { m["email"] = "not an address" }),
			bad("marketing_opt_in", func(m map[string]any) { m["marketing_opt_in"] = "yes" }),
			bad("created_at", func(m map[string]any) { m["created_at"] = "yesterday" }),
			bad("Email", func(m map[string]any) { m["Email"] = "x@example.com" }),
			bad("name", func(m map[string]any) { m["name"] = strings.Repeat("n", 256) }),
			{Name: "bad external id", Method: "PUT", URL: shopCustomers + "c%20x", Token: key, Body: aliceAtShop(), ExpectedStatus: 400},
			badOrder("status", func(m map[string]any) { m["status"] = "shipped" }),
			badOrder("currency", func(m map[string]any) { m["currency"] = "eur" }),
			badOrder("total_cents", func(m map[string]any) { m["total_cents"] = -1 }),
			badOrder("items[0].quantity", func(m map[string]any) {
				m["items"] = []map[string]any{{"name": "Mug", "quantity": 0, "price_cents": 1}}
			}),
			badOrder("items[0].name", func(m map[string]any) { m["items"] = []map[string]any{{"name": "", "quantity": 1, "price_cents": 1}} }),
			badOrder("number", func(m map[string]any) { m["number"] = "" }),
			{Name: "order of an unknown customer", Method: "PUT", URL: "/api/v1/integration/orders/o-1", Token: key, Body: order("nobody"),
				ExpectedStatus: 409, ExpectedCode: "conflict"},
			{Name: "order", Method: "PUT", URL: "/api/v1/integration/orders/o-1", Token: key, Body: order("c-1"), ExpectedStatus: 200,
				Check: func(t *testing.T, r response) {
					if r.str("status") != "open" || len(r.list("items")) != 1 || r.num("items.0.quantity") != 2 {
						t.Errorf("order: %s", r.Body)
					}
				}},
			{Name: "order again", Method: "PUT", URL: "/api/v1/integration/orders/o-1", Token: key, Body: order("c-1"), ExpectedStatus: 200},
			{Name: "cart", Method: "PUT", URL: "/api/v1/integration/carts/c-1", Token: key,
				Body: map[string]any{"items": []map[string]any{{"name": "Tea", "quantity": 1, "price_cents": 500}}}, ExpectedStatus: 200,
				Check: func(t *testing.T, r response) {
					if r.str("items.0.name") != "Tea" {
						t.Errorf("cart: %s", r.Body)
					}
				}},
			{Name: "cart of an unknown customer", Method: "PUT", URL: "/api/v1/integration/carts/nobody", Token: key,
				Body: map[string]any{"items": []map[string]any{}}, ExpectedStatus: 404},
		})
		var orders, customers int
		e.st.DB.QueryRow(`SELECT COUNT(*) FROM orders WHERE external_id = 'o-1'`).Scan(&orders)
		e.st.DB.QueryRow(`SELECT COUNT(*) FROM customers WHERE external_id = 'c-1'`).Scan(&customers)
		if orders != 1 || customers != 1 {
			t.Fatalf("%d orders, %d customers after repeated puts; want 1 and 1", orders, customers)
		}

		// A conversation links the order: it cannot be deleted.
		cid := first.num("id")
		o, err := e.st.ShopOrderByExternal(context.Background(), "o-1")
		if err != nil {
			t.Fatal(err)
		}
		_, cust := e.loginAsShopCustomer(t, "c-1")
		r := e.do(t, "POST", "/api/v1/conversations", cust, map[string]any{"subject": "Where is my order?", "body": "Hello", "order_id": o.ID})
		if r.Code != 201 {
			t.Fatalf("start about the order: %d %s", r.Code, r.Body)
		}
		_ = cid
		e.run(t, []scenario{
			{Name: "delete linked order", Method: "DELETE", URL: "/api/v1/integration/orders/o-1", Token: key, ExpectedStatus: 409},
			{Name: "empty the cart", Method: "DELETE", URL: "/api/v1/integration/carts/c-1", Token: key, ExpectedStatus: 204},
		})
		if items, _ := e.st.CartItems(context.Background(), cid); len(items) != 0 {
			t.Errorf("cart still holds %d items", len(items))
		}
		e.do(t, "PUT", "/api/v1/integration/orders/o-2", key, order("c-1"))
		if r := e.do(t, "PUT", "/api/v1/integration/orders/o-2", key, order("c-1")); r.Code != 409 {
			t.Errorf("a second order under an existing number: %d %s", r.Code, r.Body)
		}
		o3 := order("c-1")
		o3["number"] = "A-1003"
		e.do(t, "PUT", "/api/v1/integration/orders/o-3", key, o3)
		e.run(t, []scenario{
			{Name: "delete unlinked order", Method: "DELETE", URL: "/api/v1/integration/orders/o-3", Token: key, ExpectedStatus: 204},
			{Name: "delete it again", Method: "DELETE", URL: "/api/v1/integration/orders/o-3", Token: key, ExpectedStatus: 404},
		})
	})
}

// loginAsShopCustomer signs in the shop customer with that external id
// through a signed identity token.
func (e *env) loginAsShopCustomer(t *testing.T, externalID string) (int64, string) {
	t.Helper()
	tok := signIdentity(t, jwtHS256, identitySecret, identityClaims(e, externalID, "", ""))
	r := e.do(t, "POST", "/api/v1/auth/identity", "", map[string]string{"token": tok})
	if r.Code != 200 {
		t.Fatalf("identity login of %s: %d %s", externalID, r.Code, r.Body)
	}
	return r.num("customer.id"), r.str("token")
}

// TestIntegrationConcurrentUpserts: simultaneous PUTs of one id make one row.
func TestIntegrationConcurrentUpserts(t *testing.T) {
	eachIdent(t, func(t *testing.T, e *env, key string) {
		var wg sync.WaitGroup
		codes := make([]int, 8)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = e.do(t, "PUT", shopCustomers+"same", key, aliceAtShop()).Code
			}()
		}
		wg.Wait()
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o := order("same")
				o["number"] = "N-" + itoa(int64(i%2))
				if i%2 == 1 {
					o["number"] = "N-0"
				}
				codes[i] = e.do(t, "PUT", "/api/v1/integration/orders/same-order", key, o).Code
			}()
		}
		wg.Wait()
		for i, c := range codes {
			if c != 200 {
				t.Errorf("put %d: %d", i, c)
			}
		}
		var customers, orders int
		e.st.DB.QueryRow(`SELECT COUNT(*) FROM customers WHERE external_id = 'same'`).Scan(&customers)
		e.st.DB.QueryRow(`SELECT COUNT(*) FROM orders WHERE external_id = 'same-order'`).Scan(&orders)
		if customers != 1 || orders != 1 {
			t.Fatalf("%d customers and %d orders after concurrent puts of one id", customers, orders)
		}
	})
}

// TestIntegrationCustomerCanBeMessagedByStaff: a customer the shop created
// can be messaged by staff (R5) and reads the message once signed in.
func TestIntegrationCustomerCanBeMessagedByStaff(t *testing.T) {
	eachIdent(t, func(t *testing.T, e *env, key string) {
		r := e.do(t, "PUT", shopCustomers+"c-77", key, aliceAtShop())
		if r.Code != 200 {
			t.Fatalf("put: %d %s", r.Code, r.Body)
		}
		agent, _ := e.staff(t, "agnes", models.RoleAgent)
		c, _, err := e.svc.Start(context.Background(), agent, inbox.StartInput{CustomerID: r.num("id"), Subject: "Your order", Body: "It shipped today."})
		if err != nil {
			t.Fatalf("staff start with an integration customer: %v", err)
		}
		if c.CustomerEmail != "alice@example.com" || c.CustomerName != "Alice Shop" {
			t.Errorf("conversation customer %q <%s>", c.CustomerName, c.CustomerEmail)
		}
		_, tok := e.loginAsShopCustomer(t, "c-77")
		got := e.do(t, "GET", idURL("/api/v1/conversations", c.ID, ""), tok, nil)
		if got.Code != 200 || got.str("messages.0.body") != "It shipped today." {
			t.Fatalf("customer reading the staff message: %d %s", got.Code, got.Body)
		}
	})
}

// TestIntegrationErasure: DELETE of a customer erases them and their data,
// keeping one audit entry without content.
func TestIntegrationErasure(t *testing.T) {
	eachIdent(t, func(t *testing.T, e *env, key string) {
		ctx := context.Background()
		put := e.do(t, "PUT", shopCustomers+"gone", key, aliceAtShop())
		id := put.num("id")
		e.do(t, "PUT", "/api/v1/integration/orders/gone-1", key, order("gone"))
		_, tok := e.loginAsShopCustomer(t, "gone")
		r := e.do(t, "POST", "/api/v1/conversations", tok, map[string]any{"subject": "Secret subject", "body": "my secret body"})
		if r.Code != 201 {
			t.Fatalf("start: %d %s", r.Code, r.Body)
		}
		conv := r.num("conversation.id")
		agent, _ := e.staff(t, "agnes", models.RoleChatAdmin)
		if _, _, err := e.svc.Send(ctx, agent, conv, models.KindReply, "a reply"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ChangeStatus(ctx, agent, conv, models.StatusEscalated, "refund for the secret"); err != nil {
			t.Fatal(err)
		}
		// Someone else's conversation stays.
		_, other := e.customer(t, "bob@example.com")
		e.do(t, "POST", "/api/v1/conversations", other, map[string]any{"subject": "Bob's", "body": "hi"})

		del := e.do(t, "DELETE", shopCustomers+"gone", key, nil)
		if del.Code != 200 || del.num("erased.conversations") != 1 || del.num("erased.messages") < 2 {
			t.Fatalf("erase: %d %s", del.Code, del.Body)
		}
		for _, q := range []string{
			`SELECT COUNT(*) FROM customers WHERE id = ?`,
			`SELECT COUNT(*) FROM conversations WHERE customer_id = ?`,
			`SELECT COUNT(*) FROM orders WHERE customer_id = ?`,
			`SELECT COUNT(*) FROM api_tokens WHERE subject_id = ? AND subject_type = 'customer'`,
			`SELECT COUNT(*) FROM notifications WHERE recipient_type = 'customer' AND recipient_id = ?`,
		} {
			var n int
			if err := e.st.DB.QueryRow(q, id).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s: %d left (%v)", q, n, err)
			}
		}
		var msgs int
		e.st.DB.QueryRow(`SELECT COUNT(*) FROM messages WHERE conversation_id = ?`, conv).Scan(&msgs)
		if msgs != 0 {
			t.Errorf("%d messages left", msgs)
		}
		if r := e.do(t, "GET", "/api/v1/me", tok, nil); r.Code != 401 {
			t.Errorf("the erased customer's token: %d", r.Code)
		}
		var total, erase int
		var leaks int
		e.st.DB.QueryRow(`SELECT COUNT(*) FROM conversations`).Scan(&total)
		e.st.DB.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'customer.erase' AND subject_id = ?`, id).Scan(&erase)
		e.st.DB.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE before_json LIKE '%secret%' OR after_json LIKE '%secret%'
			OR actor_name LIKE '%alice%' OR before_json LIKE '%alice%' OR after_json LIKE '%alice%'`).Scan(&leaks)
		if total != 1 || erase != 1 || leaks != 0 {
			t.Errorf("after erasure: %d conversations (want bob's 1), %d erase entries (want 1), %d audit entries with content (want 0)", total, erase, leaks)
		}
		if r := e.do(t, "DELETE", shopCustomers+"gone", key, nil); r.Code != 404 {
			t.Errorf("erasing again: %d", r.Code)
		}
	})
}
