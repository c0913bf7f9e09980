package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/models"
)

// The dashboard shows its figures in the caller's scope, each tile a link
// to the filtered list behind it; per-agent load names only people whose
// threads the caller may see.
func TestDashboard(t *testing.T) {
	agent, other, chat := newStaff(t, models.RoleAgent), newStaff(t, models.RoleAgent), newStaff(t, models.RoleChatAdmin)
	takenBy(t, agent, "mine")
	takenBy(t, other, "theirs")

	res := login(t, chat).get("/admin/dashboard?days=7")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("chat admin: %d %.300s", res.StatusCode, res.body)
	}
	doc := res.doc(t)
	tiles := map[string]string{}
	doc.Find(".parley-tile").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		tiles[strings.TrimSpace(s.Find(".parley-tile-label").Text())] = href
	})
	u, err := url.Parse(tiles["Unassigned"])
	if err != nil || u.Path != "/admin/info/conversation" || u.Query().Get("assigned_to") != "none" {
		t.Fatalf("the Unassigned tile links to %q; tiles %v", tiles["Unassigned"], tiles)
	}
	if tiles["Escalated"] == "" || tiles["Open"] == "" || doc.Find(".parley-days.btn-primary").Text() != "7 days" {
		t.Fatalf("tiles %v, chosen period %q", tiles, doc.Find(".parley-days.btn-primary").Text())
	}
	if !strings.Contains(doc.Find(".parley-load").Text(), other.Username) || doc.Find(".parley-cap").Length() != 1 {
		t.Fatalf("chat admin's load %q lacks %s, or no cap box", doc.Find(".parley-load").Text(), other.Username)
	}

	// A year is charted per week.
	res = login(t, chat).get("/admin/dashboard?days=365")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.doc(t).Find(".box-title").Text(), "Median first response per week") {
		t.Fatalf("a year's dashboard: %d, chart titles %q", res.StatusCode, res.doc(t).Find(".box-title").Text())
	}

	res = login(t, agent).get("/admin/dashboard")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("agent: %d %.300s", res.StatusCode, res.body)
	}
	load := res.doc(t).Find(".parley-load").Text()
	if strings.Contains(load, other.Username) || !strings.Contains(load, agent.Username) || res.doc(t).Find(".parley-cap").Length() != 0 {
		t.Fatalf("agent's load shows %q: want only their own, and no store-wide cap", load)
	}

	res = login(t, chat).get("/admin/dashboard?from=2026-02-01&to=2025-01-01")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.doc(t).Find(".parley-form-error").Text(), "from must not be after to") {
		t.Fatalf("a bad period: %d %q", res.StatusCode, res.doc(t).Find(".parley-form-error").Text())
	}
}

// The failure card (chat admins and up): the job queue's given-up tasks
// per queue from the Asynq inspector, and e-mails given up in the last
// 24 hours / 7 days or waiting for a retry, with links to the job monitor
// and (admins) the failed e-mails; agents do not see it.
func TestDashboardFailures(t *testing.T) {
	ctx := context.Background()
	queue := "dash-" + randomHex(4)
	cl := asynq.NewClient(env.jobs)
	defer cl.Close()
	insp := asynq.NewInspector(env.jobs)
	defer insp.Close()
	info, err := cl.Enqueue(asynq.NewTask("test:fails", nil), asynq.Queue(queue))
	if err != nil {
		t.Fatal(err)
	}
	defer insp.DeleteQueue(queue, true)
	if err := insp.ArchiveTask(queue, info.ID); err != nil {
		t.Fatal(err)
	}

	chat := login(t, newStaff(t, models.RoleChatAdmin))
	adm := login(t, newStaff(t, models.RoleAdmin))
	count := func(doc *goquery.Document, sel string) int {
		t.Helper()
		n, err := strconv.Atoi(strings.TrimSpace(doc.Find(".parley-failures " + sel).Text()))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return n
	}
	before := chat.get("/admin/dashboard").doc(t)
	// E-mails given up an hour ago and three days ago (and ten days ago,
	// outside both periods), and one waiting for its retry.
	now := time.Now().UTC()
	for _, r := range []struct {
		age      time.Duration
		outcome  string
		due      any
		attempts int
	}{{time.Hour, models.EmailFailed, nil, 5}, {72 * time.Hour, models.EmailFailed, nil, 5},
		{240 * time.Hour, models.EmailFailed, nil, 5}, {time.Minute, "", now.Add(time.Minute), 1}} {
		if _, err := env.store.DB.ExecContext(ctx, `INSERT INTO notifications (recipient_type, recipient_id, kind, created_at,
			email_due_at, email_attempts, email_outcome, email_last_error) VALUES ('customer', 1, 'new_message', ?, ?, ?, ?, 'refused')`,
			models.Now(now.Add(-r.age)), r.due, r.attempts, r.outcome); err != nil {
			t.Fatal(err)
		}
	}

	res := chat.get("/admin/dashboard")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("chat admin: %d", res.StatusCode)
	}
	doc := res.doc(t)
	if d := count(doc, ".parley-email-24h") - count(before, ".parley-email-24h"); d != 1 {
		t.Errorf("e-mails given up in 24 h grew by %d, want 1", d)
	}
	if d := count(doc, ".parley-email-7d") - count(before, ".parley-email-7d"); d != 2 {
		t.Errorf("e-mails given up in 7 days grew by %d, want 2", d)
	}
	if d := count(doc, ".parley-email-retrying") - count(before, ".parley-email-retrying"); d != 1 {
		t.Errorf("e-mails retrying grew by %d, want 1", d)
	}
	var row *goquery.Selection
	doc.Find(".parley-failures .parley-queue").Each(func(_ int, s *goquery.Selection) {
		if s.Find(".parley-queue-name").Text() == queue {
			row = s
		}
	})
	if row == nil || strings.TrimSpace(row.Find(".parley-queue-archived").Text()) != "1" || count(doc, ".parley-jobs-archived") < 1 {
		t.Fatalf("queue %s not shown with its given-up task: %q", queue, doc.Find(".parley-job-failures").Text())
	}
	if doc.Find(`.parley-failures a.parley-jobs-link[href="/admin/jobs"]`).Length() != 1 || doc.Find(".parley-failures a.parley-email-link").Length() != 0 {
		t.Error("chat admin: want the job monitor link and no link to the admins' failed e-mails")
	}
	if d := adm.get("/admin/dashboard").doc(t); d.Find(`.parley-failures a.parley-email-link[href="/admin/mailbox"]`).Length() != 1 {
		t.Error("admin: no link to the failed e-mails")
	}
	if d := login(t, newStaff(t, models.RoleAgent)).get("/admin/dashboard").doc(t); d.Find(".parley-failures").Length() != 0 {
		t.Error("an agent sees the failure card")
	}
}
