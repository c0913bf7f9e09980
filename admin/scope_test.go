package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley/models"
)

func TestAgentSeesOnlyUnassignedAndOwn(t *testing.T) {
	agent1, agent2 := newStaff(t, "agent"), newStaff(t, "agent")
	unassigned := newConversation(t, "Unassigned question", "hi")
	mine := takenBy(t, agent1, "Agent one's thread")
	theirs := takenBy(t, agent2, "Agent two's thread")
	cl := login(t, agent1)

	ids := listIDs(t, cl.get("/admin/info/conversation?__pageSize=100"))
	if !ids[unassigned.ID] || !ids[mine.ID] {
		t.Errorf("agent1 should see %d and %d; list has %v", unassigned.ID, mine.ID, ids)
	}
	if ids[theirs.ID] {
		t.Errorf("agent1 sees agent2's conversation %d", theirs.ID)
	}
	for id := range ids { // every row is in scope
		c, err := env.store.Conversation(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if c.AssignedTo != nil && *c.AssignedTo != agent1.ID {
			t.Errorf("row %d is assigned to %d, not agent1", id, *c.AssignedTo)
		}
	}
	// Filtering by agent2's customer shows nothing either.
	if ids := listIDs(t, cl.get(fmt.Sprintf("/admin/info/conversation?customer=%d", theirs.CustomerID))); len(ids) != 0 {
		t.Errorf("customer filter leaks %v", ids)
	}
	if ids := listIDs(t, cl.get("/admin/info/conversation?assigned_to=me&__pageSize=100")); !ids[mine.ID] || ids[unassigned.ID] {
		t.Errorf("assigned=me: %v", ids)
	}
	if ids := listIDs(t, cl.get("/admin/info/conversation?assigned_to=none&__pageSize=100")); ids[mine.ID] || !ids[unassigned.ID] {
		t.Errorf("assigned=none: %v", ids)
	}

	// By URL, through every row-id route: 404.
	if res := cl.get(editPath(theirs.ID)); res.StatusCode != http.StatusNotFound {
		t.Errorf("edit page of agent2's thread: %d", res.StatusCode)
	}
	form := cl.editForm(mine.ID) // a real token from agent1's own thread
	form.Set("id", fmt.Sprint(theirs.ID))
	form.Set("reply_body", "sneaky")
	if res := cl.postMultipart("/admin/edit/conversation", form, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("edit post on agent2's thread: %d %s", res.StatusCode, res.body)
	}
	for _, op := range []struct{ path, key string }{
		{"/admin/operation/conversation_resolve", "ids"}, {"/admin/operation/conversation_close", "ids"},
		{"/admin/operation/conversation_delete", "ids"}, {"/admin/operation/conversation_take", "id"},
	} {
		res := cl.post(op.path, url.Values{op.key: {fmt.Sprintf("%d,", theirs.ID)}}, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s on agent2's thread: %d %s", op.path, res.StatusCode, res.body)
		}
	}
	if res := cl.post("/admin/delete/conversation", url.Values{"id": {fmt.Sprint(theirs.ID)}}, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("delete of agent2's thread: %d %s", res.StatusCode, res.body)
	}
	if res := cl.post("/admin/update/conversation", url.Values{"pk": {fmt.Sprint(theirs.ID)}, "name": {"status"}, "value": {"CLOSED"}}, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("inline update: %d", res.StatusCode)
	}
	after, _ := env.store.Conversation(context.Background(), theirs.ID)
	if after.Status != theirs.Status || after.MessageCount != theirs.MessageCount {
		t.Errorf("agent2's thread changed: %+v", after)
	}
	// Visible but not allowed: an agent may not delete at all (403).
	if res := cl.post("/admin/delete/conversation", url.Values{"id": {fmt.Sprint(mine.ID)}}, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("agent delete of own thread: %d %s", res.StatusCode, res.body)
	}
}

func TestChatAdminSeesAll(t *testing.T) {
	agent1, agent2 := newStaff(t, "agent"), newStaff(t, "agent")
	convs := []models.Conversation{newConversation(t, "Open one", "hi"), takenBy(t, agent1, "A1"), takenBy(t, agent2, "A2")}
	cl := login(t, newStaff(t, "chat_admin"))
	for _, c := range convs {
		ids := listIDs(t, cl.get(fmt.Sprintf("/admin/info/conversation?customer=%d", c.CustomerID)))
		if !ids[c.ID] {
			t.Errorf("chat_admin does not see %d", c.ID)
		}
		if res := cl.get(editPath(c.ID)); res.StatusCode != http.StatusOK {
			t.Errorf("chat_admin edit page %d: %d", c.ID, res.StatusCode)
		}
	}
	// The dashboard entry point is the same list.
	res := cl.get("/admin/dashboard/conversation")
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/admin/info/conversation" {
		t.Errorf("dashboard: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestTakeIt(t *testing.T) {
	agent := newStaff(t, "agent")
	c := newConversation(t, "Take me", "hi")
	cl := login(t, agent)
	listIDs(t, cl.get("/admin/info/conversation"))
	res := cl.post("/admin/operation/conversation_take", url.Values{"id": {fmt.Sprint(c.ID)}}, nil)
	if m := res.json(t); res.StatusCode != http.StatusOK || m["code"] != float64(0) {
		t.Fatalf("take: %d %v", res.StatusCode, m)
	}
	got, _ := env.store.Conversation(context.Background(), c.ID)
	if got.AssignedTo == nil || *got.AssignedTo != agent.ID {
		t.Errorf("not assigned to the agent: %v", got.AssignedTo)
	}
	res = cl.post("/admin/operation/conversation_take", url.Values{"id": {fmt.Sprint(c.ID)}}, nil)
	if m := res.json(t); res.StatusCode != http.StatusConflict || m["code"] != float64(409) || !strings.Contains(fmt.Sprint(m["msg"]), "already yours") {
		t.Errorf("second take: %d %v", res.StatusCode, m)
	}
}

func TestDeleteRefusesNotClosed(t *testing.T) {
	ctx := context.Background()
	admin := newStaff(t, "chat_admin")
	open := newConversation(t, "Still open", "hi")
	closed := newConversation(t, "Done", "bye")
	if _, err := env.svc.ChangeStatus(ctx, actorOf(admin), closed.ID, models.StatusClosed, ""); err != nil {
		t.Fatal(err)
	}
	cl := login(t, admin)

	res := cl.post("/admin/delete/conversation", url.Values{"id": {fmt.Sprint(open.ID)}}, nil)
	m := res.json(t)
	// An R2 refusal answers 409 like the API (models.HTTPStatus).
	if res.StatusCode != http.StatusConflict || m["code"] != float64(409) ||
		!strings.Contains(fmt.Sprint(m["msg"]), fmt.Sprintf("conversation %d", open.ID)) || !strings.Contains(fmt.Sprint(m["msg"]), "not closed") {
		t.Errorf("list delete of an open conversation: %d %v", res.StatusCode, m)
	}
	res = cl.post("/admin/operation/conversation_delete", url.Values{"ids": {fmt.Sprintf("%d,%d,", closed.ID, open.ID)}}, nil)
	m = res.json(t)
	if res.StatusCode != http.StatusConflict || m["code"] != float64(409) || !strings.Contains(fmt.Sprint(m["msg"]), fmt.Sprintf("conversation %d", open.ID)) {
		t.Errorf("bulk delete with an open conversation: %d %v", res.StatusCode, m)
	}
	for _, id := range []int64{open.ID, closed.ID} {
		if _, err := env.store.Conversation(ctx, id); err != nil {
			t.Errorf("conversation %d was deleted: %v", id, err)
		}
	}
	// The closed one alone goes.
	res = cl.post("/admin/delete/conversation", url.Values{"id": {fmt.Sprint(closed.ID)}}, nil)
	if m := res.json(t); res.StatusCode != http.StatusOK || m["code"] != float64(200) {
		t.Errorf("delete closed: %d %v", res.StatusCode, m)
	}
	if _, err := env.store.Conversation(ctx, closed.ID); models.ErrorCode(err) != models.ENOTFOUND {
		t.Errorf("closed conversation still there: %v", err)
	}
}

func TestBulkResolveAndClose(t *testing.T) {
	ctx := context.Background()
	agent := newStaff(t, "agent")
	a, b := takenBy(t, agent, "one"), takenBy(t, agent, "two")
	cl := login(t, agent)
	res := cl.post("/admin/operation/conversation_resolve", url.Values{"ids": {fmt.Sprintf("%d,%d,", a.ID, b.ID)}}, nil)
	if m := res.json(t); m["code"] != float64(0) {
		t.Fatalf("resolve: %v", m)
	}
	for _, id := range []int64{a.ID, b.ID} {
		c, _ := env.store.Conversation(ctx, id)
		if c.Status != models.StatusResolved {
			t.Errorf("%d is %s", id, c.Status)
		}
	}
	res = cl.post("/admin/operation/conversation_close", url.Values{"ids": {fmt.Sprintf("%d,", a.ID)}}, nil)
	if m := res.json(t); m["code"] != float64(0) {
		t.Fatalf("close: %v", m)
	}
	if c, _ := env.store.Conversation(ctx, a.ID); c.Status != models.StatusClosed {
		t.Errorf("%d is %s", a.ID, c.Status)
	}
}

func TestReplyThenStatusOverride(t *testing.T) {
	ctx := context.Background()
	agent := newStaff(t, "agent")
	c := takenBy(t, agent, "Refund please")
	if got, _ := env.store.Conversation(ctx, c.ID); got.IsReadByAdmin {
		t.Fatal("precondition: unread by staff")
	}
	cl := login(t, agent)
	form := cl.editForm(c.ID)
	// The page marks its thread read with a same-origin POST once rendered.
	if res := cl.post("/admin/conversation/read", url.Values{"id": {fmt.Sprint(c.ID)}}, nil); res.StatusCode != http.StatusNoContent {
		t.Errorf("mark read: %d", res.StatusCode)
	}
	if got, _ := env.store.Conversation(ctx, c.ID); !got.IsReadByAdmin {
		t.Error("opening the thread did not mark the conversation read")
	}
	form.Set("reply_body", "We have refunded you.")
	form.Set("reply_kind", "reply")
	form.Set("status", string(models.StatusResolved))
	form.Set("reason", "refund issued")
	res := cl.postMultipart("/admin/edit/conversation", form, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("edit post: %d %.500s", res.StatusCode, res.body)
	}
	th, err := env.svc.Open(ctx, actorOf(agent), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if th.Conversation.Status != models.StatusResolved {
		t.Errorf("status %s, want RESOLVED (override after the reply)", th.Conversation.Status)
	}
	var replyAt, overrideAt = -1, -1
	for i, m := range th.Messages {
		if m.Kind == models.KindReply && m.Body == "We have refunded you." {
			replyAt = i
		}
		if m.Kind == models.KindSystem && strings.Contains(m.Body, "refund issued") {
			overrideAt = i
		}
	}
	if replyAt < 0 || overrideAt < replyAt {
		t.Errorf("reply at %d, override at %d: %+v", replyAt, overrideAt, th.Messages)
	}

	// A private note shows on the edit page marked as such.
	form = cl.editForm(c.ID)
	form.Set("reply_body", "Customer was rude.")
	form.Set("reply_kind", "note")
	if res := cl.postMultipart("/admin/edit/conversation", form, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("note post: %d", res.StatusCode)
	}
	doc := cl.get(editPath(c.ID)).doc(t)
	note := doc.Find(".conv-note")
	if note.Length() != 1 || !strings.Contains(note.Text(), "Private note") || !strings.Contains(note.Find(".conv-body").Text(), "Customer was rude.") {
		t.Errorf("note not marked: %q", note.Text())
	}
	if doc.Find(".conv-system").Length() == 0 {
		t.Error("system events not shown")
	}

	// A refused override shows its reason on the form.
	form = cl.editForm(c.ID)
	form.Set("reply_body", "")
	form.Set("status", string(models.StatusEscalated)) // needs a reason
	form.Set("reason", "")
	res = cl.postMultipart("/admin/edit/conversation", form, nil)
	if !strings.Contains(res.body, "escalating needs a reason") {
		t.Errorf("refusal not shown: %d %.300s", res.StatusCode, res.body)
	}
}

func TestUnauthenticated(t *testing.T) {
	cl := newClient(t)
	res := cl.get("/admin/info/conversation")
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/admin/login" {
		t.Errorf("list: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := cl.post("/admin/operation/conversation_resolve", url.Values{"ids": {"1,"}}, nil); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("operation: %d", res.StatusCode)
	}
	if res := cl.get("/admin/login"); res.StatusCode != http.StatusOK {
		t.Errorf("login page: %d", res.StatusCode)
	}
	if res := cl.get("/admin/assets/dist/js/form.min.4022a41f70.js"); res.StatusCode == http.StatusFound {
		t.Errorf("assets need no login: %d", res.StatusCode)
	}
}

func TestDeactivatedUserIsRefused(t *testing.T) {
	ctx := context.Background()
	s := newStaff(t, "agent")
	cl := login(t, s)
	if res := cl.get("/admin/info/conversation"); res.StatusCode != http.StatusOK {
		t.Fatalf("before: %d", res.StatusCode)
	}
	if err := env.acc.DeactivateStaff(ctx, models.System, s.Username); err != nil {
		t.Fatal(err)
	}
	if res := cl.get("/admin/info/conversation"); res.StatusCode != http.StatusFound {
		t.Errorf("live session after deactivation: %d", res.StatusCode)
	}
	res := newClient(t).post("/admin/signin", url.Values{"username": {s.Username}, "password": {password}}, nil)
	if res.StatusCode == http.StatusOK || res.sessionSet() {
		t.Errorf("deactivated sign-in: %d %s", res.StatusCode, res.body)
	}
}

func TestSigninIsThrottled(t *testing.T) {
	s := newStaff(t, "agent")
	cl := newClient(t)
	var last response
	for i := 0; i < env.acc.PerAccount+1; i++ {
		last = cl.post("/admin/signin", url.Values{"username": {s.Username}, "password": {"wrong-password"}}, nil)
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Errorf("after %d failures: %d %s", env.acc.PerAccount+1, last.StatusCode, last.body)
	}
}

func (r response) sessionSet() bool {
	for _, ck := range r.Cookies() {
		if ck.Name == "go_admin_session" && ck.Value != "" {
			return true
		}
	}
	return false
}

// Item 17: posting the same edit form twice (back button, double click)
// sends once, and the second post returns to the thread where the reply
// shows, not to GoAdmin's error page.
func TestEditFormSentTwice(t *testing.T) {
	agent := newStaff(t, "agent")
	c := takenBy(t, agent, "double submit")
	cl := login(t, agent)
	form := cl.editForm(c.ID)
	form.Set("reply_body", "sent once, posted twice")
	if res := cl.postMultipart("/admin/edit/conversation", form, nil); res.StatusCode >= 400 {
		t.Fatalf("first post: %d %.200s", res.StatusCode, res.body)
	}
	res := cl.postMultipart("/admin/edit/conversation", form, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != editPath(c.ID) {
		t.Errorf("second post of the same form: %d to %q %.200s", res.StatusCode, res.Header.Get("Location"), res.body)
	}
	msgs, err := env.store.Messages(context.Background(), c.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.Body == "sent once, posted twice" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the reply is stored %d times", n)
	}
}

// The conversation page's form token is Parley's, made for one staff member
// and one conversation: sent with another conversation's id it is refused
// and nothing is stored; its page view wrote no GoAdmin token row.
func TestEditFormTokenIsTheThreads(t *testing.T) {
	agent := newStaff(t, "agent")
	a := takenBy(t, agent, "token for a")
	b := takenBy(t, agent, "token for b")
	cl := login(t, agent)
	var before int
	if err := env.store.DB.QueryRow("SELECT COUNT(*) FROM goadmin_session WHERE `values` = '__csrf_token__'").Scan(&before); err != nil {
		t.Fatal(err)
	}
	form := cl.editForm(a.ID)
	var after int
	if err := env.store.DB.QueryRow("SELECT COUNT(*) FROM goadmin_session WHERE `values` = '__csrf_token__'").Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("the page view wrote %d GoAdmin token rows", after-before)
	}
	form.Set("id", itoa(b.ID))
	form.Set("reply_body", "posted to the wrong thread")
	if res := cl.postMultipart("/admin/edit/conversation", form, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("another conversation's token: %d %.200s", res.StatusCode, res.body)
	}
	msgs, err := env.store.Messages(context.Background(), b.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Body == "posted to the wrong thread" {
			t.Error("the reply was stored")
		}
	}
}
