package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/models"
)

func TestAdminExportCSV(t *testing.T) {
	agent1, agent2 := newStaff(t, "agent"), newStaff(t, "agent")
	mine := takenBy(t, agent1, "Export me, =cmd|' /C calc'!A0")
	theirs := takenBy(t, agent2, "Not yours")
	if _, _, err := env.svc.Send(context.Background(), actorOf(agent1), mine.ID, models.KindNote, "private note"); err != nil {
		t.Fatal(err)
	}
	cl := login(t, agent1)

	res := cl.get(fmt.Sprintf("/admin/conversation/export?id=%d", mine.ID))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("export of own thread: %d %s", res.StatusCode, res.body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !strings.HasPrefix(res.body, "\uFEFFmessage_id,") || !strings.Contains(res.body, "note (staff only)") {
		t.Errorf("body:\n%s", res.body)
	}
	audits, err := env.store.AuditEntries(context.Background(), "conversation", mine.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var audited bool
	for _, a := range audits {
		audited = audited || (a.Action == "conversation.export" && a.ActorID == agent1.ID)
	}
	if !audited {
		t.Errorf("the export wrote no audit entry: %+v", audits)
	}

	for _, q := range []string{fmt.Sprint(theirs.ID), "0", "01", "abc", fmt.Sprint(theirs.ID + 100000)} {
		if res := cl.get("/admin/conversation/export?id=" + q); res.StatusCode != http.StatusNotFound {
			t.Errorf("export id=%s: %d, want 404", q, res.StatusCode)
		}
	}
	if res := newClient(t).get(fmt.Sprintf("/admin/conversation/export?id=%d", mine.ID)); res.StatusCode == http.StatusOK {
		t.Errorf("export without sign-in: %d", res.StatusCode)
	}
}
