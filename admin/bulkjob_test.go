package admin_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley/models"
)

// The list's bulk work beyond the selected rows: a job over all matching
// (started by the list's bar, shown on its page to its creator and
// admins), and the CSV of the selected rows.
func TestBulkJobPages(t *testing.T) {
	ctx := context.Background()
	chat := newStaff(t, models.RoleChatAdmin)
	agent := newStaff(t, models.RoleAgent)
	word := "bkp" + randomHex(4)
	var ids []int64
	for i := range 3 {
		ids = append(ids, newConversation(t, fmt.Sprintf("%s %d", word, i), "hello").ID)
	}
	cl := login(t, chat)
	res := cl.post("/admin/bulk-jobs", url.Values{"action": {"close"}, "filter": {"q=" + word}}, nil)
	m := res.json(t)
	jobURL, _ := m["url"].(string)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(jobURL, "/admin/bulk-jobs/") {
		t.Fatalf("start: %d %v", res.StatusCode, m)
	}
	var id int64
	fmt.Sscanf(strings.TrimPrefix(jobURL, "/admin/bulk-jobs/"), "%d", &id)
	if err := env.svc.RunBulkJob(ctx, id); err != nil { // the worker's part
		t.Fatal(err)
	}
	page := cl.get(jobURL)
	d := page.doc(t)
	if page.StatusCode != http.StatusOK || d.Find(`.parley-bulk-job[data-state="done"]`).Length() != 1 || strings.TrimSpace(d.Find(".bulk-done").Text()) != "3" {
		t.Errorf("job page: %d %.500s", page.StatusCode, page.body)
	}
	for _, id := range ids {
		if c, _ := env.store.Conversation(ctx, id); c.Status != models.StatusClosed {
			t.Errorf("conversation %d is %s", id, c.Status)
		}
	}
	// A finished job has no Stop button.
	if d.Find(".bulk-cancel").Length() != 0 {
		t.Error("a finished job offers Stop")
	}
	// A queued job is stopped from its page: the worker then applies nothing.
	stop := cl.post("/admin/bulk-jobs", url.Values{"action": {"resolve"}, "filter": {"q=" + word}}, nil).json(t)["url"].(string)
	form := cl.get(stop).doc(t).Find("form.bulk-cancel")
	action, _ := form.Attr("action")
	if form.Find(".act-bulk-stop").Length() != 1 || action != stop+"/cancel" {
		t.Fatalf("Stop form: %q", action)
	}
	if r := cl.post(action, nil, map[string]string{"Origin": "https://evil.example"}); r.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site stop: %d", r.StatusCode)
	}
	if r := login(t, agent).post(action, nil, nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("another agent stops the job: %d", r.StatusCode)
	}
	if r := cl.post(action, nil, nil); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != stop {
		t.Fatalf("stop: %d %q %.300s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	var stopID int64
	fmt.Sscanf(strings.TrimPrefix(stop, "/admin/bulk-jobs/"), "%d", &stopID)
	if err := env.svc.RunBulkJob(ctx, stopID); err != nil {
		t.Fatal(err)
	}
	if sd := cl.get(stop).doc(t); sd.Find(`.parley-bulk-job[data-state="cancelled"]`).Length() != 1 || !strings.Contains(sd.Find(".bulk-message").Text(), "stopped by") {
		t.Errorf("stopped job page: %s", sd.Find(".parley-bulk-job").Text())
	}
	if c, _ := env.store.Conversation(ctx, ids[0]); c.Status == models.StatusResolved {
		t.Error("a stopped job resolved a conversation")
	}

	// Another agent: not found; refusals answer their status.
	acl := login(t, agent)
	if r := acl.get(jobURL); r.StatusCode != http.StatusNotFound {
		t.Errorf("another staff member's view of the job: %d", r.StatusCode)
	}
	if r := acl.post("/admin/bulk-jobs", url.Values{"action": {"delete"}, "filter": {"status=CLOSED"}}, nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("agent delete all: %d %s", r.StatusCode, r.body)
	}
	if r := cl.post("/admin/bulk-jobs", url.Values{"action": {"delete"}, "filter": {"q=" + word}}, nil); r.StatusCode != http.StatusBadRequest ||
		!strings.Contains(r.body, "status=CLOSED") {
		t.Errorf("delete without status=CLOSED: %d %s", r.StatusCode, r.body)
	}

	// The list offers "Delete" over all matching only with status=CLOSED.
	var more []int64
	for i := range 30 {
		more = append(more, newConversation(t, fmt.Sprintf("%s more %d", word, i), "x").ID)
	}
	if _, err := env.svc.Bulk(ctx, actorOf(chat), "close", more[:15]); err != nil {
		t.Fatal(err)
	}
	list := cl.get("/admin/info/conversation?q=" + word + "&__pageSize=10").doc(t)
	// Each part of the list's header once (GoAdmin's SetHeaderHtml appends).
	for _, part := range []string{"form.conv-assign", ".conv-filtered", ".conv-select-all-link", ".conv-export-btn"} {
		if n := list.Find(part).Length(); n != 1 {
			t.Errorf("%s %d times in the list's header, want once", part, n)
		}
	}
	if list.Find(".conv-select-all-link").Length() != 1 || list.Find(`.conv-all-action option[value="delete"]`).Length() != 0 {
		t.Errorf("all-matching bar without status=CLOSED: link %d, delete %d", list.Find(".conv-select-all-link").Length(),
			list.Find(`.conv-all-action option[value="delete"]`).Length())
	}
	list = cl.get("/admin/info/conversation?status=CLOSED&__pageSize=10").doc(t)
	if list.Find(`.conv-all-action option[value="delete"]`).Length() != 1 {
		t.Error("no delete all matching with status=CLOSED")
	}

	// CSV of the selection; one row outside the scope refuses it whole.
	r := cl.get("/admin/conversations/export?ids=" + fmt.Sprintf("%d,%d", ids[0], ids[1]))
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\uFEFF"))).ReadAll()
	if r.StatusCode != http.StatusOK || err != nil || len(recs) < 3 || recs[0][0] != "conversation_id" ||
		!strings.Contains(r.Header.Get("Content-Disposition"), "conversations-2.csv") {
		t.Errorf("export: %d %v %v", r.StatusCode, err, recs)
	}
	mine := takenBy(t, chat, "not the agent's")
	if r := acl.get(fmt.Sprintf("/admin/conversations/export?ids=%d,%d", ids[0], mine.ID)); r.StatusCode != http.StatusNotFound {
		t.Errorf("agent export of another's thread: %d", r.StatusCode)
	}
	if r := cl.get("/admin/conversations/export?ids=1e3"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("bad ids: %d", r.StatusCode)
	}
}
