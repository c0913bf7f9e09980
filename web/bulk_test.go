package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// TestBulkOverFilterAPI: POST conversations/bulk with a filter answers 202
// with the job and its Location; the job (run here as the worker would)
// reads done with its batches at GET bulk-jobs/{id}, for its creator and
// admins only; ids keep working at once; the body is strict.
func TestBulkOverFilterAPI(t *testing.T) {
	eachIdent(t, func(t *testing.T, e *env, _ string) {
		ctx := context.Background()
		cu, _ := e.customer(t, "bulk@example.com")
		chat, chatTok := e.staff(t, "chat", models.RoleChatAdmin)
		_, agentTok := e.staff(t, "agent", models.RoleAgent)
		_, adminTok := e.staff(t, "adm", models.RoleAdmin)
		var ids []int64
		for i := range 3 {
			ids = append(ids, e.start(t, cu, 0, fmt.Sprintf("bulk %d", i)).ID)
		}
		e.setStatus(t, ids[2], models.StatusClosed)

		var jobURL string
		e.run(t, []scenario{
			{Name: "close all matching", Method: "POST", URL: "/api/v1/staff/conversations/bulk", Token: chatTok,
				Body:           map[string]any{"action": "close", "filter": map[string]any{"customer_id": itoa(cu.ID), "status": []string{"OPEN", "AWAITING_ADMIN"}}},
				ExpectedStatus: 202, Check: func(t *testing.T, r response) {
					jobURL = r.Header.Get("Location")
					if r.str("job.state") != "queued" || jobURL != idURL("/api/v1/staff/bulk-jobs", r.num("job.id"), "") {
						t.Fatalf("202: %s %s", jobURL, r.Body)
					}
				}},
		})
		jobID := int64(0)
		fmt.Sscanf(strings.TrimPrefix(jobURL, "/api/v1/staff/bulk-jobs/"), "%d", &jobID)
		if err := e.svc.RunBulkJob(ctx, jobID); err != nil { // the worker's part
			t.Fatal(err)
		}
		for _, id := range ids[:2] {
			if c, _ := e.st.Conversation(ctx, id); c.Status != models.StatusClosed {
				t.Errorf("conversation %d is %s after the job", id, c.Status)
			}
		}
		e.run(t, []scenario{
			{Name: "job done", Method: "GET", URL: jobURL, Token: chatTok, ExpectedStatus: 200, Check: func(t *testing.T, r response) {
				if r.str("job.state") != "done" || r.num("job.total") != 2 || r.num("job.done") != 2 || len(r.list("batches")) != 1 ||
					r.get("batches.0.ok") != true || r.num("job.created_by") != chat.ID {
					t.Fatalf("job: %s", r.Body)
				}
			}},
			{Name: "admin reads it", Method: "GET", URL: jobURL, Token: adminTok, ExpectedStatus: 200},
			{Name: "another staff member does not", Method: "GET", URL: jobURL, Token: agentTok, ExpectedStatus: 404, ExpectedCode: "not_found"},
			{Name: "an ended job cannot be cancelled", Method: "POST", URL: jobURL + "/cancel", Token: chatTok, ExpectedStatus: 409, ExpectedCode: "conflict"},
			{Name: "nor someone else's", Method: "POST", URL: jobURL + "/cancel", Token: agentTok, ExpectedStatus: 404, ExpectedCode: "not_found"},
			{Name: "unknown job", Method: "GET", URL: "/api/v1/staff/bulk-jobs/999999", Token: chatTok, ExpectedStatus: 404},
			{Name: "not an id", Method: "GET", URL: "/api/v1/staff/bulk-jobs/01", Token: chatTok, ExpectedStatus: 404},
			{Name: "delete needs status=CLOSED", Method: "POST", URL: "/api/v1/staff/conversations/bulk", Token: chatTok,
				Body: map[string]any{"action": "delete", "filter": map[string]any{"customer_id": itoa(cu.ID)}}, ExpectedStatus: 400,
				Check: func(t *testing.T, r response) {
					if !strings.Contains(r.str("error.message"), "status=CLOSED") {
						t.Errorf("message %s", r.Body)
					}
				}},
			{Name: "delete all closed", Method: "POST", URL: "/api/v1/staff/conversations/bulk", Token: chatTok,
				Body: map[string]any{"action": "delete", "filter": map[string]any{"status": "CLOSED"}}, ExpectedStatus: 202},
			{Name: "agents delete nothing", Method: "POST", URL: "/api/v1/staff/conversations/bulk", Token: agentTok,
				Body: map[string]any{"action": "delete", "filter": map[string]any{"status": "CLOSED"}}, ExpectedStatus: 403},
			{Name: "assign all to nobody", Method: "POST", URL: "/api/v1/staff/conversations/bulk", Token: chatTok,
				Body: map[string]any{"action": "assign", "assigned_to": nil, "filter": map[string]any{}}, ExpectedStatus: 202},
			{Name: "ids still at once", Method: "POST", URL: "/api/v1/staff/conversations/bulk", Token: chatTok,
				Body: map[string]any{"action": "reopen", "ids": []int64{ids[0], ids[0]}}, ExpectedStatus: 200, Check: func(t *testing.T, r response) {
					if l := r.list("ids"); len(l) != 1 || int64(l[0].(float64)) != ids[0] {
						t.Errorf("ids %s", r.Body)
					}
				}},
			{Name: "assign ids", Method: "POST", URL: "/api/v1/staff/conversations/bulk", Token: chatTok,
				Body: map[string]any{"action": "assign", "assigned_to": chat.ID, "ids": []int64{ids[0]}}, ExpectedStatus: 200},
		})
		// A queued job stopped before the worker runs it: nothing is applied;
		// the retried cancel answers the same; the cancel takes no body.
		var stopURL string
		e.run(t, []scenario{
			{Name: "resolve all matching", Method: "POST", URL: "/api/v1/staff/conversations/bulk", Token: chatTok,
				Body: map[string]any{"action": "resolve", "filter": map[string]any{"customer_id": itoa(cu.ID)}}, ExpectedStatus: 202,
				Check: func(t *testing.T, r response) { stopURL = r.Header.Get("Location") }},
		})
		e.run(t, []scenario{
			{Name: "cancel with a body", Method: "POST", URL: stopURL + "/cancel", Token: chatTok, Body: map[string]any{"now": true}, ExpectedStatus: 400},
			{Name: "cancel", Method: "POST", URL: stopURL + "/cancel", Token: adminTok, ExpectedStatus: 200, Check: func(t *testing.T, r response) {
				if r.str("job.state") != "cancelled" || r.num("job.done") != 0 {
					t.Errorf("cancelled job: %s", r.Body)
				}
			}},
			{Name: "cancel again", Method: "POST", URL: stopURL + "/cancel", Token: chatTok, ExpectedStatus: 200},
		})
		var stopID int64
		fmt.Sscanf(strings.TrimPrefix(stopURL, "/api/v1/staff/bulk-jobs/"), "%d", &stopID)
		if err := e.svc.RunBulkJob(ctx, stopID); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if c, _ := e.st.Conversation(ctx, id); c.Status == models.StatusResolved {
				t.Errorf("conversation %d resolved by a cancelled job", id)
			}
		}
		if c, _ := e.st.Conversation(ctx, ids[0]); c.AssignedTo == nil || *c.AssignedTo != chat.ID {
			t.Error("assign on ids did not assign")
		}
		bad := []struct{ name, body string }{
			{"neither", `{"action":"close"}`},
			{"both", `{"action":"close","ids":[1],"filter":{}}`},
			{"no action", `{"filter":{}}`},
			{"unknown key", `{"action":"close","filter":{},"all":true}`},
			{"case variant", `{"action":"close","Filter":{}}`},
			{"duplicate", `{"action":"close","action":"delete","filter":{}}`},
			{"unknown filter", `{"action":"close","filter":{"colour":"red"}}`},
			{"paging in filter", `{"action":"close","filter":{"limit":"5"}}`},
			{"cursor in filter", `{"action":"close","filter":{"cursor":"abc"}}`},
			{"empty value", `{"action":"close","filter":{"status":""}}`},
			{"number value", `{"action":"close","filter":{"customer_id":5}}`},
			{"null value", `{"action":"close","filter":{"status":null}}`},
			{"empty list", `{"action":"close","filter":{"status":[]}}`},
			{"repeated non-list key", `{"action":"close","filter":{"unread":["true","false"]}}`},
			{"bad status", `{"action":"close","filter":{"status":"NOPE"}}`},
			{"id as string", `{"action":"close","ids":["1"]}`},
			{"id with exponent", `{"action":"close","ids":[1e3]}`},
			{"id fraction", `{"action":"close","ids":[1.5]}`},
			{"negative id", `{"action":"close","ids":[-1]}`},
			{"assignee without assign", `{"action":"close","assigned_to":3,"filter":{}}`},
			{"assign without assignee", `{"action":"assign","filter":{}}`},
			{"unknown action", `{"action":"explode","filter":{}}`},
			{"invalid utf-8", "{\"action\":\"close\",\"filter\":{\"q\":\"\xff\xfe\"}}"},
			{"lone surrogate", `{"action":"close","filter":{"q":"\ud800abc"}}`},
		}
		for _, b := range bad {
			if r := e.do(t, "POST", "/api/v1/staff/conversations/bulk", chatTok, b.body); r.Code != http.StatusBadRequest {
				t.Errorf("%s: %d %s", b.name, r.Code, r.Body)
			}
		}
		_ = inbox.MaxBulkJob
	})
}
