package admin_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// Issue 6 in a real browser: chatadmin filters the list, selects the
// page, clicks "Select all N matching this filter", runs Close, watches
// the job's page reach done and reads its result list; then selects two
// rows and downloads them as CSV.
func TestBrowserBulkAllMatching(t *testing.T) {
	chat := newStaff(t, models.RoleChatAdmin)
	word := "bkb" + randomHex(4)
	var ids []int64
	for i := range 14 {
		ids = append(ids, newConversation(t, fmt.Sprintf("%s %d", word, i), "hello").ID)
	}
	ctx, problems := headless(t)
	browserLogin(t, ctx, chat)
	listURL := env.srv.URL + "/admin/info/conversation?q=" + word + "&__pageSize=10"
	var count, jobURL string
	err := chromedp.Run(ctx,
		chromedp.Navigate(listURL),
		chromedp.WaitVisible("a.conv-subject", chromedp.ByQuery),
		chromedp.Click(".grid-select-all + ins.iCheck-helper", chromedp.ByQuery),
		chromedp.WaitVisible(".conv-select-all-link", chromedp.ByQuery),
		chromedp.Click(".conv-select-all-link", chromedp.ByQuery),
		chromedp.WaitVisible(".conv-all-run", chromedp.ByQuery),
		chromedp.Text(".conv-all-count", &count, chromedp.ByQuery),
		chromedp.SetValue(".conv-all-action", inbox.BulkClose, chromedp.ByQuery),
		chromedp.Click(".conv-all-run", chromedp.ByQuery),
		chromedp.WaitVisible(".sweet-alert button.confirm", chromedp.ByQuery),
	)
	// Confirm in the dialog (its button ignores clicks while it animates
	// open, so click until the job page shows).
	for deadline := time.Now().Add(30 * time.Second); err == nil; {
		var at string
		var onJob bool
		err = chromedp.Run(ctx, chromedp.Evaluate(`(function () {
			if (document.querySelector(".parley-bulk-job")) { return true; }
			var b = document.querySelector(".sweet-alert.visible button.confirm"); if (b) { b.click(); }
			return false; })()`, &onJob), chromedp.Location(&at))
		if err != nil && strings.Contains(err.Error(), "navigated or closed") {
			// The click navigated to the job page while this poll ran: poll again.
			err = nil
		}
		if onJob {
			jobURL = at
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no job page after confirming (at %s)", at)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("start close all matching: %v (problems %v)", err, problems())
	}
	if !strings.Contains(count, "All 14 conversations matching") {
		t.Errorf("bar says %q", count)
	}
	var id int64
	if _, err := fmt.Sscanf(jobURL[strings.LastIndex(jobURL, "/")+1:], "%d", &id); err != nil {
		t.Fatalf("job page at %s", jobURL)
	}
	// The worker's part, as it would run: snapshot, then the batch; the
	// page reloads itself until done.
	if _, err := env.svc.RunBulkJobBatches(context.Background(), id, -1); err != nil {
		t.Fatal(err)
	}
	var state string
	_ = chromedp.Run(ctx, chromedp.AttributeValue(".parley-bulk-job", "data-state", &state, nil, chromedp.ByQuery))
	if err := env.svc.RunBulkJob(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	var done, total, result string
	var batches int
	err = chromedp.Run(ctx,
		chromedp.WaitVisible(`.parley-bulk-job[data-state="done"]`, chromedp.ByQuery),
		chromedp.Text(".bulk-done", &done, chromedp.ByQuery),
		chromedp.Text(".bulk-total", &total, chromedp.ByQuery),
		chromedp.Text(".bulk-batches .bulk-batch", &result, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll(".bulk-batches .bulk-batch").length`, &batches),
	)
	if err != nil {
		t.Fatalf("job page: %v (problems %v)", err, problems())
	}
	if done != "14" || total != "14" || batches != 1 || !strings.Contains(result, "applied") {
		t.Errorf("job page: %s of %s, %d batches, %q (state seen before the run: %s)", done, total, batches, result, state)
	}
	for _, id := range ids {
		if c, _ := env.store.Conversation(context.Background(), id); c.Status != models.StatusClosed {
			t.Errorf("conversation %d is %s", id, c.Status)
		}
	}

	// Export CSV of two selected rows.
	dir := t.TempDir()
	var firstTwo []string
	err = chromedp.Run(ctx,
		cdpbrowser.SetDownloadBehavior(cdpbrowser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(dir).
			WithBrowserContextID(chromedp.FromContext(ctx).BrowserContextID),
		chromedp.Navigate(listURL),
		chromedp.WaitVisible("a.conv-subject", chromedp.ByQuery),
		chromedp.Click("tbody tr:nth-child(2) .grid-row-checkbox + ins.iCheck-helper", chromedp.ByQuery),
		chromedp.Click("tbody tr:nth-child(3) .grid-row-checkbox + ins.iCheck-helper", chromedp.ByQuery),
		chromedp.Evaluate(`selectedRows()[0].map(String)`, &firstTwo),
		chromedp.Click(".conv-export-btn", chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("export: %v (problems %v)", err, problems())
	}
	var file string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline) && file == ""; time.Sleep(200 * time.Millisecond) {
		if m, _ := filepath.Glob(filepath.Join(dir, "*.csv")); len(m) == 1 {
			file = m[0]
		}
	}
	if file == "" {
		t.Fatalf("no CSV downloaded (selected %v; problems %v)", firstTwo, problems())
	}
	b, _ := os.ReadFile(file)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\uFEFF"))).ReadAll()
	if err != nil || len(recs) < 3 || !slices.Equal(recs[0], inbox.BulkCSVHeader) {
		t.Fatalf("CSV %s: %v %q", filepath.Base(file), err, b)
	}
	got := map[string]bool{}
	for _, r := range recs[1:] {
		got[r[0]] = true
	}
	if len(firstTwo) != 2 || !got[firstTwo[0]] || !got[firstTwo[1]] || len(got) != 2 {
		t.Errorf("CSV holds conversations %v, selected %v", got, firstTwo)
	}
	for _, p := range problems() {
		// GoAdmin's login stylesheet asks for remote fonts, which the CSP
		// blocks on purpose (as in TestBrowserBackOffice).
		if strings.Contains(p, "favicon") || (strings.Contains(p, "font-src") && (strings.Contains(p, "fonts.gstatic.com") || strings.Contains(p, "sucaihuo.com"))) {
			continue
		}
		t.Errorf("browser reported: %s", p)
	}
}

// The job page's Stop, clicked as a chat admin would: Stop, then "Yes,
// stop" in the page; the page shows the job cancelled and the worker,
// running afterwards, applies nothing.
func TestBrowserBulkJobStop(t *testing.T) {
	chat := newStaff(t, models.RoleChatAdmin)
	word := "bks" + randomHex(4)
	c := newConversation(t, word+" stop", "hello")
	res := login(t, chat).post("/admin/bulk-jobs", url.Values{"action": {inbox.BulkClose}, "filter": {"q=" + word}}, nil)
	jobURL, _ := res.json(t)["url"].(string)
	if res.StatusCode != http.StatusOK || jobURL == "" {
		t.Fatalf("start: %d %s", res.StatusCode, res.body)
	}
	ctx, problems := headless(t)
	browserLogin(t, ctx, chat)
	var state, message string
	err := chromedp.Run(ctx,
		chromedp.Navigate(env.srv.URL+jobURL),
		chromedp.WaitVisible(".act-bulk-stop", chromedp.ByQuery),
		chromedp.Click(".act-bulk-stop", chromedp.ByQuery),
		chromedp.WaitVisible(".act-bulk-stop-confirm", chromedp.ByQuery),
		chromedp.Click(".act-bulk-stop-confirm", chromedp.ByQuery),
		chromedp.WaitVisible(`.parley-bulk-job[data-state="cancelled"]`, chromedp.ByQuery),
		chromedp.Text(".bulk-state", &state, chromedp.ByQuery),
		chromedp.Text(".bulk-message", &message, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("stop: %v (problems %v)", err, problems())
	}
	if strings.TrimSpace(state) != "cancelled" || message == "" {
		t.Errorf("after Stop: state %q, message %q", state, message)
	}
	var id int64
	fmt.Sscanf(strings.TrimPrefix(jobURL, "/admin/bulk-jobs/"), "%d", &id)
	if err := env.svc.RunBulkJob(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if got, _ := env.store.Conversation(context.Background(), c.ID); got.Status == models.StatusClosed {
		t.Error("the stopped job closed the conversation")
	}
}
