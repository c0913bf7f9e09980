package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
)

// Item 25: Parley's own page inside GoAdmin's layout. The user menu's
// "Setting" (a 404 before) leads to the profile, which shows the account
// and changes the password: the current session stays, every other
// session and token ends.
func TestProfilePage(t *testing.T) {
	ctx := context.Background()
	st := newStaff(t, "chat_admin")
	cl := login(t, st)

	res := cl.get(fmt.Sprintf("/admin/info/normal_manager/edit?__goadmin_edit_pk=%d", st.ID))
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/admin/profile" {
		t.Errorf("Setting link: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = cl.get("/admin/profile")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("profile: %d %.300s", res.StatusCode, res.body)
	}
	doc := res.doc(t)
	if got := profileUser(t, res); got != st.Username {
		t.Errorf("username %q", got)
	}
	if got := strings.TrimSpace(doc.Find(".profile-role").Text()); got != "Chat admin" {
		t.Errorf("role %q", got)
	}
	if doc.Find(".sidebar-menu").Length() == 0 || doc.Find(".user-menu").Length() == 0 || !strings.Contains(res.body, "Parley") {
		t.Error("the profile is not inside GoAdmin's layout")
	}
	if doc.Find(`form.parley-password[method="post"][action="/admin/profile/password"]`).Length() != 1 {
		t.Error("no change-password form")
	}

	// Another session and an API token of the same user.
	other := "other-session-" + randomHex(8)
	now := time.Now().UTC().Format("2006-01-02 15:04:05")
	if _, err := env.store.DB.ExecContext(ctx, "INSERT INTO goadmin_session (sid, `values`, created_at, updated_at) VALUES (?, ?, ?, ?)",
		other, fmt.Sprintf(`{"user_id":%d}`, st.ID), now, now); err != nil {
		t.Fatal(err)
	}
	tok, err := env.acc.StaffLogin(ctx, st.Username, password, "127.0.0.9")
	if err != nil {
		t.Fatal(err)
	}

	change := func(cur, next, confirm string, h map[string]string) response {
		return cl.post("/admin/profile/password", url.Values{"current_password": {cur}, "new_password": {next}, "confirm_password": {confirm}}, h)
	}
	const next = "a-brand-new-password"
	if res := change(password, next, next, map[string]string{"Origin": "https://evil.example"}); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site change: %d", res.StatusCode)
	}
	for _, tc := range []struct {
		cur, next, confirm, msg string
		status                  int
	}{
		{"wrong-password", next, next, "current password is not right", http.StatusBadRequest},
		{password, next, "something-else", "not the same", http.StatusBadRequest},
		{password, "short", "short", "at least 8", http.StatusBadRequest},
	} {
		res := change(tc.cur, tc.next, tc.confirm, nil)
		msg := res.doc(t).Find(".parley-form-error").Text()
		if res.StatusCode != tc.status || !strings.Contains(msg, tc.msg) || res.doc(t).Find(".sidebar-menu").Length() == 0 {
			t.Errorf("%+v: %d %q", tc, res.StatusCode, msg)
		}
	}
	if _, err := env.acc.Authenticate(ctx, tok.Token, "127.0.0.9"); err != nil {
		t.Fatalf("a refused change ended the token: %v", err)
	}
	res = change(password, next, next, nil)
	if res.StatusCode != http.StatusOK || res.doc(t).Find(".parley-notice").Length() != 1 {
		t.Fatalf("change: %d %.300s", res.StatusCode, res.body)
	}
	if res := cl.get("/admin/profile"); res.StatusCode != http.StatusOK {
		t.Errorf("this session ended: %d", res.StatusCode)
	}
	if _, err := env.acc.AdminSession(ctx, other, time.Hour); models.ErrorCode(err) != models.EUNAUTHORIZED {
		t.Errorf("the other session lives: %v", err)
	}
	if _, err := env.acc.Authenticate(ctx, tok.Token, "127.0.0.9"); err == nil {
		t.Error("the API token outlived the change")
	}
	if _, err := env.acc.CheckStaff(ctx, st.Username, next, "127.0.0.9"); err != nil {
		t.Errorf("the new password does not work: %v", err)
	}
}
