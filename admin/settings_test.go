package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
)

// The settings page is the owner's: built from models.SettingDefs, a bad
// value shows its message next to the field and stores nothing, a good one
// is saved and shown.
func TestSettingsPage(t *testing.T) {
	for _, role := range []string{models.RoleAdmin, models.RoleChatAdmin, models.RoleAgent} {
		cl := login(t, newStaff(t, role))
		if res := cl.get("/admin/settings"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s GET settings: %d", role, res.StatusCode)
		}
		if res := cl.post("/admin/settings", url.Values{"retention_days": {"5"}}, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s POST settings: %d", role, res.StatusCode)
		}
		if strings.Contains(cl.get("/admin/info/conversation").body, `href="/admin/settings"`) {
			t.Errorf("%s sees the Settings menu entry", role)
		}
	}
	owner := newStaff(t, models.RoleOwner)
	cl := login(t, owner)
	res := cl.get("/admin/settings")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("owner settings: %d %.300s", res.StatusCode, res.body)
	}
	doc := res.doc(t)
	if doc.Find(".sidebar-menu").Length() == 0 || doc.Find(`.sidebar-menu a[href="/admin/settings"]`).Length() == 0 {
		t.Error("the settings page is not in GoAdmin's layout with its menu entry")
	}
	for _, d := range models.SettingDefs() {
		if doc.Find(`[data-setting="`+d.Name+`"]`).Length() != 1 {
			t.Errorf("no field for %s", d.Name)
		}
	}
	form := url.Values{}
	// Post the stored values with one bad and one good change.
	vals, err := env.svc.Settings(context.Background(), actorOf(owner))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range vals {
		form.Set(k, v)
	}
	form.Del(models.SettingEnableCustomerChat)
	form.Set(models.SettingEnableCustomerChat, "true")
	form.Set(models.SettingRetentionDays, "45")
	form.Set(models.SettingCustomerMessagesPerMin, "99")
	form.Set(models.SettingConsentText, `<img src=x onerror=alert(1)>`)
	res = cl.post("/admin/settings", form, nil)
	doc = res.doc(t)
	if res.StatusCode != http.StatusBadRequest || doc.Find(".sidebar-menu").Length() == 0 {
		t.Fatalf("bad value: %d %.300s", res.StatusCode, res.body)
	}
	msg := doc.Find(`[data-setting="customer_messages_per_minute"] .parley-field-error`).Text()
	if !strings.Contains(msg, "between 1 and 30") {
		t.Errorf("field message %q", msg)
	}
	if doc.Find(`[data-setting="privacy_consent_text"] textarea`).Text() != `<img src=x onerror=alert(1)>` || doc.Find("img[onerror]").Length() != 0 {
		t.Error("the submitted text is not kept as text")
	}
	if st, _ := env.store.Settings(context.Background()); st.RetentionDays == 45 {
		t.Fatal("a refused form was half saved")
	}
	form.Set(models.SettingCustomerMessagesPerMin, "20")
	res = cl.post("/admin/settings", form, nil)
	if res.StatusCode != http.StatusOK || res.doc(t).Find(".parley-notice").Length() != 1 {
		t.Fatalf("save: %d %.500s", res.StatusCode, res.body)
	}
	st, _ := env.store.Settings(context.Background())
	if st.RetentionDays != 45 || st.CustomerMessagesPerMinute != 20 || st.PrivacyConsentText != `<img src=x onerror=alert(1)>` {
		t.Errorf("saved %+v", st)
	}
	if v, _ := res.doc(t).Find(`#setting-retention_days`).Attr("value"); v != "45" {
		t.Errorf("page shows %q", v)
	}
	// Cross-site posts are refused.
	if res := cl.post("/admin/settings", form, map[string]string{"Origin": "https://evil.example"}); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site: %d", res.StatusCode)
	}
	// Restore the defaults for the other tests.
	for _, d := range models.SettingDefs() {
		if err := env.store.PutSetting(context.Background(), d.Name, d.Default, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
}
