package web_test

import (
	"bytes"
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

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
