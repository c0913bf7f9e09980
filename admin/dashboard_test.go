package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

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
