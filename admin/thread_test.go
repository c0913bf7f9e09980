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

	"github.com/parleyhq/parley/admin"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

const actionPath = "/admin/conversation/action"

func customerOf(t *testing.T, c models.Conversation) models.Actor {
	t.Helper()
	return models.Actor{Kind: models.ActorCustomer, ID: c.CustomerID, Role: models.RoleCustomer, Name: c.CustomerEmail, IP: "203.0.113.7"}
}

func (c *client) action(id int64, op string, extra url.Values) response {
	c.t.Helper()
	f := url.Values{"id": {fmt.Sprint(id)}, "op": {op}}
	for k, v := range extra {
		f[k] = v
	}
	return c.post(actionPath, f, map[string]string{"X-Requested-With": "XMLHttpRequest"})
}

// Issue 6: the page renders the newest 50 messages; older ones load on
// demand through a Parley route with the thread's visibility (R6a).
func TestThreadPageNewestFiftyAndOlder(t *testing.T) {
	ctx := context.Background()
	chief := newStaff(t, "chat_admin")
	c := newConversation(t, "long thread", "message 0")
	for i := 1; i <= 59; i++ { // staff have no rate limit (R11)
		if _, _, err := env.svc.Send(ctx, actorOf(chief), c.ID, models.KindNote, fmt.Sprintf("message %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	cl := login(t, chief)
	doc := cl.get(editPath(c.ID)).doc(t)
	msgs := doc.Find(".conv-history .conv-msg")
	if msgs.Length() != inbox.ThreadPageSize {
		t.Fatalf("page renders %d messages, want the newest %d", msgs.Length(), inbox.ThreadPageSize)
	}
	if last := strings.TrimSpace(msgs.Last().Find(".conv-body").Text()); last != "message 59" {
		t.Errorf("last rendered %q, want the newest", last)
	}
	older := doc.Find(".conv-older")
	before, _ := older.Attr("data-before")
	first, _ := msgs.First().Attr("data-msg")
	if older.Length() != 1 || before != first {
		t.Fatalf("older button %d before=%q, first message %q", older.Length(), before, first)
	}
	res := cl.get("/admin/conversation/messages?id=" + fmt.Sprint(c.ID) + "&before=" + before)
	if res.StatusCode != http.StatusOK || res.Header.Get("X-Parley-Older") != "" {
		t.Fatalf("older: %d more=%q %.300s", res.StatusCode, res.Header.Get("X-Parley-Older"), res.body)
	}
	od, _ := goquery.NewDocumentFromReader(strings.NewReader(res.body))
	if n := od.Find(".conv-msg").Length(); n != 60-inbox.ThreadPageSize {
		t.Errorf("older answered %d messages, want %d", n, 60-inbox.ThreadPageSize)
	}
	if got := strings.TrimSpace(od.Find(".conv-body").First().Text()); got != "message 0" {
		t.Errorf("oldest is %q", got)
	}
	// Outside an agent's scope the thread's history does not exist.
	other := newStaff(t, "agent")
	owner := newStaff(t, "agent")
	mine := takenBy(t, owner, "someone else's")
	if res := login(t, other).get("/admin/conversation/messages?id=" + fmt.Sprint(mine.ID) + "&before=999999999"); res.StatusCode != http.StatusNotFound {
		t.Errorf("agent reads another agent's history: %d", res.StatusCode)
	}
	if res := cl.get("/admin/conversation/messages?id=" + fmt.Sprint(c.ID) + "&before=abc"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad before: %d", res.StatusCode)
	}
}

// R3 and issue 6: links are clickable, nothing else is interpreted; notes
// say they are private; a status change shows once to staff; XSS payloads
// in customer notes and quick replies render as text.
func TestThreadPageRendering(t *testing.T) {
	ctx := context.Background()
	chief := newStaff(t, "chat_admin")
	payload := `<script>window.pwned=1</script><img src=x onerror=alert(1)>`
	c := newConversation(t, "render "+payload, "see https://shop.example/help?a=1&b=2. and javascript:alert(1) "+payload+" "+strings.Repeat("x", 300))
	a := actorOf(chief)
	if _, err := env.svc.ChangeStatus(ctx, a, c.ID, models.StatusResolved, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.SaveCustomerNote(ctx, a, c.CustomerID, payload); err != nil {
		t.Fatal(err)
	}
	qr, err := env.svc.CreateQuickReply(ctx, a, "QR "+payload, "Hi {customer.name} "+payload)
	if err != nil {
		t.Fatal(err)
	}
	defer env.svc.DeleteQuickReply(ctx, a, qr.ID)
	res := login(t, chief).get(editPath(c.ID))
	if strings.Contains(res.body, "<script>window.pwned") || strings.Contains(res.body, "<img src=x") {
		t.Fatalf("payload rendered as markup")
	}
	doc := res.doc(t)
	link := doc.Find(".conv-body a")
	if link.Length() != 1 || link.AttrOr("href", "") != "https://shop.example/help?a=1&b=2" || !strings.Contains(link.AttrOr("rel", ""), "noopener") {
		t.Errorf("links: %d %q", link.Length(), link.AttrOr("href", ""))
	}
	if got := doc.Find(".customer-note").Text(); got != payload {
		t.Errorf("customer note shows %q", got)
	}
	opt := doc.Find(".quick-reply-select option[value='" + fmt.Sprint(qr.ID) + "']")
	if opt.Text() != "QR "+payload || opt.AttrOr("data-text", "") != "Hi "+c.CustomerName+" "+payload {
		t.Errorf("quick reply option %q data-text %q", opt.Text(), opt.AttrOr("data-text", ""))
	}
	var resolvedEvents int
	doc.Find(".conv-system").Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(strings.ToLower(s.Find(".conv-body").Text()), "resolved") {
			resolvedEvents++
		}
	})
	if resolvedEvents != 1 {
		t.Errorf("the resolve shows %d times, want once", resolvedEvents)
	}
	if doc.Find(".thread-subject").Text() != "render "+payload || doc.Find(".thread-status").Text() != "Resolved" {
		t.Errorf("header: %q %q", doc.Find(".thread-subject").Text(), doc.Find(".thread-status").Text())
	}
}

// R14: the retention notice, the warning near the cut-off, and the
// exemption of escalated threads.
func TestThreadRetentionNotice(t *testing.T) {
	ctx := context.Background()
	chief := newStaff(t, "chat_admin")
	c := newConversation(t, "retention", "old news")
	cl := login(t, chief)
	if doc := cl.get(editPath(c.ID)).doc(t); !strings.Contains(doc.Find(".retention-notice").Text(), "kept until deleted") {
		t.Errorf("notice without retention: %q", doc.Find(".retention-notice").Text())
	}
	set := func(v string) {
		t.Helper()
		if err := env.store.PutSetting(ctx, models.SettingRetentionDays, v, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
	}
	defer set("0")
	set("30") // the first message goes in 30 days: notice, no warning
	doc := cl.get(editPath(c.ID)).doc(t)
	if !strings.Contains(doc.Find(".retention-notice").Text(), "30 days") || doc.Find(".retention-warning").Length() != 0 {
		t.Errorf("30 days: %q, warning %d", doc.Find(".retention-notice").Text(), doc.Find(".retention-warning").Length())
	}
	set("5") // within 7 days of the cut-off: warning
	if doc := cl.get(editPath(c.ID)).doc(t); doc.Find(".retention-warning").Length() != 1 {
		t.Error("no warning 5 days before the cut-off")
	}
	if _, err := env.svc.ChangeStatus(ctx, actorOf(chief), c.ID, models.StatusEscalated, "refund"); err != nil {
		t.Fatal(err)
	}
	doc = cl.get(editPath(c.ID)).doc(t)
	if doc.Find(".retention-warning").Length() != 0 || !strings.Contains(doc.Find(".retention-notice").Text(), "exempt") {
		t.Errorf("escalated thread: %q, warning %d", doc.Find(".retention-notice").Text(), doc.Find(".retention-warning").Length())
	}
}

// Issue 6 actions, each a same-origin POST through the route table and one
// inbox call; refusals answer their message.
func TestThreadActions(t *testing.T) {
	ctx := context.Background()
	chief := newStaff(t, "chat_admin")
	agent := newStaff(t, "agent")
	other := newStaff(t, "agent")
	cl := login(t, chief)
	c := newConversation(t, "actions", "hello")
	if _, _, err := env.svc.Send(ctx, customerOf(t, c), c.ID, models.KindReply, "from my address"); err != nil {
		t.Fatal(err)
	}
	status := func() models.Conversation {
		got, err := env.store.Conversation(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	expect := func(name string, res response, code int, msg string) {
		t.Helper()
		if res.StatusCode != code || !strings.Contains(res.body, msg) {
			t.Errorf("%s: %d %s, want %d %q", name, res.StatusCode, res.body, code, msg)
		}
	}
	// The assignee select offers active staff who work conversations.
	doc := cl.get(editPath(c.ID)).doc(t)
	if doc.Find(fmt.Sprintf(".act-assign-to option[value='%d']", agent.ID)).Length() != 1 {
		t.Error("assign select lacks the agent")
	}
	if href := doc.Find(".act-export").AttrOr("href", ""); href != fmt.Sprintf("%s?id=%d", admin.ExportPath, c.ID) {
		t.Errorf("export link %q", href)
	}
	expect("assign", cl.action(c.ID, "assign", url.Values{"to": {fmt.Sprint(agent.ID)}}), 200, "Assigned")
	if got := status(); got.AssignedTo == nil || *got.AssignedTo != agent.ID {
		t.Fatalf("assigned to %v", got.AssignedTo)
	}
	// Outside the other agent's scope now: not found, nothing changes.
	expect("other agent closes", login(t, other).action(c.ID, "close", nil), 404, "not found")
	expect("escalate without reason", cl.action(c.ID, "escalate", nil), 400, "escalating needs a reason")
	expect("escalate", cl.action(c.ID, "escalate", url.Values{"escalate_reason": {"refund"}}), 200, "Escalated")
	if got := status(); got.Status != models.StatusEscalated {
		t.Errorf("status %s", got.Status)
	}
	expect("resolve", cl.action(c.ID, "resolve", nil), 200, "Resolved")
	expect("delete not closed", cl.action(c.ID, "delete", url.Values{"confirm": {"yes"}}), 409, "not closed")
	expect("close", cl.action(c.ID, "close", nil), 200, "Closed")
	for _, by := range []string{"customer", "email", "ip"} {
		expect("block by "+by, cl.action(c.ID, "block", url.Values{"by": {by}}), 200, "Blocked")
	}
	if _, _, err := env.svc.Send(ctx, customerOf(t, c), c.ID, models.KindReply, "blocked?"); err == nil {
		t.Error("a blocked customer could still write")
	}
	expect("note", cl.action(c.ID, "customer_note", url.Values{"note": {"VIP"}}), 200, "Note saved")
	expect("unknown op", cl.action(c.ID, "explode", nil), 400, "unknown action")
	expect("delete without confirmation", cl.action(c.ID, "delete", nil), 400, "confirm")
	expect("agent deletes", login(t, agent).action(c.ID, "delete", url.Values{"confirm": {"yes"}}), 403, "")
	expect("delete", cl.action(c.ID, "delete", url.Values{"confirm": {"yes"}}), 200, "Deleted")
	if _, err := env.store.Conversation(ctx, c.ID); models.ErrorCode(err) != models.ENOTFOUND {
		t.Errorf("still there: %v", err)
	}
	// Cross-site posts are refused before any action runs.
	res := cl.post(actionPath, url.Values{"id": {"1"}, "op": {"close"}}, map[string]string{"Origin": "https://evil.example"})
	expect("cross-site", res, 403, "cross-site")
}
