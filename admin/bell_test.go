package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/templates"
)

// fakePresence records heartbeats (mail.Presence is the Redis one).
type fakePresence struct {
	mu sync.Mutex
	on map[int64]bool
}

func (p *fakePresence) Touch(_ context.Context, kind models.ActorKind, id int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if kind == models.ActorStaff {
		p.on[id] = true
	}
	return nil
}

func (p *fakePresence) Online(_ context.Context, kind models.ActorKind, id int64) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return kind == models.ActorStaff && p.on[id], nil
}

// fakeMailbox is a dev mailbox holding fixed messages.
type fakeMailbox struct {
	mu    sync.Mutex
	mails []templates.DevMail
}

func (m *fakeMailbox) Mails() []templates.DevMail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]templates.DevMail(nil), m.mails...)
}

func (m *fakeMailbox) Mail(id int) (templates.DevMail, bool) {
	for _, d := range m.Mails() {
		if d.ID == id {
			return d, true
		}
	}
	return templates.DevMail{}, false
}

const xss = `<img src=x onerror="window.parleyXSS=1"><script>window.parleyXSS=1</script>`

// TestBellAndNotifications: every back-office page carries the bell script;
// the heartbeat (same-origin POST) marks the staff member online and
// answers the unread count; the list page shows notifications (subjects
// escaped) linking to their threads; opening the thread reads them.
func TestBellAndNotifications(t *testing.T) {
	ctx := context.Background()
	agent := newStaff(t, models.RoleAgent)
	cl := login(t, agent)
	c := newConversation(t, "Bell "+xss, "hello")
	th, err := env.svc.View(ctx, actorOf(agent), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.NotifyNewMessage(ctx, th.Messages[len(th.Messages)-1].ID); err != nil {
		t.Fatal(err)
	}
	res := cl.get("/admin/profile")
	if !strings.Contains(res.body, "parley-bell") || !strings.Contains(res.body, "/admin/presence") {
		t.Fatal("the layout has no bell script")
	}
	if r := cl.post("/admin/presence", nil, map[string]string{"Origin": "https://evil.example"}); r.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site heartbeat: %d", r.StatusCode)
	}
	if on, _ := env.presence.Online(ctx, models.ActorStaff, agent.ID); on {
		t.Fatal("online before any heartbeat")
	}
	r := cl.post("/admin/presence", nil, nil)
	if r.StatusCode != http.StatusOK || r.json(t)["unread"] != float64(1) {
		t.Fatalf("heartbeat: %d %s", r.StatusCode, r.body)
	}
	// The Inbox menu's badge: unread AWAITING_ADMIN in scope (counted by
	// inbox.Awaiting, TestAwaiting), as text ("1000+" when capped).
	if aw, ok := r.json(t)["awaiting"].(string); !ok || aw == "" {
		t.Fatalf("heartbeat without the inbox badge: %s", r.body)
	}
	if on, _ := env.presence.Online(ctx, models.ActorStaff, agent.ID); !on {
		t.Fatal("the heartbeat did not mark the agent online")
	}
	if r := newClient(t).post("/admin/presence", nil, nil); r.StatusCode == http.StatusOK {
		t.Fatalf("anonymous heartbeat answered %d", r.StatusCode)
	}
	page := cl.get("/admin/notifications")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("notifications page: %d", page.StatusCode)
	}
	doc := page.doc(t)
	link := doc.Find(".parley-notification.unread a")
	href, _ := link.Attr("href")
	if link.Length() != 1 || href != "/admin/info/conversation/edit?__goadmin_edit_pk="+strconv.FormatInt(c.ID, 10) || !strings.Contains(link.Text(), "Bell <img") {
		t.Fatalf("notification link %q %q", href, link.Text())
	}
	if doc.Find(".parley-notifications img, .parley-notifications script").Length() != 0 {
		t.Fatal("the subject was rendered as HTML")
	}
	if doc.Find(".sidebar-menu").Length() == 0 {
		t.Error("the list is not inside GoAdmin's layout")
	}
	// Opening the thread marks it read (the page's same-origin mark-read).
	if r := cl.post("/admin/conversation/read", url.Values{"id": {strconv.FormatInt(c.ID, 10)}}, nil); r.StatusCode != http.StatusNoContent {
		t.Fatalf("mark read: %d", r.StatusCode)
	}
	if r := cl.post("/admin/presence", nil, nil); r.json(t)["unread"] != float64(0) {
		t.Fatalf("after opening: %s", r.body)
	}
}

// TestEmailPreferenceToggle: the profile page turns the staff member's own
// new-message e-mails off and on.
func TestEmailPreferenceToggle(t *testing.T) {
	ctx := context.Background()
	agent := newStaff(t, models.RoleAgent)
	cl := login(t, agent)
	doc := cl.get("/admin/profile").doc(t)
	if box := doc.Find(`form[action="/admin/profile/email"] input[name="email_notifications"]`); box.Length() != 1 || !box.Is("[checked]") {
		t.Fatal("no checked e-mail toggle on the profile page")
	}
	if r := cl.post("/admin/profile/email", url.Values{}, map[string]string{"Origin": "https://evil.example"}); r.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site toggle: %d", r.StatusCode)
	}
	on := func() bool { v, _ := env.svc.EmailNotifications(ctx, actorOf(agent)); return v }
	r := cl.post("/admin/profile/email", url.Values{}, nil)
	if r.StatusCode != http.StatusOK || on() || r.doc(t).Find(`input[name="email_notifications"][checked]`).Length() != 0 {
		t.Fatalf("turning off: %d, on=%v", r.StatusCode, on())
	}
	if r := cl.post("/admin/profile/email", url.Values{"email_notifications": {"yes"}}, nil); r.StatusCode != http.StatusBadRequest || on() {
		t.Fatalf("a bad value: %d", r.StatusCode)
	}
	if r := cl.post("/admin/profile/email", url.Values{"email_notifications": {"on"}}, nil); r.StatusCode != http.StatusOK || !on() {
		t.Fatalf("turning on: %d, on=%v", r.StatusCode, on())
	}
}

// TestDevMailbox: admins read the dev mailbox — the text part as text, the
// HTML part only inside a sandboxed frame; chat admins and agents may not.
func TestDevMailbox(t *testing.T) {
	env.mailbox.mu.Lock()
	env.mailbox.mails = []templates.DevMail{{ID: 7, At: time.Now(), From: "parley@shop.test", To: "alice@example.com",
		Subject: "Re " + xss, Text: "Hello " + xss, HTML: `<p>Hello</p>` + xss,
		Headers: []templates.MailHeader{{Name: "Message-Id", Value: "<n-1@shop.test>"}}}}
	env.mailbox.mu.Unlock()
	for _, role := range []string{models.RoleAgent, models.RoleChatAdmin} {
		if r := login(t, newStaff(t, role)).get("/admin/mailbox"); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d", role, r.StatusCode)
		}
	}
	cl := login(t, newStaff(t, models.RoleAdmin))
	r := cl.get("/admin/mailbox?id=7")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("mailbox: %d %.300s", r.StatusCode, r.body)
	}
	doc := r.doc(t)
	if got := doc.Find(".parley-mail-text").Text(); got != "Hello "+xss {
		t.Errorf("text part %q", got)
	}
	frame := doc.Find("iframe.parley-mail-html")
	sandbox, hasSandbox := frame.Attr("sandbox")
	srcdoc, _ := frame.Attr("srcdoc")
	if frame.Length() != 1 || !hasSandbox || sandbox != "" || srcdoc != `<p>Hello</p>`+xss {
		t.Fatalf("HTML frame: sandbox=%q(%v) srcdoc=%q", sandbox, hasSandbox, srcdoc)
	}
	if doc.Find(".parley-mailbox img, .parley-mailbox script").Length() != 0 {
		t.Fatal("mail content was rendered into the page")
	}
	for _, bad := range []string{"?id=8", "?id=07", "?id=x", "?x=1"} {
		if r := cl.get("/admin/mailbox" + bad); r.StatusCode == http.StatusOK {
			t.Errorf("%s: %d", bad, r.StatusCode)
		}
	}
}
