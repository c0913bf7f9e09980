package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// Item 15: a huge id list is refused before any per-id work (100,000 ids
// cost 28 s of queries in the guard before); ids are plain decimals,
// deduplicated, and checked in one query.
func TestBulkIDsCappedBeforeWork(t *testing.T) {
	agent := newStaff(t, "agent")
	a := takenBy(t, agent, "bulk one")
	cl := login(t, agent)
	many := make([]string, 100000)
	for i := range many {
		many[i] = fmt.Sprint(i + 1)
	}
	start := time.Now()
	res := cl.post("/admin/operation/conversation_resolve", url.Values{"ids": {strings.Join(many, ",") + ","}}, nil)
	if took := time.Since(start); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, fmt.Sprint(inbox.MaxBulk)) || took > 3*time.Second {
		t.Errorf("100,000 ids: %d in %s: %.200s", res.StatusCode, took, res.body)
	}
	res = cl.post("/admin/delete/conversation", url.Values{"id": {strings.Join(many[:inbox.MaxBulk+1], ",")}}, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("501 ids to delete: %d", res.StatusCode)
	}
	for _, ids := range []string{"+1", "0001", fmt.Sprintf("0%d", a.ID), "1e3", " 1", "0x10", "-1", "99999999999999999999"} {
		if res := cl.post("/admin/operation/conversation_resolve", url.Values{"ids": {ids}}, nil); res.StatusCode != http.StatusBadRequest {
			t.Errorf("ids %q: %d %s", ids, res.StatusCode, res.body)
		}
	}
	// 500 ids, one visible and 499 unknown: one answer naming not-found.
	ids := []string{fmt.Sprint(a.ID)}
	for i := 0; len(ids) < inbox.MaxBulk; i++ {
		ids = append(ids, fmt.Sprint(900000000+i))
	}
	start = time.Now()
	res = cl.post("/admin/operation/conversation_resolve", url.Values{"ids": {strings.Join(ids, ",")}}, nil)
	if res.StatusCode != http.StatusNotFound || time.Since(start) > 3*time.Second {
		t.Errorf("500 ids, 499 unknown: %d in %s", res.StatusCode, time.Since(start))
	}
	// Duplicates count once, and the row action's "ids=," falls back to id.
	res = cl.post("/admin/operation/conversation_resolve", url.Values{"ids": {fmt.Sprintf("%d,%d,%d,", a.ID, a.ID, a.ID)}}, nil)
	if m := res.json(t); res.StatusCode != http.StatusOK || m["code"] != float64(0) {
		t.Errorf("duplicated ids: %d %v", res.StatusCode, m)
	}
	b := newConversation(t, "take via row action", "hi")
	res = cl.post("/admin/operation/conversation_take", url.Values{"ids": {","}, "id": {fmt.Sprint(b.ID)}}, nil)
	if m := res.json(t); res.StatusCode != http.StatusOK || m["code"] != float64(0) {
		t.Errorf("row action with ids=,: %d %v", res.StatusCode, m)
	}
	if got, _ := env.store.Conversation(context.Background(), b.ID); got.AssignedTo == nil || *got.AssignedTo != agent.ID {
		t.Error("the row action did not take the thread")
	}
}

// Item 19: the back office answers with the API's code → status table.
func TestAdminStatusesMatchTheAPI(t *testing.T) {
	cl := login(t, newStaff(t, "chat_admin"))
	big := strings.Repeat("x", 2<<20)
	res := cl.post("/admin/operation/conversation_resolve", url.Values{"ids": {"1"}, "pad": {big}}, nil)
	if res.StatusCode != http.StatusRequestEntityTooLarge || res.json(t)["code"] != float64(413) {
		t.Errorf("too-long body: %d %.200s", res.StatusCode, res.body)
	}
	open := newConversation(t, "still open", "x")
	res = cl.post("/admin/delete/conversation", url.Values{"id": {fmt.Sprint(open.ID)}}, nil)
	if res.StatusCode != models.HTTPStatus(models.ECONFLICT) {
		t.Errorf("R2 refusal: %d %s", res.StatusCode, res.body)
	}
}

// Item 19: a refusal inside a GoAdmin handler (an Ajax action, the edit
// form) answers with its code's status, as the API would, not GoAdmin's 200.
func TestHandlerRefusalsAnswerTheirStatus(t *testing.T) {
	cl := login(t, newStaff(t, "chat_admin"))
	open := newConversation(t, "ajax refusal", "x")

	// R2 through the bulk delete action: 409, the message names the row.
	res := cl.post("/admin/operation/conversation_delete", url.Values{"ids": {fmt.Sprint(open.ID) + ","}}, nil)
	m := res.json(t)
	if res.StatusCode != http.StatusConflict || m["code"] != float64(http.StatusConflict) ||
		!strings.Contains(fmt.Sprint(m["msg"]), fmt.Sprint(open.ID)) {
		t.Errorf("bulk delete of an open thread: %d %v", res.StatusCode, m)
	}
	if _, err := env.store.Conversation(context.Background(), open.ID); err != nil {
		t.Errorf("refused delete removed the thread: %v", err)
	}
	// A success keeps GoAdmin's 200 {"code":0}.
	res = cl.post("/admin/operation/conversation_resolve", url.Values{"ids": {fmt.Sprint(open.ID) + ","}}, nil)
	if m := res.json(t); res.StatusCode != http.StatusOK || m["code"] != float64(0) {
		t.Errorf("resolve: %d %v", res.StatusCode, m)
	}

	// The edit form: escalating without a reason is invalid (400) and the
	// page is re-rendered with the message; a pjax post keeps 200 so the
	// page script shows it with the draft.
	form := cl.editForm(open.ID)
	form.Set("reply_body", "kept draft")
	form.Set("status", string(models.StatusEscalated))
	form.Set("reason", "")
	res = cl.postMultipart("/admin/edit/conversation", form, nil)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, "escalating needs a reason") {
		t.Errorf("refused edit post: %d %.300s", res.StatusCode, res.body)
	}
	form = cl.editForm(open.ID)
	form.Set("reply_body", "kept draft")
	form.Set("status", string(models.StatusEscalated))
	form.Set("reason", "")
	res = cl.postMultipart("/admin/edit/conversation", form, map[string]string{"X-PJAX": "true"})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "escalating needs a reason") {
		t.Errorf("refused pjax edit post: %d %.300s", res.StatusCode, res.body)
	}
	msgs, err := env.store.Messages(context.Background(), open.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range msgs {
		if msg.Body == "kept draft" {
			t.Error("a refused edit post stored its reply")
		}
	}
}
