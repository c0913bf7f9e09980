package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/parleyhq/parley/models"
)

// Each test attacks one of GoAdmin v1.2.26's holes (guard.go lists them).

func TestHole1SortWhitelist(t *testing.T) {
	cl := login(t, newStaff(t, "chat_admin"))
	for _, q := range []string{"__sort_type=asc,(select+1)", "__sort=x%60y", "__sort=password", "__sort_type=desc;drop", "__sort=id&__sort=subject"} {
		if res := cl.get("/admin/info/conversation?" + q); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d", q, res.StatusCode)
		}
	}
	if res := cl.get("/admin/info/conversation?__sort=subject&__sort_type=asc"); res.StatusCode != http.StatusOK {
		t.Errorf("a whitelisted sort: %d", res.StatusCode)
	}
}

func TestHole2JoinKeys(t *testing.T) {
	cl := login(t, newStaff(t, "chat_admin"))
	for _, q := range []string{"x)or(1%3D1)--_goadmin_join_id=1", "status=OPEN&a_GOADMIN_JOIN_b=1", "x%5fgoadmin%5fjoin%5fy=1"} {
		if res := cl.get("/admin/info/conversation?" + q); res.StatusCode != http.StatusBadRequest {
			t.Errorf("join key in the query %s: %d", q, res.StatusCode)
		}
	}
	res := cl.post("/admin/operation/conversation_resolve", url.Values{"ids": {"1,"}, "a_goadmin_join_b": {"1"}}, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("join key in a form: %d", res.StatusCode)
	}
}

func TestHole3PageSizeClamped(t *testing.T) {
	cl := login(t, newStaff(t, "chat_admin"))
	for i := 0; i < 11; i++ {
		newConversation(t, fmt.Sprintf("page filler %d", i), "x")
	}
	res := cl.get("/admin/info/conversation?__pageSize=100000")
	if n := len(listIDs(t, res)); n > 100 {
		t.Errorf("%d rows on one page", n)
	}
	if strings.Contains(res.body, "100000") {
		t.Error("the page still carries __pageSize=100000")
	}
	if n := len(listIDs(t, cl.get("/admin/info/conversation?__pageSize=3"))); n != 10 {
		t.Errorf("__pageSize=3 gave %d rows, want 10 (the smallest offered size)", n)
	}
	if res := cl.get("/admin/info/conversation?__page=-5"); res.StatusCode != http.StatusOK {
		t.Errorf("negative page: %d", res.StatusCode)
	}
}

func TestHole4LoginRedirects(t *testing.T) {
	cl := newClient(t)
	for _, ref := range []string{"javascript:alert(1)", "https://evil.example/admin/", "//evil.example/admin/x", "/admin/../x"} {
		res := cl.get("/admin/login?ref=" + url.QueryEscape(ref))
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/admin/login" {
			t.Errorf("login?ref=%s: %d %q", ref, res.StatusCode, res.Header.Get("Location"))
		}
	}
	s := newStaff(t, "agent")
	for ref, want := range map[string]string{
		"javascript:alert(document.cookie)": "/admin/dashboard/conversation",
		"https://evil.example/":             "/admin/dashboard/conversation",
		"/admin/info/conversation":          "/admin/info/conversation",
	} {
		res := newClient(t).post("/admin/signin", url.Values{"username": {s.Username}, "password": {password}},
			map[string]string{"Referer": env.srv.URL + "/admin/login?ref=" + url.QueryEscape(ref)})
		m := res.json(t)
		data, _ := m["data"].(map[string]any)
		if res.StatusCode != http.StatusOK || data["url"] != want {
			t.Errorf("sign-in from ref %q: %d next url %v, want %s", ref, res.StatusCode, data["url"], want)
		}
	}
}

func TestHole5PreviousPath(t *testing.T) {
	agent := newStaff(t, "agent")
	c := takenBy(t, agent, "previous")
	cl := login(t, agent)
	for _, prev := range []string{`"</script><script>alert(1)</script>`, "javascript:alert(1)", "//evil.example/admin/info/conversation", "https://evil.example/"} {
		form := cl.editForm(c.ID)
		form.Set("reply_body", "hello")
		form.Set("__go_admin_previous_", prev)
		res := cl.postMultipart("/admin/edit/conversation", form, nil)
		if res.StatusCode != http.StatusBadRequest || strings.Contains(res.body, "alert(1)") {
			t.Errorf("previous %q: %d %.200s", prev, res.StatusCode, res.body)
		}
	}
	if got, _ := env.store.Conversation(context.Background(), c.ID); got.MessageCount != c.MessageCount {
		t.Error("a refused post wrote a message")
	}
}

func TestHole6Escaping(t *testing.T) {
	subject := `<script>alert(1)</script><img src=x onerror=alert(2)>`
	body := `<script>alert(3)</script><b onmouseover=alert(4)>hi</b>`
	c := newConversation(t, subject, body)
	cl := login(t, newStaff(t, "chat_admin"))
	noInjected := func(where string, doc *goquery.Document) {
		t.Helper()
		doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			if strings.Contains(s.Text(), "alert(") {
				t.Errorf("%s: injected script element: %q", where, s.Text())
			}
		})
		if n := doc.Find("img[onerror], b[onmouseover]").Length(); n > 0 {
			t.Errorf("%s: %d injected elements", where, n)
		}
	}
	list := cl.get(fmt.Sprintf("/admin/info/conversation?customer=%d", c.CustomerID)).doc(t)
	noInjected("list", list)
	if got := list.Find("a.conv-subject").First().Text(); got != subject {
		t.Errorf("list subject text %q, want %q", got, subject)
	}
	edit := cl.get(editPath(c.ID)).doc(t)
	noInjected("edit", edit)
	if got := edit.Find(".conv-reply .conv-body").First().Text(); got != body {
		t.Errorf("edit body text %q, want %q", got, body)
	}
}

func TestHole7MassAssignment(t *testing.T) {
	ctx := context.Background()
	agent := newStaff(t, "agent")
	c := takenBy(t, agent, "Original subject")
	cl := login(t, agent)
	res := cl.post("/admin/update/conversation", url.Values{"pk": {fmt.Sprint(c.ID)}, "name": {"subject"}, "value": {"pwned"}}, nil)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("inline update: %d", res.StatusCode)
	}
	for _, field := range []string{"subject", "customer_id", "assigned_to", "is_read_by_user", "customer_email"} {
		form := cl.editForm(c.ID)
		form.Set(field, "1")
		if res := cl.postMultipart("/admin/edit/conversation", form, nil); res.StatusCode != http.StatusBadRequest {
			t.Errorf("edit post with %s: %d", field, res.StatusCode)
		}
		if res := cl.postMultipart("/admin/edit/conversation?"+field+"=1", cl.editForm(c.ID), nil); res.StatusCode != http.StatusBadRequest {
			t.Errorf("edit post with %s in the query: %d", field, res.StatusCode)
		}
	}
	// A urlencoded edit post (GoAdmin's guard would panic on it) is refused.
	if res := cl.post("/admin/edit/conversation", url.Values{"id": {fmt.Sprint(c.ID)}}, nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("urlencoded edit post: %d", res.StatusCode)
	}
	got, _ := env.store.Conversation(ctx, c.ID)
	if got.Subject != "Original subject" || got.CustomerID != c.CustomerID || got.AssignedTo == nil || *got.AssignedTo != agent.ID {
		t.Errorf("row changed: %+v", got)
	}
}

func TestHole8SessionFixationAndCookies(t *testing.T) {
	s := newStaff(t, "agent")
	cl := newClient(t)
	u, _ := url.Parse(env.srv.URL)
	cl.jar.SetCookies(u, []*http.Cookie{{Name: "go_admin_session", Value: "attacker-chosen-sid", Path: "/"}})
	res := cl.post("/admin/signin", url.Values{"username": {s.Username}, "password": {password}}, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign in: %d %s", res.StatusCode, res.body)
	}
	var got *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "go_admin_session" {
			got = ck
		}
	}
	if got == nil || got.Value == "attacker-chosen-sid" || len(got.Value) < 32 {
		t.Fatalf("session cookie after sign-in: %+v", got)
	}
	if !got.HttpOnly || got.SameSite != http.SameSiteLaxMode || got.Secure {
		t.Errorf("cookie flags: HttpOnly=%v SameSite=%v Secure=%v (server is plain http)", got.HttpOnly, got.SameSite, got.Secure)
	}
	raw := strings.Join(res.Header.Values("Set-Cookie"), "\n")
	if !strings.Contains(raw, "SameSite=Lax") || !strings.Contains(raw, "HttpOnly") {
		t.Errorf("Set-Cookie: %s", raw)
	}
	attacker := newClient(t)
	attacker.jar.SetCookies(u, []*http.Cookie{{Name: "go_admin_session", Value: "attacker-chosen-sid", Path: "/"}})
	if res := attacker.get("/admin/info/conversation"); res.StatusCode != http.StatusFound {
		t.Errorf("the fixed sid logs in: %d", res.StatusCode)
	}
	if res := cl.get("/admin/info/conversation"); res.StatusCode != http.StatusOK {
		t.Errorf("the fresh session works: %d", res.StatusCode)
	}
}

func TestHole8SessionExpiry(t *testing.T) {
	ctx := context.Background()
	s := newStaff(t, "agent")
	cl := login(t, s)
	sid := cl.sessionCookie().Value
	old := time.Now().UTC().Add(-2 * time.Hour) // the suite's TTL is 1h
	if _, err := env.store.DB.ExecContext(ctx, "UPDATE goadmin_session SET created_at = ? WHERE sid = ?", old.Format("2006-01-02 15:04:05"), sid); err != nil {
		t.Fatal(err)
	}
	if res := cl.get("/admin/info/conversation"); res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/admin/login" {
		t.Errorf("expired session: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	var n int
	env.store.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM goadmin_session WHERE sid = ?", sid).Scan(&n)
	if n != 0 {
		t.Errorf("expired session row kept")
	}
}

func TestHole9CSRF(t *testing.T) {
	agent := newStaff(t, "agent")
	c := takenBy(t, agent, "csrf")
	cl := login(t, agent)
	cross := []map[string]string{
		{"Origin": ""},
		{"Origin": "https://evil.example"},
		{"Origin": "", "Referer": "https://evil.example/admin/info/conversation"},
		{"Origin": "null"},
		{"Origin": env.srv.URL, "Sec-Fetch-Site": "cross-site"},
	}
	for _, h := range cross {
		if res := cl.post("/admin/operation/conversation_resolve", url.Values{"ids": {fmt.Sprint(c.ID)}}, h); res.StatusCode != http.StatusForbidden {
			t.Errorf("operation with %v: %d", h, res.StatusCode)
		}
		if res := cl.postMultipart("/admin/edit/conversation", cl.editForm(c.ID), h); res.StatusCode != http.StatusForbidden {
			t.Errorf("edit with %v: %d", h, res.StatusCode)
		}
		if res := cl.post("/admin/delete/conversation", url.Values{"id": {fmt.Sprint(c.ID)}}, h); res.StatusCode != http.StatusForbidden {
			t.Errorf("delete with %v: %d", h, res.StatusCode)
		}
		if res := newClient(t).post("/admin/signin", url.Values{"username": {agent.Username}, "password": {password}}, h); res.StatusCode != http.StatusForbidden {
			t.Errorf("sign-in with %v: %d", h, res.StatusCode)
		}
	}
	// GET on an action runs nothing.
	if res := cl.get(fmt.Sprintf("/admin/operation/conversation_resolve?ids=%d", c.ID)); res.StatusCode != http.StatusForbidden {
		t.Errorf("GET operation: %d", res.StatusCode)
	}
	if got, _ := env.store.Conversation(context.Background(), c.ID); got.Status != c.Status {
		t.Errorf("status changed to %s", got.Status)
	}
	// Same-origin Referer without Origin is accepted.
	res := cl.post("/admin/operation/conversation_resolve", url.Values{"ids": {fmt.Sprint(c.ID)}}, map[string]string{"Origin": "", "Referer": env.srv.URL + "/admin/info/conversation"})
	if res.StatusCode != http.StatusOK {
		t.Errorf("same-origin referer: %d %s", res.StatusCode, res.body)
	}
}

func TestHole10ErrorsAndOperationLog(t *testing.T) {
	ctx := context.Background()
	agent := newStaff(t, "agent")
	c := takenBy(t, agent, "log")
	cl := login(t, agent)
	form := cl.editForm(c.ID)
	form.Set("reply_body", "secret reply text")
	if res := cl.postMultipart("/admin/edit/conversation", form, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	var n int
	if err := env.store.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM goadmin_operation_log").Scan(&n); err != nil || n != 0 {
		t.Errorf("operation log has %d rows (%v)", n, err)
	}
	for _, p := range []string{"/admin/info/conversation/edit?__goadmin_edit_pk=abc", "/admin/info/conversation/edit?__goadmin_edit_pk=999999999"} {
		if res := cl.get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
	}
	// Install's database check crashed GoAdmin (nil user in its recover).
	if res := cl.post("/admin/install/database/check", url.Values{"h": {"127.0.0.1"}, "po": {"1"}}, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("install check: %d", res.StatusCode)
	}
}

func TestHole11Install(t *testing.T) {
	anon := newClient(t)
	owner := login(t, newStaff(t, "owner"))
	for _, cl := range []*client{anon, owner} {
		if res := cl.get("/admin/install"); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET install: %d", res.StatusCode)
		}
		res := cl.post("/admin/install/database/check", url.Values{"h": {"127.0.0.1"}, "po": {"3306"}, "u": {"root"}, "pa": {""}, "db": {"x"}}, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("POST install check: %d", res.StatusCode)
		}
	}
}

func TestHole12ManagementRoutes(t *testing.T) {
	owner := login(t, newStaff(t, "owner"))
	gets := []string{"/admin/info/manager", "/admin/info/normal_manager", "/admin/info/roles", "/admin/info/permission",
		"/admin/info/menu", "/admin/info/op", "/admin/info/site", "/admin/info/generate", "/admin/info/manager/edit?__goadmin_edit_pk=1",
		"/admin/info/manager/new", "/admin/menu", "/admin/menu/new", "/admin/plugins", "/admin/plugins/store", "/admin/application/info",
		"/admin/api/list/manager", "/admin/info/conversation/new", "/admin/info/conversation/detail?__goadmin_detail_pk=1"}
	for _, p := range gets {
		if res := owner.get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("owner GET %s: %d", p, res.StatusCode)
		}
	}
	posts := []string{"/admin/edit/manager", "/admin/new/manager", "/admin/delete/manager", "/admin/update/roles", "/admin/export/conversation",
		"/admin/menu/new", "/admin/server/login", "/admin/plugin/download", "/admin/new/conversation"}
	for _, p := range posts {
		if res := owner.postMultipart(p, url.Values{"id": {"1"}, "name": {"x"}}, nil); res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusForbidden {
			t.Errorf("owner POST %s: %d", p, res.StatusCode)
		}
	}
}

func TestHole13PrefixShadowing(t *testing.T) {
	agent := newStaff(t, "agent")
	c := takenBy(t, agent, "prefix")
	cl := login(t, agent)
	for _, p := range []string{"/admin/info/conversation?__prefix=manager", "/admin/info/conversation/edit?__prefix=manager&__goadmin_edit_pk=1",
		fmt.Sprintf("/admin/info/conversation/edit?__goadmin_edit_pk=%d&__prefix=roles", c.ID)} {
		if res := cl.get(p); res.StatusCode != http.StatusBadRequest || strings.Contains(res.body, "role_id") {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
	}
	form := cl.editForm(c.ID)
	if res := cl.postMultipart("/admin/edit/conversation?__prefix=manager", form, nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("edit post with __prefix in the query: %d", res.StatusCode)
	}
	form = cl.editForm(c.ID)
	form.Set("__prefix", "manager")
	if res := cl.postMultipart("/admin/edit/conversation", form, nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("edit post with __prefix in the form: %d", res.StatusCode)
	}
	res := cl.post("/admin/operation/conversation_resolve?__goadmin_op_id=x", url.Values{"ids": {fmt.Sprint(c.ID)}}, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("operation with __goadmin_op_id: %d", res.StatusCode)
	}
	for _, p := range []string{"/admin/info/customer", "/admin/info/block", "/admin/info/audit", "/admin/operation/unknown_action"} {
		if res := cl.get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("unregistered %s: %d", p, res.StatusCode)
		}
	}
	if got, _ := env.store.Conversation(context.Background(), c.ID); got.Status != models.Status(c.Status) {
		t.Errorf("changed: %s", got.Status)
	}
}
