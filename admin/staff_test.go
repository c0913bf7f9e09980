package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/parleyhq/parley/models"
)

// staffRow finds a person's row on the staff page.
func staffRow(t *testing.T, res response, username string) string {
	t.Helper()
	row := res.doc(t).Find(fmt.Sprintf(`tr.parley-staff-row[data-username=%q]`, username))
	if row.Length() != 1 {
		return ""
	}
	return strings.Join(strings.Fields(row.Find(".staff-role").Text()+" "+row.Find(".staff-state").Text()), " ")
}

// Issue 6: the staff page. Admins add, reset and deactivate agents and chat
// admins and cannot make anyone an admin or owner; chat admins and agents
// cannot open it; deactivation signs the person out at once; an e-mail
// holding markup renders as text.
func TestStaffPage(t *testing.T) {
	for _, role := range []string{models.RoleChatAdmin, models.RoleAgent} {
		cl := login(t, newStaff(t, role))
		if res := cl.get("/admin/staff"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s GET staff: %d", role, res.StatusCode)
		}
		if res := cl.post("/admin/staff", url.Values{"op": {"create"}, "username": {"x" + randomHex(3)}, "role": {"agent"}, "password": {password}}, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s POST staff: %d", role, res.StatusCode)
		}
	}
	admin := newStaff(t, models.RoleAdmin)
	cl := login(t, admin)
	res := cl.get("/admin/staff")
	if res.StatusCode != http.StatusOK || res.doc(t).Find(`.sidebar-menu a[href="/admin/staff"]`).Length() == 0 {
		t.Fatalf("staff page: %d %.300s", res.StatusCode, res.body)
	}
	var roles []string
	res.doc(t).Find("#new-role option").Each(func(_ int, s *goquery.Selection) { roles = append(roles, s.Text()) })
	if strings.Join(roles, ",") != "Chat admin,Agent" {
		t.Errorf("an admin may give %v", roles)
	}
	if res.doc(t).Find(`a[href="/admin/settings"]`).Length() != 0 {
		t.Error("an admin sees the Settings menu entry")
	}

	name := "newagent" + randomHex(3)
	const xssEmail = `"><script>window.__xss=1</script>@x.test`
	res = cl.post("/admin/staff", url.Values{"op": {"create"}, "username": {name}, "role": {"agent"}, "email": {xssEmail}, "password": {password}}, nil)
	if res.StatusCode != http.StatusOK || staffRow(t, res, name) != "Agent Active" {
		t.Fatalf("create: %d %q %.300s", res.StatusCode, staffRow(t, res, name), res.doc(t).Find(".parley-form-error").Text())
	}
	if res.doc(t).Find(fmt.Sprintf(`tr[data-username=%q] .staff-email`, name)).Text() != xssEmail || strings.Contains(res.body, "<script>window.__xss") {
		t.Error("the e-mail is not rendered as text")
	}
	for _, role := range []string{"admin", "owner"} {
		res = cl.post("/admin/staff", url.Values{"op": {"create"}, "username": {"x" + randomHex(3)}, "role": {role}, "password": {password}}, nil)
		if res.StatusCode != http.StatusForbidden || !strings.Contains(res.doc(t).Find(".parley-form-error").Text(), "only the owner") {
			t.Errorf("admin creates %s: %d", role, res.StatusCode)
		}
	}
	st, _, err := env.store.StaffCredentials(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprint(st.ID)
	res = cl.post("/admin/staff", url.Values{"op": {"role"}, "id": {id}, "role": {"admin"}}, nil)
	if res.StatusCode != http.StatusForbidden || staffRow(t, res, name) != "Agent Active" {
		t.Errorf("admin promotes to admin: %d %q", res.StatusCode, staffRow(t, res, name))
	}
	res = cl.post("/admin/staff", url.Values{"op": {"role"}, "id": {id}, "role": {"chat_admin"}}, nil)
	if res.StatusCode != http.StatusOK || staffRow(t, res, name) != "Chat admin Active" {
		t.Errorf("admin promotes to chat admin: %d %q", res.StatusCode, staffRow(t, res, name))
	}
	res = cl.post("/admin/staff", url.Values{"op": {"deactivate"}, "id": {fmt.Sprint(admin.ID)}}, nil)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("admin deactivates self: %d", res.StatusCode)
	}

	// The new person signs in; deactivation ends that session at once.
	nc := login(t, st)
	if res := nc.get("/admin/info/conversation"); res.StatusCode != http.StatusOK {
		t.Fatalf("new person's list: %d", res.StatusCode)
	}
	res = cl.post("/admin/staff", url.Values{"op": {"password"}, "id": {id}, "password": {"short"}}, nil)
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("short reset: %d", res.StatusCode)
	}
	res = cl.post("/admin/staff", url.Values{"op": {"deactivate"}, "id": {id}}, nil)
	if res.StatusCode != http.StatusOK || staffRow(t, res, name) != "Chat admin Deactivated" {
		t.Fatalf("deactivate: %d %q", res.StatusCode, staffRow(t, res, name))
	}
	if res := nc.get("/admin/info/conversation"); res.StatusCode == http.StatusOK {
		t.Error("the deactivated person's session lives on")
	}
	cross := cl.post("/admin/staff", url.Values{"op": {"activate"}, "id": {id}}, map[string]string{"Origin": "https://evil.example"})
	if cross.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site: %d", cross.StatusCode)
	}
}
