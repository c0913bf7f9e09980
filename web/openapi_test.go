package web_test

import (
	"bytes"
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/web"
)

var ginParam = regexp.MustCompile(`[:*]([A-Za-z_][A-Za-z0-9_]*)`)

// openAPIPath turns a gin route path into its OpenAPI form (":id" → "{id}").
func openAPIPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// TestOpenAPIDescribesEveryRoute: every route under /api/v1 is described
// in web/openapi.json, and every described route exists. A route added
// without its description fails here, named.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(web.OpenAPIDocument)
	if err != nil {
		t.Fatalf("web/openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("web/openapi.json is not a valid OpenAPI 3 document: %v", err)
	}
	st := newEnv(t, openSQLite(t))
	routes := web.NewAPI(st.svc, st.acc).Routes()
	served := map[string]bool{}
	var missing []string
	for _, r := range routes {
		if !strings.HasPrefix(r.Path, web.APIPrefix+"/") {
			continue
		}
		p := openAPIPath(r.Path)
		served[r.Method+" "+p] = true
		item := doc.Paths.Value(p)
		if item == nil || item.GetOperation(r.Method) == nil {
			missing = append(missing, r.Method+" "+p+" (gin route "+r.Path+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("route %s is not described in web/openapi.json: add its operation under \"paths\"", m)
	}
	var ghosts []string
	for p, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !served[method+" "+p] {
				ghosts = append(ghosts, method+" "+p)
			}
		}
	}
	sort.Strings(ghosts)
	for _, g := range ghosts {
		t.Errorf("web/openapi.json describes %s, which the API does not serve", g)
	}
	if len(routes) < 20 {
		t.Errorf("only %d routes found: is Routes() listing the API?", len(routes))
	}
}

// TestOpenAPIServed: GET /api/v1/openapi.json answers the embedded document.
func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	r := e.do(t, "GET", "/api/v1/openapi.json", "", nil)
	if r.Code != 200 || !bytes.Equal([]byte(r.Body), web.OpenAPIDocument) || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %q", r.Code, r.Header.Get("Content-Type"))
	}
	if r.str("openapi") == "" {
		t.Fatal("no openapi version")
	}
}

// TestOpenAPIAnswersOfExistingRoutes walks the customer and staff API of
// before issue 7 with every answer validated against the description.
func TestOpenAPIAnswersOfExistingRoutes(t *testing.T) {
	eachIdent(t, func(t *testing.T, e *env, _ string) {
		_, cust := e.customer(t, "hal@example.com")
		_, staff := e.staff(t, "olga", models.RoleOwner)
		start := e.do(t, "POST", "/api/v1/conversations", cust, map[string]any{"subject": "S", "body": "B"})
		id := start.num("conversation.id")
		e.run(t, []scenario{
			{Name: "me", Method: "GET", URL: "/api/v1/me", Token: cust, ExpectedStatus: 200},
			{Name: "list", Method: "GET", URL: "/api/v1/conversations", Token: cust, ExpectedStatus: 200},
			{Name: "open", Method: "GET", URL: idURL("/api/v1/conversations", id, ""), Token: cust, ExpectedStatus: 200},
			{Name: "send", Method: "POST", URL: idURL("/api/v1/conversations", id, "/messages"), Token: cust, Body: map[string]string{"body": "more"}, ExpectedStatus: 201},
			{Name: "not found", Method: "GET", URL: "/api/v1/conversations/999999", Token: cust, ExpectedStatus: 404},
			{Name: "staff me", Method: "GET", URL: "/api/v1/staff/me", Token: staff, ExpectedStatus: 200},
			{Name: "staff list", Method: "GET", URL: "/api/v1/staff/conversations", Token: staff, ExpectedStatus: 200},
			{Name: "staff open", Method: "GET", URL: idURL("/api/v1/staff/conversations", id, ""), Token: staff, ExpectedStatus: 200},
			{Name: "staff note", Method: "POST", URL: idURL("/api/v1/staff/conversations", id, "/messages"), Token: staff, Body: map[string]string{"body": "n", "kind": "note"}, ExpectedStatus: 201},
			{Name: "staff start", Method: "POST", URL: "/api/v1/staff/conversations", Token: staff, Body: map[string]any{"customer_id": start.num("conversation.customer_id"), "subject": "Hi", "body": "Hello"}, ExpectedStatus: 201},
			{Name: "staff patch", Method: "PATCH", URL: idURL("/api/v1/staff/conversations", id, ""), Token: staff, Body: map[string]any{"status": "CLOSED"}, ExpectedStatus: 200},
			{Name: "staff bulk", Method: "POST", URL: "/api/v1/staff/conversations/bulk", Token: staff, Body: map[string]any{"action": "resolve", "ids": []int64{id}}, ExpectedStatus: 200},
			{Name: "staff patch back", Method: "PATCH", URL: idURL("/api/v1/staff/conversations", id, ""), Token: staff, Body: map[string]any{"status": "CLOSED"}, ExpectedStatus: 200},
			{Name: "staff delete", Method: "DELETE", URL: idURL("/api/v1/staff/conversations", id, ""), Token: staff, ExpectedStatus: 204},
			{Name: "staff metrics", Method: "GET", URL: "/api/v1/staff/metrics", Token: staff, ExpectedStatus: 200},
			{Name: "staff logout", Method: "POST", URL: "/api/v1/staff/auth/logout", Token: staff, ExpectedStatus: 204},
			{Name: "logout", Method: "POST", URL: "/api/v1/auth/logout", Token: cust, ExpectedStatus: 204},
			{Name: "bad login", Method: "POST", URL: "/api/v1/auth/login", Body: map[string]string{"email": "hal@example.com", "password": "wrong password"}, ExpectedStatus: 401},
		})
	})
}

// TestOpenAPIAnswersOfNewRoutes walks the routes added after issue 7 —
// history, orders, notifications, presence, the customer directory and
// profile, quick replies, settings, blocks and audit — with every answer
// validated against the description, on lists that are not empty.
func TestOpenAPIAnswersOfNewRoutes(t *testing.T) {
	eachIdent(t, func(t *testing.T, e *env, key string) {
		ctx := context.Background()
		shop := "Bearer " + key
		if r := e.doAuth(t, "PUT", "/api/v1/integration/customers/ext-7", shop, map[string]any{"email": "ida@example.com", "name": "Ida"}); r.Code != 200 && r.Code != 201 {
			t.Fatalf("put customer: %d %s", r.Code, r.Body)
		}
		if r := e.doAuth(t, "PUT", "/api/v1/integration/orders/o-1", shop, map[string]any{"customer_external_id": "ext-7", "number": "1001",
			"status": "open", "total_cents": 1250, "currency": "EUR", "items": []map[string]any{{"name": "Mug", "quantity": 1, "price_cents": 1250}}}); r.Code != 200 && r.Code != 201 {
			t.Fatalf("put order: %d %s", r.Code, r.Body)
		}
		if r := e.doAuth(t, "PUT", "/api/v1/integration/carts/ext-7", shop, map[string]any{"items": []map[string]any{{"name": "Tea", "quantity": 2, "price_cents": 300}}}); r.Code != 200 {
			t.Fatalf("put cart: %d %s", r.Code, r.Body)
		}
		login := e.do(t, "POST", "/api/v1/auth/identity", "", map[string]string{"token": signIdentity(t, jwt.SigningMethodHS256, identitySecret, identityClaims(e, "ext-7", "ida@example.com", "Ida"))})
		cust, custID := login.str("token"), login.num("customer.id")
		if cust == "" {
			t.Fatalf("identity login: %d %s", login.Code, login.Body)
		}
		ownerActor, owner := e.staff(t, "olga", models.RoleOwner)
		start := e.do(t, "POST", "/api/v1/conversations", cust, map[string]any{"subject": "S", "body": "B", "order_id": nil})
		id := start.num("conversation.id")
		if _, err := e.svc.NotifyNewMessage(ctx, start.num("message.id")); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			r := e.do(t, "POST", idURL("/api/v1/staff/conversations", id, "/messages"), owner, map[string]string{"body": "reply " + itoa(int64(i))})
			if _, err := e.svc.NotifyNewMessage(ctx, r.num("message.id")); err != nil { // the outbox worker's part
				t.Fatal(err)
			}
		}
		if _, err := e.svc.SaveCustomerNote(ctx, ownerActor, custID, "prefers e-mail"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Block(ctx, ownerActor, inbox.BlockInput{Email: "spam@example.com", Reason: "spam"}); err != nil {
			t.Fatal(err)
		}
		qr := e.do(t, "POST", "/api/v1/staff/quick-replies", owner, map[string]string{"title": "Hi", "body": "Hello"})
		blocks := e.do(t, "GET", "/api/v1/staff/blocks", owner, nil)
		e.run(t, []scenario{
			{Name: "list with badges", Method: "GET", URL: "/api/v1/conversations?status=OPEN,AWAITING_USER&limit=5", Token: cust, ExpectedStatus: 200},
			{Name: "history", Method: "GET", URL: idURL("/api/v1/conversations", id, "/messages"), Token: cust, ExpectedStatus: 200},
			{Name: "history bad cursor", Method: "GET", URL: idURL("/api/v1/conversations", id, "/messages?cursor="), Token: cust, ExpectedStatus: 400},
			{Name: "staff history", Method: "GET", URL: idURL("/api/v1/staff/conversations", id, "/messages"), Token: owner, ExpectedStatus: 200},
			{Name: "orders", Method: "GET", URL: "/api/v1/orders", Token: cust, ExpectedStatus: 200},
			{Name: "orders with a query", Method: "GET", URL: "/api/v1/orders?x=1", Token: cust, ExpectedStatus: 400},
			{Name: "notifications", Method: "GET", URL: "/api/v1/notifications?limit=10", Token: cust, ExpectedStatus: 200,
				Check: func(t *testing.T, r response) {
					if len(r.list("items")) == 0 {
						t.Fatalf("no notifications: %s", r.Body)
					}
				}},
			{Name: "staff notifications", Method: "GET", URL: "/api/v1/staff/notifications", Token: owner, ExpectedStatus: 200},
			{Name: "presence", Method: "POST", URL: "/api/v1/presence", Token: cust, ExpectedStatus: 204},
			{Name: "staff presence", Method: "POST", URL: "/api/v1/staff/presence", Token: owner, ExpectedStatus: 204},
			{Name: "filtered staff list", Method: "GET", URL: "/api/v1/staff/conversations?assigned_to=anyone&has_order=false&created_from=2020-01-01&customer=ida", Token: owner, ExpectedStatus: 200},
			{Name: "customers", Method: "GET", URL: "/api/v1/staff/customers", Token: owner, ExpectedStatus: 200},
			{Name: "customers q", Method: "GET", URL: "/api/v1/staff/customers?q=ida", Token: owner, ExpectedStatus: 200},
			{Name: "profile", Method: "GET", URL: idURL("/api/v1/staff/customers", custID, ""), Token: owner, ExpectedStatus: 200},
			{Name: "quick replies", Method: "GET", URL: "/api/v1/staff/quick-replies", Token: owner, ExpectedStatus: 200},
			{Name: "quick reply patch", Method: "PATCH", URL: idURL("/api/v1/staff/quick-replies", qr.num("id"), ""), Token: owner, Body: map[string]string{"title": "Hello"}, ExpectedStatus: 200},
			{Name: "quick reply delete", Method: "DELETE", URL: idURL("/api/v1/staff/quick-replies", qr.num("id"), ""), Token: owner, ExpectedStatus: 204},
			{Name: "settings", Method: "GET", URL: "/api/v1/staff/settings", Token: owner, ExpectedStatus: 200},
			{Name: "settings patch", Method: "PATCH", URL: "/api/v1/staff/settings", Token: owner, Body: map[string]any{"retention_days": 30, "distribution_mode": "auto"}, ExpectedStatus: 200},
			{Name: "settings bad key", Method: "PATCH", URL: "/api/v1/staff/settings", Token: owner, Body: map[string]any{"nope": 1}, ExpectedStatus: 400},
			{Name: "metrics", Method: "GET", URL: "/api/v1/staff/metrics", Token: owner, ExpectedStatus: 200},
			{Name: "unblock", Method: "DELETE", URL: "/api/v1/staff/blocks/" + itoa(int64(blocks.get("blocks").([]any)[0].(map[string]any)["id"].(float64))), Token: owner, ExpectedStatus: 204},
			{Name: "audit", Method: "GET", URL: "/api/v1/staff/audit", Token: owner, ExpectedStatus: 200,
				Check: func(t *testing.T, r response) {
					if len(r.list("entries")) == 0 {
						t.Fatalf("no audit entries: %s", r.Body)
					}
				}},
		})
	})
}
