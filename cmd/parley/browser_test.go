package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
	"github.com/parleyhq/parley/tables"
)

// chromium finds the browser: PARLEY_CHROMIUM, else chromium or
// google-chrome on PATH.
func chromium(t *testing.T) string {
	if p := os.Getenv("PARLEY_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("browser test skipped: no Chromium found (install Debian's chromium or set PARLEY_CHROMIUM)")
	return ""
}

// browser starts the package's one Chromium; each flow opens its own tab in
// a fresh browser context (own cookies) with tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := chromium(t)
	// Chromium's helpers may still write to the profile as it exits, so the
	// profile is removed best-effort rather than by t.TempDir's strict cleanup.
	profile, err := os.MkdirTemp("", "parley-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1400, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to sandbox as root
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		os.RemoveAll(profile)
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// tab opens a tab in a new browser context of the running browser, with a
// laptop-sized viewport.
func tab(t *testing.T, root context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	if err := chromedp.Run(ctx, chromedp.EmulateViewport(1400, 900)); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() && os.Getenv("PARLEY_SCREENSHOTS") != "" {
			var text string
			sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			_ = chromedp.Run(sctx, screenshot("failed-"+strings.ReplaceAll(t.Name(), "/", "-")), chromedp.Text("body", &text, chromedp.ByQuery))
			t.Logf("page at failure:\n%.3000s", text)
		}
	})
	return ctx
}

// screenshot saves a full-page PNG when PARLEY_SCREENSHOTS names a directory.
func screenshot(name string) chromedp.Action {
	dir := os.Getenv("PARLEY_SCREENSHOTS")
	if dir == "" {
		return chromedp.ActionFunc(func(context.Context) error { return nil })
	}
	var buf []byte
	return chromedp.Tasks{
		chromedp.FullScreenshot(&buf, 100),
		chromedp.ActionFunc(func(context.Context) error {
			return os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
		}),
	}
}

// screenshots saves the page at a laptop and a phone size (PARLEY_SCREENSHOTS).
func screenshots(name string) chromedp.Action {
	if os.Getenv("PARLEY_SCREENSHOTS") == "" {
		return chromedp.Tasks{}
	}
	return chromedp.Tasks{
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Sleep(300 * time.Millisecond), screenshot(name + "-390"),
		chromedp.EmulateViewport(1400, 900), chromedp.Sleep(300 * time.Millisecond), screenshot(name + "-1400"),
	}
}

// site is the running server as the browser tests reach it: its address,
// and the same database opened through the services for fixtures and for
// checking what a click changed.
type site struct {
	base  string
	st    *models.Store
	svc   *inbox.Service
	acc   *inbox.Accounts
	staff map[string]models.Actor
	seq   atomic.Int64
}

func openSite(t *testing.T, base string, env map[string]string) *site {
	t.Helper()
	ctx := context.Background()
	cfg, err := parseConfig("serve", nil, func(k string) string { return env[k] }, serveFlags)
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pol, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	s := &site{base: base, st: st, staff: map[string]models.Actor{},
		svc: inbox.New(st, pol, inbox.SystemClock{}, importLimits{}),
		acc: inbox.NewAccounts(st, pol, inbox.SystemClock{}, importLimits{}, []byte("unused"), time.Hour)}
	for _, u := range []string{"agent1", "agent2", "chatadmin"} {
		sf, _, err := st.StaffCredentials(ctx, u)
		if err != nil {
			t.Fatalf("staff %s: %v", u, err)
		}
		s.staff[u] = models.Actor{Kind: models.ActorStaff, ID: sf.ID, Role: sf.Role, Name: sf.Username}
	}
	return s
}

// customer creates a fresh customer.
func (s *site) customer(t *testing.T) models.Actor {
	t.Helper()
	email := fmt.Sprintf("browser%d-%d@example.com", time.Now().UnixNano(), s.seq.Add(1))
	c, err := s.acc.CreateCustomer(context.Background(), email, "Browser Customer", "")
	if err != nil {
		t.Fatal(err)
	}
	return models.Actor{Kind: models.ActorCustomer, ID: c.ID, Role: models.RoleCustomer, Name: c.Email, IP: "198.51.100.7"}
}

// start has a customer open a conversation (OPEN, unassigned, unread).
func (s *site) start(t *testing.T, cu models.Actor, subject, body string) models.Conversation {
	t.Helper()
	c, _, err := s.svc.Start(context.Background(), cu, inbox.StartInput{Subject: subject, Body: body})
	if err != nil {
		t.Fatalf("start %q: %v", subject, err)
	}
	return c
}

func (s *site) conv(t *testing.T, id int64) models.Conversation {
	t.Helper()
	c, err := s.st.Conversation(context.Background(), id)
	if err != nil {
		t.Fatalf("conversation %d: %v", id, err)
	}
	return c
}

// count is how many messages of the conversation have this kind and body.
func (s *site) count(t *testing.T, id int64, kind, body string) int {
	t.Helper()
	msgs, err := s.st.Messages(context.Background(), id, false)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.Kind == kind && m.Body == body {
			n++
		}
	}
	return n
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// waitJS waits until the expression is true.
func waitJS(expr string) chromedp.Action {
	var ok bool
	return chromedp.Poll(expr, &ok, chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))
}

// signIn signs in through the login form and waits for the inbox.
func (s *site) signIn(user string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Navigate(s.base + "/admin/login"),
		chromedp.WaitVisible(`#username`, chromedp.ByQuery),
		chromedp.SendKeys(`#username`, user, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, "demo-pass-123", chromedp.ByQuery),
		chromedp.Click(`button.btn-primary`, chromedp.ByQuery),
		chromedp.WaitVisible(`a.conv-subject`, chromedp.ByQuery),
	}
}

// alertTitle is the title of the visible sweetalert dialog, or "".
const alertTitle = `(document.querySelector('.sweet-alert.visible h2') || {innerText: ''}).innerText`

// waitAlert waits for a dialog whose title contains want and reads it.
func waitAlert(want string, title *string) chromedp.Action {
	return chromedp.Tasks{
		waitJS(alertTitle + `.includes(` + js(want) + `)`),
		chromedp.Evaluate(alertTitle, title),
	}
}

// dismissAlert clicks the dialog's confirm button and waits for it to go.
func dismissAlert() chromedp.Action {
	return clickUntil(`.sweet-alert.visible button.confirm`, `!document.querySelector('.sweet-alert.visible')`)
}

// clickUntil clicks sel until cond holds, as a user clicks again a control
// that did not take the first click (a dialog still opening, a checkbox
// whose widget a list reload is still setting up): up to four clicks, each
// given two seconds to take effect.
func clickUntil(sel, cond string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for attempt := 1; ; attempt++ {
			if err := chromedp.Click(sel, chromedp.ByQuery).Do(ctx); err != nil {
				return err
			}
			var ok bool
			err := chromedp.Poll(cond, &ok, chromedp.WithPollingTimeout(2*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)).Do(ctx)
			if err == nil {
				return nil
			}
			if attempt == 4 || ctx.Err() != nil {
				return fmt.Errorf("clicked %s %d times, still not %s: %w", sel, attempt, cond, err)
			}
		}
	})
}

// choose picks an option of a select2 control by its visible text.
func choose(selectSel, text string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var select2 bool
		if err := chromedp.Evaluate(`!!document.querySelector(`+js(selectSel+` + .select2`)+`)`, &select2).Do(ctx); err != nil {
			return err
		}
		if select2 { // GoAdmin's widget: open it and click the option
			return chromedp.Tasks{
				chromedp.Click(selectSel+` + .select2 .select2-selection`, chromedp.ByQuery),
				chromedp.WaitVisible(`.select2-results__option`, chromedp.ByQuery),
				chromedp.Click(`//li[contains(@class,"select2-results__option")][normalize-space(.)=`+js(text)+`]`, chromedp.BySearch),
				waitJS(`document.querySelector(` + js(selectSel) + `).selectedOptions[0].text === ` + js(text)),
			}.Do(ctx)
		}
		// A native <select>: pick the option as the keyboard would (focus,
		// choose, change event).
		var value string
		if err := chromedp.Evaluate(`(Array.from(document.querySelector(`+js(selectSel)+`).options).find(o => o.text.trim() === `+js(text)+`) || {value: ''}).value`, &value).Do(ctx); err != nil {
			return err
		}
		return chromedp.Tasks{
			chromedp.Focus(selectSel, chromedp.ByQuery),
			chromedp.SetValue(selectSel, value, chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector(`+js(selectSel)+`).dispatchEvent(new Event('change', {bubbles: true}))`, nil),
			waitJS(`document.querySelector(` + js(selectSel) + `).selectedOptions[0].text === ` + js(text)),
		}.Do(ctx)
	})
}

// selectRow ticks a list row's checkbox (GoAdmin's iCheck control).
func selectRow(id int64) chromedp.Action {
	box := fmt.Sprintf(`input.grid-row-checkbox[data-id="%d"]`, id)
	return clickUntil(box+` ~ ins.iCheck-helper`, `document.querySelector(`+js(box)+`).checked`)
}

// listShows waits for the reloaded list to show these statuses (in any
// order) with nothing selected.
func listShows(statuses ...string) chromedp.Action {
	sorted := append([]string(nil), statuses...)
	slices.Sort(sorted)
	want, _ := json.Marshal(sorted)
	return waitJS(`JSON.stringify(Array.from(document.querySelectorAll('table tbody .conv-status')).map(e => e.innerText).sort()) === ` + js(string(want)) +
		` && !document.querySelector('tbody .icheckbox_minimal-blue.checked')`)
}

// pjax runs an action that loads a page through pjax and waits until the
// new page is in place (jquery-pjax changes the address before the
// content).
func pjax(a chromedp.Action) chromedp.Action {
	var ok bool
	return chromedp.Tasks{
		chromedp.Evaluate(`window.__pjaxDone = false; $(document).one('pjax:end', function () { window.__pjaxDone = true; }); true`, &ok),
		a,
		waitJS(`window.__pjaxDone === true`),
	}
}

// listButton clicks one of the list's bulk action buttons by its label.
func listButton(label string) chromedp.Action {
	// The label follows a non-breaking space, which normalize-space keeps.
	return chromedp.Click(`//a[contains(@class,"btn")][substring(normalize-space(.), string-length(normalize-space(.)) - `+fmt.Sprint(len(label)-1)+`) = `+js(label)+`]`, chromedp.BySearch)
}

// browse runs actions with a step timeout shorter than the tab's, so a
// failure leaves time to record the page.
func browse(ctx context.Context, actions ...chromedp.Action) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	return chromedp.Run(ctx, actions...)
}

// browserFlow runs the back office's flows in one Chromium against the
// running server: each clicks the real controls and checks the page and
// the database.
func browserFlow(t *testing.T, base string, env map[string]string) {
	s := openSite(t, base, env)
	t.Run("get-leaves-unread", func(t *testing.T) { threadGETLeavesUnread(t, s) })
	t.Run("edit-post", func(t *testing.T) { editPost(t, s) })
	root := browser(t)
	t.Run("reply", func(t *testing.T) { flowReply(t, s, tab(t, root)) })
	t.Run("escaping", func(t *testing.T) { flowEscaping(t, s, tab(t, root)) })
	t.Run("take", func(t *testing.T) { flowTake(t, s, tab(t, root)) })
	t.Run("edit", func(t *testing.T) { flowEdit(t, s, tab(t, root)) })
	t.Run("bulk", func(t *testing.T) { flowBulk(t, s, tab(t, root)) })
	t.Run("read", func(t *testing.T) { flowRead(t, s, tab(t, root)) })
	t.Run("thread", func(t *testing.T) { flowThread(t, s, tab(t, root)) })
	t.Run("list-search", func(t *testing.T) { flowListSearch(t, s, tab(t, root)) })
	t.Run("live", func(t *testing.T) { flowLive(t, s, root) })
	portalFlows(t, s, root, env)
}

// flowReply: agent1 signs in, sees only their scope, opens a thread from
// the list, replies and stays on the thread with the reply shown once.
func flowReply(t *testing.T, s *site, ctx context.Context) {
	conv := s.start(t, s.customer(t), "Parcel stuck in customs", "It has been in customs for a week.")
	var listText string
	err := browse(ctx,
		s.signIn("agent1"),
		chromedp.Text(`table`, &listText, chromedp.ByQuery),
		screenshots("inbox"),
		chromedp.Click(fmt.Sprintf(`a.conv-subject[href$="__goadmin_edit_pk=%d"]`, conv.ID), chromedp.ByQuery),
		chromedp.WaitVisible(`textarea[name="reply_body"]`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("sign in, list, open: %v", err)
	}
	if strings.Contains(listText, "agent2") {
		t.Errorf("agent1's inbox shows agent2's threads:\n%s", listText)
	}
	const reply = "Thanks for waiting, the parcel left our warehouse this morning."
	var placeholder, button, draft, path string
	var shown int
	err = browse(ctx,
		chromedp.AttributeValue(`textarea[name="reply_body"]`, "placeholder", &placeholder, nil, chromedp.ByQuery),
		chromedp.Text(`form button.submit`, &button, chromedp.ByQuery),
		chromedp.SendKeys(`textarea[name="reply_body"]`, reply, chromedp.ByQuery),
		chromedp.Click(`form button.submit`, chromedp.ByQuery),
		// Still on the thread, the reply in its history.
		waitJS(`Array.from(document.querySelectorAll('.conv-history .conv-body')).some(e => e.innerText === `+js(reply)+`)`),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('.conv-history .conv-body')).filter(e => e.innerText === `+js(reply)+`).length`, &shown),
		chromedp.Value(`textarea[name="reply_body"]`, &draft, chromedp.ByQuery),
		chromedp.Evaluate(`location.pathname + location.search`, &path),
		screenshots("thread"),
	)
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	if placeholder != "Write a reply…" || strings.TrimSpace(button) != "Send" {
		t.Errorf("placeholder %q, button %q: want Parley's words", placeholder, button)
	}
	if shown != 1 || draft != "" {
		t.Errorf("after sending: reply shown %d times, textarea %q", shown, draft)
	}
	if !strings.Contains(path, fmt.Sprintf("__goadmin_edit_pk=%d", conv.ID)) && !strings.HasPrefix(path, "/admin/edit/") {
		t.Errorf("after sending the page is %s, not the thread", path)
	}
	if n := s.count(t, conv.ID, models.KindReply, reply); n != 1 {
		t.Errorf("the reply is stored %d times", n)
	}
}

// flowEscaping: markup in a subject and a body renders as text on the list
// and the thread page, and runs nothing.
func flowEscaping(t *testing.T, s *site, ctx context.Context) {
	const subject = `<img src=x onerror="window.__xss=1">Parcel <b>late</b>`
	const body = `<script>window.__xss=2</script><img src=x onerror="window.__xss=3"> where is it?`
	conv := s.start(t, s.customer(t), subject, body)
	var xss1, xss2 bool
	var shownSubject, shownBody string
	err := browse(ctx,
		s.signIn("agent1"),
		chromedp.Text(fmt.Sprintf(`a.conv-subject[href$="__goadmin_edit_pk=%d"]`, conv.ID), &shownSubject, chromedp.ByQuery),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.Evaluate(`window.__xss !== undefined`, &xss1),
		chromedp.Navigate(fmt.Sprintf("%s/admin/info/conversation/edit?__goadmin_edit_pk=%d", s.base, conv.ID)),
		chromedp.WaitVisible(`.conv-history`, chromedp.ByQuery),
		chromedp.Text(`.conv-history .conv-body`, &shownBody, chromedp.ByQuery),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.Evaluate(`window.__xss !== undefined`, &xss2),
	)
	if err != nil {
		t.Fatal(err)
	}
	if xss1 || xss2 {
		t.Errorf("markup ran: list %v, thread %v", xss1, xss2)
	}
	if shownSubject != subject || !strings.Contains(shownBody, body) {
		t.Errorf("markup not shown as text:\nsubject %q\nbody    %q", shownSubject, shownBody)
	}
}

// flowTake: the "Nobody" filter lists unassigned threads, each with its
// "Take it" button (and only those rows have one); the button is not
// covered by anything; a click takes the thread for agent1.
func flowTake(t *testing.T, s *site, ctx context.Context) {
	conv := s.start(t, s.customer(t), "Which size fits me?", "I am 1.80 m, M or L?")
	takeSel := fmt.Sprintf(`button.conv-take[data-id="%d"]`, conv.ID)
	var path string
	var rows, takes, assignedRows int
	err := browse(ctx,
		s.signIn("agent1"),
		chromedp.Click(`#filter-btn`, chromedp.ByQuery),
		choose(`.filter-area select[name="assigned_to"]`, "Nobody"),
		pjax(chromedp.Click(`.filter-area button.submit`, chromedp.ByQuery)),
		waitJS(`location.search.includes('assigned_to=none')`),
		chromedp.WaitVisible(takeSel, chromedp.ByQuery),
		chromedp.Evaluate(`location.search`, &path),
		chromedp.Evaluate(`document.querySelectorAll('table tbody tr input.grid-row-checkbox').length`, &rows),
		chromedp.Evaluate(`document.querySelectorAll('table tbody tr button.conv-take').length`, &takes),
		screenshots("inbox-unassigned"),
	)
	if err != nil {
		t.Fatalf("filter: %v", err)
	}
	if rows == 0 || takes != rows {
		t.Errorf("unassigned list %s: %d rows, %d take buttons", path, rows, takes)
	}
	var covered string
	err = browse(ctx,
		chromedp.ScrollIntoView(takeSel, chromedp.ByQuery),
		chromedp.Evaluate(`(function () {
			const b = document.querySelector(`+js(takeSel)+`), r = b.getBoundingClientRect();
			const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
			return top === b || b.contains(top) ? '' : (top ? top.outerHTML.slice(0, 120) : 'nothing');
		})()`, &covered),
	)
	if err != nil {
		t.Fatal(err)
	}
	if covered != "" {
		t.Errorf("the Take button is covered by %s", covered)
	}
	var title string
	err = browse(ctx,
		chromedp.Click(takeSel, chromedp.ByQuery),
		waitAlert(fmt.Sprintf("Conversation %d is yours now", conv.ID), &title),
		waitJS(`!document.querySelector(`+js(takeSel)+`)`), // the list reloads without it
	)
	if err != nil {
		t.Fatalf("take: %v (dialog %q)", err, title)
	}
	if c := s.conv(t, conv.ID); c.AssignedTo == nil || *c.AssignedTo != s.staff["agent1"].ID {
		t.Errorf("after Take it: assigned to %v, want agent1", c.AssignedTo)
	}
	// Unfiltered: a button on every unassigned row and on no other.
	err = browse(ctx,
		chromedp.Navigate(s.base+"/admin/info/conversation"),
		chromedp.WaitVisible(`a.conv-subject`, chromedp.ByQuery),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('table tbody tr')).filter(tr => tr.querySelector('input.grid-row-checkbox') &&
			(tr.innerText.includes('nobody') !== !!tr.querySelector('button.conv-take'))).length`, &assignedRows),
	)
	if err != nil {
		t.Fatal(err)
	}
	if assignedRows != 0 {
		t.Errorf("%d rows offer Take it while assigned, or lack it while unassigned", assignedRows)
	}
}

// flowEdit: on the thread page a refused override sends nothing and keeps
// the draft; a private note; then reply + escalation in one send, which
// stays on the thread.
func flowEdit(t *testing.T, s *site, ctx context.Context) {
	conv := s.start(t, s.customer(t), "Refund for a broken kettle", "It stopped working after a week.")
	page := fmt.Sprintf("%s/admin/info/conversation/edit?__goadmin_edit_pk=%d", s.base, conv.ID)
	const reply = "I have asked finance to refund the kettle today."
	var draft, status, alert string
	err := browse(ctx,
		s.signIn("agent1"),
		chromedp.Navigate(page),
		chromedp.WaitVisible(`textarea[name="reply_body"]`, chromedp.ByQuery),
		chromedp.SendKeys(`textarea[name="reply_body"]`, reply, chromedp.ByQuery),
		choose(`form select[name="status"]`, "Escalated"),
		chromedp.Click(`form button.submit`, chromedp.ByQuery),
		waitJS(`document.body.innerText.includes('escalating needs a reason')`),
		chromedp.WaitVisible(`textarea[name="reply_body"]`, chromedp.ByQuery),
		chromedp.Value(`textarea[name="reply_body"]`, &draft, chromedp.ByQuery),
		chromedp.Value(`form select[name="status"]`, &status, chromedp.ByQuery),
		chromedp.Evaluate(`(document.querySelector('.alert') || {innerText: ''}).innerText`, &alert),
		screenshots("thread-refused"),
	)
	if err != nil {
		t.Fatalf("refused override: %v", err)
	}
	if draft != reply || status != string(models.StatusEscalated) {
		t.Errorf("after a refused send the form holds %q / %q, want the draft back", draft, status)
	}
	if n := s.count(t, conv.ID, models.KindReply, reply); n != 0 {
		t.Errorf("a refused override left its reply behind (%d stored)", n)
	}
	if c := s.conv(t, conv.ID); c.Status != models.StatusOpen {
		t.Errorf("status %s after a refused send", c.Status)
	}

	const note = "Checked: the kettle is under warranty."
	err = browse(ctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(`textarea[name="reply_body"]`, chromedp.ByQuery),
		chromedp.Click(`input[name="reply_kind"][value="note"]`, chromedp.ByQuery),
		chromedp.SendKeys(`textarea[name="reply_body"]`, note, chromedp.ByQuery),
		chromedp.Click(`form button.submit`, chromedp.ByQuery),
		waitJS(`Array.from(document.querySelectorAll('.conv-history .conv-note .conv-body')).some(e => e.innerText === `+js(note)+`)`),
	)
	if err != nil {
		t.Fatalf("note: %v", err)
	}
	if n := s.count(t, conv.ID, models.KindNote, note); n != 1 {
		t.Errorf("the note is stored %d times", n)
	}

	var shown int
	var label string
	err = browse(ctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(`textarea[name="reply_body"]`, chromedp.ByQuery),
		chromedp.SendKeys(`textarea[name="reply_body"]`, reply, chromedp.ByQuery),
		choose(`form select[name="status"]`, "Escalated"),
		chromedp.SendKeys(`form input[name="reason"]`, "refund above 50 EUR", chromedp.ByQuery),
		chromedp.Click(`form button.submit`, chromedp.ByQuery),
		waitJS(`Array.from(document.querySelectorAll('.conv-history .conv-body')).some(e => e.innerText === `+js(reply)+`)`),
		chromedp.Evaluate(`Array.from(document.querySelectorAll('.conv-history .conv-body')).filter(e => e.innerText === `+js(reply)+`).length`, &shown),
		chromedp.Text(`.conv-meta`, &label, chromedp.ByQuery),
		chromedp.Value(`textarea[name="reply_body"]`, &draft, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("reply and escalate: %v", err)
	}
	if shown != 1 || draft != "" || !strings.Contains(label, models.StatusEscalated.Label()) {
		t.Errorf("after reply + escalate: shown %d times, textarea %q, header %q", shown, draft, label)
	}
	c := s.conv(t, conv.ID)
	if n := s.count(t, conv.ID, models.KindReply, reply); n != 1 || c.Status != models.StatusEscalated {
		t.Errorf("stored %d replies, status %s; want 1, ESCALATED", n, c.Status)
	}
}

// flowBulk: chatadmin filters the list to one customer, resolves and closes
// through the bulk buttons, and deletes after a confirmation; a selection
// with a conversation that is not closed is refused with its id and
// nothing is deleted (R2).
func flowBulk(t *testing.T, s *site, ctx context.Context) {
	cu := s.customer(t)
	a := s.start(t, cu, "Invoice with VAT number", "Please add DE123456789.")
	b := s.start(t, cu, "Second invoice", "And the one from May, too.")
	var title string
	err := browse(ctx,
		s.signIn("chatadmin"),
		chromedp.Click(`#filter-btn`, chromedp.ByQuery),
		chromedp.SendKeys(`.filter-area input[name="customer"]`, fmt.Sprint(cu.ID), chromedp.ByQuery),
		chromedp.Click(`.filter-area button.submit`, chromedp.ByQuery),
		waitJS(`location.search.includes('customer=`+fmt.Sprint(cu.ID)+`') && document.querySelectorAll('input.grid-row-checkbox').length === 2`),
		selectRow(a.ID), selectRow(b.ID),
		listButton("Resolve"),
		waitAlert("Resolved", &title),
	)
	if err != nil {
		t.Fatalf("resolve: %v (dialog %q)", err, title)
	}
	if s.conv(t, a.ID).Status != models.StatusResolved || s.conv(t, b.ID).Status != models.StatusResolved {
		t.Errorf("after Resolve: %s, %s", s.conv(t, a.ID).Status, s.conv(t, b.ID).Status)
	}
	err = browse(ctx,
		dismissAlert(),
		listShows("Resolved", "Resolved"),
		selectRow(a.ID),
		listButton("Close"),
		waitAlert("Closed conversation", &title),
		dismissAlert(),
		listShows("Resolved", "Closed"),
		screenshots("inbox-bulk"),
	)
	if err != nil {
		t.Fatalf("close: %v (dialog %q)", err, title)
	}
	if s.conv(t, a.ID).Status != models.StatusClosed {
		t.Errorf("after Close: %s", s.conv(t, a.ID).Status)
	}
	// Both: confirmed, then refused for the resolved one.
	err = browse(ctx,
		selectRow(a.ID), selectRow(b.ID),
		listButton("Delete"),
		waitAlert("Delete the selected conversations", &title),
		chromedp.Click(`.sweet-alert.visible button.confirm`, chromedp.ByQuery),
		waitAlert("not closed", &title),
		dismissAlert(),
	)
	if err != nil {
		t.Fatalf("delete refused: %v (dialog %q)", err, title)
	}
	if !strings.Contains(title, fmt.Sprintf("conversation %d", b.ID)) {
		t.Errorf("the refusal does not name conversation %d: %q", b.ID, title)
	}
	for _, id := range []int64{a.ID, b.ID} {
		if _, err := s.st.Conversation(context.Background(), id); err != nil {
			t.Errorf("conversation %d after a refused delete: %v", id, err)
		}
	}
	// The closed one alone: confirmed and gone.
	err = browse(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/admin/info/conversation?customer=%d", s.base, cu.ID)),
		waitJS(`document.querySelectorAll('input.grid-row-checkbox').length === 2`),
		selectRow(a.ID),
		listButton("Delete"),
		waitAlert("Delete the selected conversations", &title),
		chromedp.Click(`.sweet-alert.visible button.confirm`, chromedp.ByQuery),
		waitAlert("Deleted", &title),
		chromedp.Sleep(900*time.Millisecond),
		waitJS(`document.querySelectorAll('input.grid-row-checkbox').length === 1`),
	)
	if err != nil {
		t.Fatalf("delete: %v (dialog %q)", err, title)
	}
	if _, err := s.st.Conversation(context.Background(), a.ID); models.ErrorCode(err) != models.ENOTFOUND {
		t.Errorf("conversation %d after Delete: %v", a.ID, err)
	}
}

// flowRead: the thread page, once rendered, marks the thread read with a
// same-origin POST (the GET itself does not: threadGETLeavesUnread).
// The read route is the admin package's; until it exists this flow checks
// only that the page sends the request.
func flowRead(t *testing.T, s *site, ctx context.Context) {
	conv := s.start(t, s.customer(t), "Is the mug dishwasher safe?", "Just checking before I order six.")
	// The DevTools network events of this Chromium are newer than the
	// protocol package reads, so the page's requests are recorded in the
	// page: fetch is wrapped before any page script runs.
	const record = `window.__parleyPosts = [];
		const orig = window.fetch;
		window.fetch = function (url, opts) {
			const rec = {url: String(url), method: (opts && opts.method) || 'GET', body: String((opts && opts.body) || ''), status: 0};
			window.__parleyPosts.push(rec);
			return orig.apply(this, arguments).then(function (res) { rec.status = res.status; return res; });
		};`
	var posts []struct {
		URL, Method, Body string
		Status            int
	}
	err := browse(ctx,
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(record).Do(ctx)
			return err
		}),
		s.signIn("agent1"),
	)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	err = browse(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/admin/info/conversation/edit?__goadmin_edit_pk=%d", s.base, conv.ID)),
		chromedp.WaitVisible(`.conv-history`, chromedp.ByQuery),
		// Every page also posts the bell's heartbeat: wait for the read itself.
		waitJS(`window.__parleyPosts.some(r => r.url.endsWith('/admin/conversation/read') && r.status !== 0)`),
		chromedp.Evaluate(`window.__parleyPosts`, &posts),
	)
	if err != nil {
		var unread string
		_ = browse(ctx, chromedp.Evaluate(`JSON.stringify(window.__parleyPosts) + ' unread=' + document.querySelector('.conv-history').getAttribute('data-unread')`, &unread))
		t.Fatalf("thread page: %v (%s)", err, unread)
	}
	want := fmt.Sprintf("id=%d", conv.ID)
	i := slices.IndexFunc(posts, func(p struct {
		URL, Method, Body string
		Status            int
	}) bool {
		return strings.HasSuffix(p.URL, tables.ReadPath) && p.Method == "POST" && p.Body == want
	})
	if i < 0 {
		t.Fatalf("the thread page did not POST %q to %s: %+v", want, tables.ReadPath, posts)
	}
	if posts[i].Status == 404 {
		t.Skipf("the page posts %q to %s, which answers 404 here: the route comes with the admin branch", want, tables.ReadPath)
	}
	if posts[i].Status != 204 {
		t.Errorf("%s answered %d, want 204", tables.ReadPath, posts[i].Status)
	}
	if !s.conv(t, conv.ID).IsReadByAdmin {
		t.Error("the thread is still unread after its page was shown")
	}
}

// staffClient signs a staff member in over HTTP (no browser).
func (s *site) staffClient(t *testing.T, user string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar}
	req, _ := http.NewRequest(http.MethodPost, s.base+"/admin/signin",
		strings.NewReader(url.Values{"username": {user}, "password": {"demo-pass-123"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.base)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign in %s: %d", user, res.StatusCode)
	}
	return client
}

// get fetches a page and answers its status and body.
func get(t *testing.T, client *http.Client, u string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return doPage(t, client, req)
}

// doPage sends a request and answers its status and body.
func doPage(t *testing.T, client *http.Client, req *http.Request) (int, string) {
	t.Helper()
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// threadGETLeavesUnread: a GET of a thread page (a link from webmail, say)
// shows the thread without marking it read (item 5); only the page's own
// same-origin POST does.
func threadGETLeavesUnread(t *testing.T, s *site) {
	conv := s.start(t, s.customer(t), "Gift wrapping?", "Can you gift-wrap the lamp?")
	client := s.staffClient(t, "agent2")
	status, page := get(t, client, fmt.Sprintf("%s/admin/info/conversation/edit?__goadmin_edit_pk=%d", s.base, conv.ID), "Sec-Fetch-Site", "cross-site")
	if status != http.StatusOK || !strings.Contains(page, "Gift wrapping?") {
		t.Fatalf("thread page: %d\n%.500s", status, page)
	}
	if s.conv(t, conv.ID).IsReadByAdmin {
		t.Error("a GET of the thread page marked it read")
	}
}

var formToken = regexp.MustCompile(`name="__go_admin_t_" value=['"]([^'"]+)['"]`)

// editPost: the edit form's POST as GoAdmin's page sends it. A reply with
// an override the inbox refuses stores nothing and comes back with the
// draft and the reason; the same send with a reason stores the reply once
// and answers the thread's own page (item 17).
func editPost(t *testing.T, s *site) {
	conv := s.start(t, s.customer(t), "Wrong colour", "I ordered blue and got green.")
	client := s.staffClient(t, "agent2")
	page := fmt.Sprintf("%s/admin/info/conversation/edit?__goadmin_edit_pk=%d", s.base, conv.ID)
	post := func(reply, status, reason string) (int, string) {
		t.Helper()
		_, form := get(t, client, page)
		m := formToken.FindStringSubmatch(form)
		if m == nil {
			t.Fatalf("no form token on the thread page:\n%.500s", form)
		}
		var body strings.Builder
		w := multipart.NewWriter(&body)
		for _, kv := range [][2]string{{"id", fmt.Sprint(conv.ID)}, {"reply_kind", "reply"}, {"reply_body", reply},
			{"status", status}, {"reason", reason}, {"__go_admin_t_", m[1]}, {"__go_admin_previous_", tables.EditPath(conv.ID)}} {
			w.WriteField(kv[0], kv[1])
		}
		w.Close()
		req, _ := http.NewRequest(http.MethodPost, s.base+"/admin/edit/conversation", strings.NewReader(body.String()))
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Origin", s.base)
		req.Header.Set("X-PJAX", "true")
		return doPage(t, client, req)
	}
	const reply = "A blue one is on its way <b>today</b> &amp; tracked."
	_, answer := post(reply, string(models.StatusEscalated), "")
	if n := s.count(t, conv.ID, models.KindReply, reply); n != 0 {
		t.Errorf("a refused override left its reply behind (%d stored)", n)
	}
	if !strings.Contains(answer, "escalating needs a reason") || !strings.Contains(answer, html.EscapeString(reply)+"</textarea>") {
		t.Errorf("the refused send's page lacks the message or the draft:\n%s", answer)
	}
	if strings.Contains(answer, "invalid: escalating") {
		t.Error("the message shows the error code")
	}
	if strings.Contains(answer, "<b>today</b>") {
		t.Error("the draft is echoed unescaped")
	}
	// A kept reason goes back into its input escaped.
	long := strings.Repeat("x", inbox.MaxReasonRunes) + `' autofocus onfocus='window.__xss=1`
	_, answer = post(reply, string(models.StatusEscalated), long)
	if !strings.Contains(answer, "the limit is") || strings.Contains(answer, `' autofocus onfocus='`) || !strings.Contains(answer, `&#39; autofocus onfocus=&#39;`) {
		t.Errorf("the refused reason is not kept escaped:\n%s", answer)
	}
	if n := s.count(t, conv.ID, models.KindReply, reply); n != 0 {
		t.Errorf("a refused reason left its reply behind (%d stored)", n)
	}
	_, answer = post(reply, string(models.StatusEscalated), "replacement costs 30 EUR")
	if n, c := s.count(t, conv.ID, models.KindReply, reply), s.conv(t, conv.ID); n != 1 || c.Status != models.StatusEscalated {
		t.Errorf("after the send: %d replies stored, status %s", n, c.Status)
	}
	if !strings.Contains(answer, `class="conv-history" data-id="`+fmt.Sprint(conv.ID)+`"`) || strings.Count(answer, html.EscapeString(reply)) != 1 {
		t.Errorf("the send does not answer the thread with the reply once:\n%s", answer)
	}
}
