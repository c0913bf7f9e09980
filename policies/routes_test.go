package policies

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/models"
)

func TestCanRoute(t *testing.T) {
	e := MustNew(t)
	// Columns: owner admin chat_admin agent.
	for _, tc := range []struct {
		method, path string
		want         string
	}{
		{"GET", "/admin", "y y y y"},
		{"GET", "/admin/", "y y y y"},
		{"GET", "/admin/dashboard/conversation", "y y y y"},
		{"GET", "/admin/dashboard", "y y y y"},
		{"GET", "/admin/info/conversation", "y y y y"},
		{"GET", "/admin/info/conversation?__page=2", "y y y y"},
		{"GET", "/admin/info/conversation/edit", "y y y y"},
		{"get", "/admin/profile", "y y y y"},
		{"POST", "/admin/profile/password", "y y y y"},
		{"POST", "/admin/logout", "y y y y"},
		{"POST", "/admin/conversation/read", "y y y y"},
		{"POST", "/admin/edit/conversation", "y y y y"},
		{"POST", "/admin/update/conversation", ". . . ."}, // inline update: refused (mass assignment)
		{"POST", "/admin/operation/conversation/take", "y y y y"},
		{"POST", "/admin/delete/conversation", "y y y ."},
		{"GET", "/admin/settings", "y . . ."},
		{"POST", "/admin/settings", "y . . ."},
		{"GET", "/admin/staff", "y y . ."},
		{"POST", "/admin/staff", "y y . ."},
		{"GET", "/admin/customers", "y y y ."},
		{"POST", "/admin/customers/message", "y y y ."},
		{"GET", "/admin/orders", "y y y ."},
		{"GET", "/admin/blocks", "y y y ."},
		{"POST", "/admin/blocks/unblock", "y y y ."},
		{"GET", "/admin/audit", "y y . ."},
		// The job monitor: chat admins look, admins act, agents nothing.
		{"GET", "/admin/jobs", "y y y ."},
		{"GET", "/admin/jobs/api/queues", "y y y ."},
		{"POST", "/admin/jobs/api/queues/default:pause", "y y . ."},
		{"DELETE", "/admin/jobs/api/queues/default", "y y . ."},
		// The live layer: every staff member.
		{"GET", "/admin/events", "y y y y"},
		{"POST", "/admin/conversation/typing", "y y y y"},
		{"POST", "/admin/conversation/viewing", "y y y y"},
		{"GET", "/admin/live.js", "y y y y"},
		{"POST", "/admin/events", ". . . ."},
		// Pages that do not exist have no rule.
		{"GET", "/admin/info/conversation/detail", ". . . ."},
		{"GET", "/admin/info/customer", ". . . ."},
		{"GET", "/admin/info/block", ". . . ."},
		{"GET", "/admin/info/audit", ". . . ."},
		// GET must not sign out.
		{"GET", "/admin/logout", ". . . ."},
		// Wrong method or unknown routes: refused.
		{"POST", "/admin/dashboard", ". . . ."},
		{"GET", "/admin/delete/conversation", ". . . ."},
		{"GET", "/admin/info/settings", ". . . ."},
		{"GET", "/administrator", ". . . ."},
		{"GET", "/", ". . . ."},
		// GoAdmin's own management: refused for everyone, the owner included.
		{"GET", "/admin/info/manager", ". . . ."},
		{"GET", "/admin/info/manager/edit", ". . . ."},
		{"POST", "/admin/info/manager", ". . . ."},
		{"GET", "/admin/info/roles", ". . . ."},
		{"GET", "/admin/info/permission", ". . . ."},
		{"GET", "/admin/info/menu", ". . . ."},
		{"GET", "/admin/info/op", ". . . ."},
		{"GET", "/admin/info/site", ". . . ."},
		{"GET", "/admin/plugins", ". . . ."},
		{"GET", "/admin/install", ". . . ."},
		{"GET", "/admin/info/conversation/../manager", ". . . ."},
		{"GET", "/admin/assets/../info/roles", ". . . ."},
		{"POST", "/admin/edit/manager", ". . . ."},
		{"POST", "/admin/new/roles", ". . . ."},
	} {
		want := strings.Fields(tc.want)
		for i, role := range models.StaffRoles {
			if got := e.CanRoute(role, tc.method, tc.path); got != (want[i] == "y") {
				t.Errorf("%s %s %s: got %v, want %s", role, tc.method, tc.path, got, want[i])
			}
		}
	}
	for _, role := range []string{models.RoleCustomer, models.RoleGuest, models.RoleSystem, anyone, ""} {
		if e.CanRoute(role, "GET", "/admin") {
			t.Errorf("%q may GET /admin", role)
		}
	}
}

// TestRouteDenyWins grants the owner every info page and checks that the
// management denies still win.
func TestRouteDenyWins(t *testing.T) {
	e := MustNew(t)
	if _, err := e.se.AddNamedPolicy("p2", models.RoleOwner, "/admin/*", "*", "allow"); err != nil {
		t.Fatal(err)
	}
	if !e.CanRoute(models.RoleOwner, "GET", "/admin/info/anything") {
		t.Fatal("the broad allow does not apply")
	}
	for _, p := range []string{"/admin/info/manager", "/admin/info/roles", "/admin/info/permission", "/admin/info/menu",
		"/admin/info/op", "/admin/info/site", "/admin/plugins", "/admin/install"} {
		if e.CanRoute(models.RoleOwner, "GET", p) {
			t.Errorf("owner may GET %s despite the deny", p)
		}
	}
}
