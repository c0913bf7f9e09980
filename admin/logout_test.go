package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Item 5: signing out is a same-origin POST; a cross-site GET link (or a
// cross-site POST) leaves the session alone.
func TestLogoutIsASameOriginPost(t *testing.T) {
	cl := login(t, newStaff(t, "agent"))
	sid := cl.sessionCookie().Value
	res := cl.get("/admin/logout")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, `method="post" action="/admin/logout"`) {
		t.Errorf("GET logout: %d %.300s", res.StatusCode, res.body)
	}
	for _, h := range []map[string]string{{"Origin": "https://evil.example"}, {"Origin": ""}, {"Origin": env.srv.URL, "Sec-Fetch-Site": "cross-site"}} {
		if res := cl.post("/admin/logout", nil, h); res.StatusCode != http.StatusForbidden {
			t.Errorf("logout with %v: %d", h, res.StatusCode)
		}
	}
	if res := cl.get("/admin/info/conversation"); res.StatusCode != http.StatusOK {
		t.Fatalf("signed out by a GET or a cross-site POST: %d", res.StatusCode)
	}
	// The layout turns the menu's sign-out link into this POST.
	if !strings.Contains(cl.get("/admin/info/conversation").body, "f.action = '/admin/logout'") {
		t.Error("the layout has no sign-out script")
	}
	res = cl.post("/admin/logout", nil, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/login" {
		t.Errorf("logout: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if ck := cl.sessionCookie(); ck != nil {
		t.Errorf("the cookie is still set: %v", ck)
	}
	if _, err := env.acc.AdminSession(context.Background(), sid, 1<<40); err == nil {
		t.Error("the session row outlived the sign-out")
	}
	if res := cl.get("/admin/info/conversation"); res.StatusCode != http.StatusFound {
		t.Errorf("after logout: %d", res.StatusCode)
	}
}

// Item 5: the thread page marks its conversation read with a same-origin
// POST; the route answers 204, 404 outside the caller's scope, 403 cross-site.
func TestMarkReadRoute(t *testing.T) {
	ctx := context.Background()
	agent, other := newStaff(t, "agent"), newStaff(t, "agent")
	c := newConversation(t, "read me", "hello")
	theirs := takenBy(t, other, "not yours")
	cl := login(t, agent)
	read := func(id string, h map[string]string) response {
		return cl.post("/admin/conversation/read", url.Values{"id": {id}}, h)
	}
	if res := read(fmt.Sprint(c.ID), map[string]string{"Origin": "https://evil.example"}); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site: %d", res.StatusCode)
	}
	if got, _ := env.store.Conversation(ctx, c.ID); got.IsReadByAdmin {
		t.Fatal("a cross-site POST marked it read")
	}
	for _, bad := range []string{"+1", "0001", fmt.Sprintf("%d,%d", c.ID, c.ID), "", "-3"} {
		if res := read(bad, nil); res.StatusCode != http.StatusBadRequest {
			t.Errorf("id %q: %d", bad, res.StatusCode)
		}
	}
	if res := read(fmt.Sprint(theirs.ID), nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("another agent's thread: %d %s", res.StatusCode, res.body)
	}
	if got, _ := env.store.Conversation(ctx, theirs.ID); got.IsReadByAdmin {
		t.Error("another agent's thread was marked read")
	}
	if res := read(fmt.Sprint(c.ID), nil); res.StatusCode != http.StatusNoContent {
		t.Errorf("mark read: %d %s", res.StatusCode, res.body)
	}
	if got, _ := env.store.Conversation(ctx, c.ID); !got.IsReadByAdmin {
		t.Error("not marked read")
	}
	if res := newClient(t).post("/admin/conversation/read", url.Values{"id": {fmt.Sprint(c.ID)}}, nil); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("signed out: %d", res.StatusCode)
	}
}
