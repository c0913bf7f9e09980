package admin_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/models"
)

// browserLogin signs s in through the real sign-in form.
func browserLogin(t *testing.T, ctx context.Context, s models.Staff) {
	t.Helper()
	err := chromedp.Run(ctx,
		chromedp.Navigate(env.srv.URL+"/admin/login"),
		chromedp.WaitVisible("#username", chromedp.ByID),
		chromedp.SendKeys("#username", s.Username, chromedp.ByID),
		chromedp.SendKeys("#password", password, chromedp.ByID),
		chromedp.Click("#sign-in-form button", chromedp.ByQuery),
		chromedp.WaitVisible(".sidebar-menu", chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("sign in %s: %v", s.Username, err)
	}
}

// Issue 6, done when: the owner changes a setting in a real browser and
// sees it saved; a bad value shows its message next to the field; a script
// typed into a text setting stays text.
func TestBrowserOwnerChangesSetting(t *testing.T) {
	owner := newStaff(t, models.RoleOwner)
	ctx, problems := headless(t)
	browserLogin(t, ctx, owner)
	const xss = `<img src=x onerror="window.__xss=1">`
	var notice, value, fieldErr, shownText string
	var xssRan bool
	err := chromedp.Run(ctx,
		// The menu leads there (its link is checked); the page is then
		// loaded whole, since a pjax load that outlives jQuery-pjax's
		// timeout reloads the page under the test's feet.
		chromedp.WaitVisible(`.sidebar-menu a[href="/admin/settings"]`, chromedp.ByQuery),
		chromedp.Navigate(env.srv.URL+"/admin/settings"),
		chromedp.WaitVisible("form.parley-settings", chromedp.ByQuery),
		chromedp.SetValue("#setting-retention_days", "", chromedp.ByID),
		chromedp.SendKeys("#setting-retention_days", "60", chromedp.ByID),
		chromedp.SetValue("#setting-privacy_consent_text", "", chromedp.ByID),
		chromedp.SendKeys("#setting-privacy_consent_text", xss, chromedp.ByID),
		chromedp.Click(".parley-settings-actions button", chromedp.ByQuery),
		chromedp.WaitVisible(".parley-notice", chromedp.ByQuery),
		chromedp.Text(".parley-notice", &notice, chromedp.ByQuery),
		chromedp.Value("#setting-retention_days", &value, chromedp.ByID),
		chromedp.Value("#setting-privacy_consent_text", &shownText, chromedp.ByID),
		chromedp.Evaluate(`window.__xss === 1`, &xssRan),
	)
	if err != nil {
		t.Fatalf("save: %v (problems %v)", err, problems())
	}
	if !strings.Contains(notice, "Saved") || value != "60" || shownText != xss || xssRan {
		t.Errorf("after save: notice %q, value %q, text %q, script ran %v", notice, value, shownText, xssRan)
	}
	if st, _ := env.store.Settings(context.Background()); st.RetentionDays != 60 {
		t.Errorf("stored retention %d", st.RetentionDays)
	}
	err = chromedp.Run(ctx,
		chromedp.SetValue("#setting-customer_messages_per_minute", "", chromedp.ByID),
		chromedp.SendKeys("#setting-customer_messages_per_minute", "99", chromedp.ByID),
		chromedp.SetValue("#setting-retention_days", "", chromedp.ByID),
		chromedp.SendKeys("#setting-retention_days", "61", chromedp.ByID),
		chromedp.Click(".parley-settings-actions button", chromedp.ByQuery),
		chromedp.WaitVisible(`[data-setting="customer_messages_per_minute"] .parley-field-error`, chromedp.ByQuery),
		chromedp.Text(`[data-setting="customer_messages_per_minute"] .parley-field-error`, &fieldErr, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("bad value: %v (problems %v)", err, problems())
	}
	if !strings.Contains(fieldErr, "between 1 and 30") {
		t.Errorf("field message %q", fieldErr)
	}
	if st, _ := env.store.Settings(context.Background()); st.RetentionDays != 60 {
		t.Errorf("a refused form stored retention %d", st.RetentionDays)
	}
	for _, p := range problems() {
		if strings.Contains(p, "favicon") || strings.Contains(p, "status of 400") || strings.Contains(p, "fonts.gstatic.com") || strings.Contains(p, "sucaihuo.com") {
			continue
		}
		t.Errorf("browser reported: %s", p)
	}
	for _, d := range models.SettingDefs() {
		env.store.PutSetting(context.Background(), d.Name, d.Default, time.Now())
	}
}
