package admin_test

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/models"
)

// TestBrowserJobMonitor: asynqmon's UI runs under its CSP in a real
// browser — its scripts load, the app renders the queues, and nothing is
// refused but Google Fonts (cosmetic: system fonts are used).
func TestBrowserJobMonitor(t *testing.T) {
	adm := newStaff(t, models.RoleAdmin)
	ctx, problems := headless(t)
	var body string
	var shot []byte
	err := chromedp.Run(ctx,
		chromedp.Navigate(env.srv.URL+"/admin/login"),
		chromedp.WaitVisible("#username", chromedp.ByID),
		chromedp.SendKeys("#username", adm.Username, chromedp.ByID),
		chromedp.SendKeys("#password", password, chromedp.ByID),
		chromedp.Click("#sign-in-form button", chromedp.ByQuery),
		chromedp.WaitNotPresent("#sign-in-form", chromedp.ByID),
		chromedp.Navigate(env.srv.URL+"/admin/jobs"),
		chromedp.WaitVisible("//*[contains(text(), 'Queues')]", chromedp.BySearch),
		chromedp.Text("body", &body, chromedp.ByQuery),
		chromedp.FullScreenshot(&shot, 100),
	)
	if err != nil {
		t.Fatalf("job monitor: %v (problems %v)", err, problems())
	}
	if p := os.Getenv("PARLEY_TEST_SHOT"); p != "" {
		os.WriteFile(p, shot, 0o600)
	}
	// Only the monitor's own page counts (the sign-in page is GoAdmin's).
	// Its web manifest is fetched without cookies, so it gets the sign-in
	// answer: cosmetic too.
	for _, p := range problems() {
		if strings.Contains(p, "/admin/jobs") && !strings.Contains(p, "fonts.g") && !strings.Contains(p, "manifest.json") {
			t.Errorf("browser problem: %s", p)
		}
	}
	if !strings.Contains(body, "Queues") {
		t.Errorf("page text %.300q", body)
	}
}
