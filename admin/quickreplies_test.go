package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Issue 6: chat admins manage quick replies on a Parley page; unknown
// variables are refused with the message in the page and the draft kept;
// payloads render as text; agents are refused the page.
func TestQuickRepliesPage(t *testing.T) {
	admin := newStaff(t, "chat_admin")
	cl := login(t, admin)
	payload := `<script>window.pwned=1</script>`
	title := "Hi " + payload
	res := cl.post("/admin/quick-replies", url.Values{"op": {"create"}, "title": {title}, "body": {"Hello {customer.name} " + payload}}, nil)
	if res.StatusCode != http.StatusOK || strings.Contains(res.body, "<script>window.pwned") {
		t.Fatalf("create: %d", res.StatusCode)
	}
	var id string
	res.doc(t).Find("form.qr-item").Each(func(_ int, s *goquery.Selection) {
		if s.Find(".qr-title").AttrOr("value", "") == title {
			id = s.Find("input[name=id]").AttrOr("value", "")
		}
	})
	if id == "" {
		t.Fatalf("created reply not listed as text")
	}
	res = cl.post("/admin/quick-replies", url.Values{"op": {"create"}, "title": {"Bad"}, "body": {"Hi {customer.phone}"}}, nil)
	doc := res.doc(t)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(doc.Find(".parley-form-error").Text(), "unknown variable {customer.phone}") ||
		doc.Find("#qr-new-body").Text() != "Hi {customer.phone}" {
		t.Errorf("refused create: %d %q", res.StatusCode, doc.Find(".parley-form-error").Text())
	}
	res = cl.post("/admin/quick-replies", url.Values{"op": {"update"}, "id": {id}, "title": {"Greeting"}, "body": {"Hello {customer.name}"}}, nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Quick reply saved") {
		t.Errorf("update: %d", res.StatusCode)
	}
	agent := newStaff(t, "agent")
	ag := login(t, agent)
	if res := ag.get("/admin/quick-replies"); res.StatusCode != http.StatusForbidden {
		t.Errorf("agent opens the page: %d", res.StatusCode)
	}
	if res := ag.post("/admin/quick-replies", url.Values{"op": {"delete"}, "id": {id}}, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("agent deletes: %d", res.StatusCode)
	}
	res = cl.post("/admin/quick-replies", url.Values{"op": {"delete"}, "id": {id}}, nil)
	if res.StatusCode != http.StatusOK || strings.Contains(res.body, "Greeting") {
		t.Errorf("delete: %d", res.StatusCode)
	}
}

// The quick replies page has a menu entry for the roles its route allows
// (migration 00019): chat admins see it, agents do not.
func TestQuickRepliesMenuEntry(t *testing.T) {
	chat := login(t, newStaff(t, "chat_admin"))
	if doc := chat.get("/admin/dashboard").doc(t); doc.Find(`.sidebar-menu a[href="/admin/quick-replies"]`).Length() == 0 {
		t.Error("no Quick replies menu entry for a chat admin")
	}
	ag := login(t, newStaff(t, "agent"))
	if doc := ag.get("/admin/dashboard").doc(t); doc.Find(`.sidebar-menu a[href="/admin/quick-replies"]`).Length() != 0 {
		t.Error("an agent sees the Quick replies menu entry")
	}
}
