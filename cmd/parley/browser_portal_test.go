package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/media/mediatest"
	"github.com/parleyhq/parley/models"
)

// portalFlows are the customer side's flows: alice on /dashboard/messages
// and a guest in the widget on /demo/store.
func portalFlows(t *testing.T, s *site, root context.Context, env map[string]string) {
	t.Run("portal-alice", func(t *testing.T) { flowPortalAlice(t, s, tab(t, root)) })
	t.Run("widget-guest", func(t *testing.T) { flowWidgetGuest(t, s, tab(t, root)) })
	if shop := env["PARLEY_WIDGET_ORIGINS"]; shop != "" {
		t.Run("widget-identity", func(t *testing.T) { flowWidgetIdentity(t, s, tab(t, root), shop) })
	}
}

const portalXSS = `<img src=x onerror="document.title='pwned'">`

// flowPortalAlice: alice signs in on the page, starts a conversation about
// one of her orders, sees a staff reply after reloading, and downloads the
// CSV, which has the reply and no note.
func flowPortalAlice(t *testing.T, s *site, ctx context.Context) {
	subject := "About my order " + portalXSS
	body := "Where is it? " + portalXSS
	var title, threadURL, order string
	err := browse(ctx,
		chromedp.Navigate(s.base+"/dashboard/messages"),
		chromedp.WaitVisible(`#email`, chromedp.ByQuery),
		screenshots("portal-signin"),
		chromedp.SendKeys(`#email`, "alice@example.com", chromedp.ByQuery),
		chromedp.SendKeys(`#password`, "demo-pass-123", chromedp.ByQuery),
		chromedp.Click(`form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#new-title`, chromedp.ByQuery),
		screenshots("portal-list"),
		chromedp.SendKeys(`#subject`, subject, chromedp.ByQuery),
		// The first of her orders.
		chromedp.Evaluate(`(function(){var o=document.querySelectorAll('#order option')[1]; document.querySelector('#order').value=o.value; return o.textContent})()`, &order),
		chromedp.SendKeys(`#body`, body, chromedp.ByQuery),
		chromedp.Click(`#new-form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#thread-title`, chromedp.ByQuery),
		chromedp.Location(&threadURL),
		chromedp.Text(`#thread-title`, &title, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("alice starts a conversation: %v", err)
	}
	if title != subject || order == "" {
		t.Fatalf("thread title %q (order %q)", title, order)
	}
	var id int64
	if i := strings.LastIndex(threadURL, "/"); i >= 0 {
		id, _ = models.ParseID(threadURL[i+1:])
	}
	conv := s.conv(t, id)
	if conv.OrderID == nil {
		t.Fatalf("the conversation links no order")
	}
	staff := s.staff["chatadmin"]
	if _, _, err := s.svc.Send(context.Background(), staff, id, models.KindNote, "INTERNAL NOTE"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.svc.Send(context.Background(), staff, id, models.KindReply, "On its way "+portalXSS); err != nil {
		t.Fatal(err)
	}
	var page, docTitle, csv string
	var imgs int
	err = browse(ctx,
		chromedp.Reload(),
		chromedp.WaitVisible(`#reply`, chromedp.ByQuery),
		chromedp.Text(`#timeline`, &page, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('main img').length`, &imgs),
		chromedp.Title(&docTitle),
		screenshots("portal-thread"),
		// The page's own "Download CSV" link, fetched with the page's
		// session (headless Chromium's downloads land per browser context).
		chromedp.Evaluate(`fetch(document.querySelector('a[download][href$="/export.csv"]').href).then(function(r){var d=r.headers.get('Content-Disposition'); return r.text().then(function(b){return d + '\n' + b})})`, &csv,
			func(p *cdpruntime.EvaluateParams) *cdpruntime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	if err != nil {
		t.Fatalf("alice reloads: %v", err)
	}
	if !strings.Contains(page, "On its way "+portalXSS) || strings.Contains(page, "INTERNAL NOTE") || imgs != 0 || docTitle == "pwned" {
		t.Fatalf("thread after reload: imgs %d title %q\n%s", imgs, docTitle, page)
	}
	if !strings.HasPrefix(csv, "attachment; filename=conversation-") || !strings.Contains(csv, "message_id,") || !strings.Contains(csv, "On its way") || strings.Contains(csv, "INTERNAL NOTE") {
		t.Fatalf("downloaded CSV:\n%s", csv)
	}

	// She sends a photo with the thread page's file form; it shows inline
	// and loads (served to her by the page's session).
	photo := filepath.Join(t.TempDir(), "broken mug.png")
	if err := os.WriteFile(photo, mediatest.PNG(), 0o600); err != nil {
		t.Fatal(err)
	}
	var loaded bool
	err = browse(ctx,
		chromedp.SetUploadFiles(`#attach-file`, []string{photo}, chromedp.ByQuery),
		chromedp.SendKeys(`#attach-body`, "A photo of it", chromedp.ByQuery),
		chromedp.Click(`#attach-form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`figure.parley-attachment img`, chromedp.ByQuery),
		chromedp.Poll(`(function(){var i=document.querySelector('figure.parley-attachment img'); return i.complete && i.naturalWidth > 0})()`, &loaded),
	)
	if err != nil || !loaded {
		t.Fatalf("alice sends a photo: %v (loaded %v)", err, loaded)
	}
}

// flowWidgetGuest: a guest opens the widget on the demo store, starts a
// conversation and chats; names and bodies stay text.
func flowWidgetGuest(t *testing.T, s *site, ctx context.Context) {
	res, err := http.Post(s.base+"/api/v1/auth/guest", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		t.Skip("widget guest flow skipped: POST /api/v1/auth/guest (the ident helper's) is not in this build")
	}
	var frames []*cdp.Node
	in := func() chromedp.QueryOption { return chromedp.FromNode(frames[0]) }
	subject := "Widget question " + portalXSS
	var timeline string
	err = browse(ctx,
		chromedp.Navigate(s.base+"/demo/store"),
		chromedp.WaitVisible(`button[aria-label="Open chat with the store"]`, chromedp.ByQuery),
		chromedp.Click(`button[aria-label="Open chat with the store"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`iframe[title="Chat with the store"]`, chromedp.ByQuery),
		waitJS(`(function(){var f=document.querySelector('iframe'); return !!(f.contentDocument && f.contentDocument.querySelector('#w-guest'))})()`),
		chromedp.Nodes(`iframe[title="Chat with the store"]`, &frames, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("open the widget: %v", err)
	}
	err = browse(ctx,
		chromedp.SendKeys(`#w-name`, "Guest "+portalXSS, chromedp.ByQuery, in()),
		chromedp.Click(`#w-guest button[type=submit]`, chromedp.ByQuery, in()),
		chromedp.WaitVisible(`#w-subject`, chromedp.ByQuery, in()),
		chromedp.SendKeys(`#w-subject`, subject, chromedp.ByQuery, in()),
		chromedp.SendKeys(`#w-body`, "Hello from the widget "+portalXSS, chromedp.ByQuery, in()),
		chromedp.Click(`#w-new button[type=submit]`, chromedp.ByQuery, in()),
		chromedp.WaitVisible(`#w-reply`, chromedp.ByQuery, in()),
		chromedp.SendKeys(`#w-reply`, "A second line\r", chromedp.ByQuery, in()),
		waitJS(`document.querySelector('iframe').contentDocument.querySelectorAll('#w-timeline .msg').length >= 2`),
		chromedp.Text(`#w-timeline`, &timeline, chromedp.ByQuery, in()),
		screenshots("widget-store"),
	)
	if err != nil {
		t.Fatalf("guest chats in the widget: %v", err)
	}
	var imgs int
	if err := browse(ctx, chromedp.Evaluate(`document.querySelector('iframe').contentDocument.querySelectorAll('img').length`, &imgs)); err != nil || imgs != 0 {
		t.Fatalf("payload became markup in the widget (%d img): %v", imgs, err)
	}
	if !strings.Contains(timeline, "Hello from the widget "+portalXSS) || !strings.Contains(timeline, "A second line") {
		t.Fatalf("widget timeline:\n%s", timeline)
	}
	var n int
	if err := s.st.DB.QueryRow(`SELECT COUNT(*) FROM conversations WHERE subject = ? AND channel = 'widget'`, subject).Scan(&n); err != nil || n != 1 {
		t.Fatalf("widget conversation rows: %d %v", n, err)
	}
	widgetLiveReply(t, s, ctx, in, subject)
	widgetUploads(t, s, ctx, in)
	widgetListPaging(t, s, ctx, in, subject)
}

// widgetLiveReply (issue 9): a staff reply through the staff API reaches
// the open widget without a reload, over the stream its ticket opened.
func widgetLiveReply(t *testing.T, s *site, ctx context.Context, in func() chromedp.QueryOption, subject string) {
	var id int64
	if err := s.st.DB.QueryRow(`SELECT id FROM conversations WHERE subject = ?`, subject).Scan(&id); err != nil {
		t.Fatal(err)
	}
	login, _ := json.Marshal(map[string]string{"username": "chatadmin", "password": "demo-pass-123"})
	res, err := http.Post(s.base+"/api/v1/staff/auth/login", "application/json", bytes.NewReader(login))
	if err != nil {
		t.Fatal(err)
	}
	var sess struct {
		Token string `json:"token"`
	}
	json.NewDecoder(res.Body).Decode(&sess)
	res.Body.Close()

	// The guest writes: the store's stream hears a customer typing in it.
	sreq, _ := http.NewRequest("GET", s.base+"/api/v1/staff/events", nil)
	sreq.Header.Set("Authorization", "Bearer "+sess.Token)
	sres, err := http.DefaultClient.Do(sreq)
	if err != nil || sres.StatusCode != http.StatusOK {
		t.Fatalf("staff stream: %v %v", sres, err)
	}
	defer sres.Body.Close()
	typing := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(sres.Body)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				event = v
			}
			if v, ok := strings.CutPrefix(line, "data: "); ok && event == "typing" &&
				strings.Contains(v, fmt.Sprintf(`"conversation_id":%d`, id)) && strings.Contains(v, `"side":"customer"`) {
				typing <- true
				return
			}
		}
	}()
	// The widget reports typing at most every 3 s: the guest just typed.
	time.Sleep(3 * time.Second)
	if err := browse(ctx, chromedp.SendKeys(`#w-reply`, "typing a question", chromedp.ByQuery, in())); err != nil {
		t.Fatal(err)
	}
	select {
	case <-typing:
	case <-time.After(10 * time.Second):
		var names string
		_ = chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector('iframe').contentWindow.performance.getEntriesByType('resource').map(e => e.name + ' ' + e.responseStatus).join('\n')`, &names))
		t.Fatalf("the store's stream heard no customer typing in the widget within 10 s\n%s", names)
	}
	if err := browse(ctx, chromedp.SetValue(`#w-reply`, "", chromedp.ByQuery, in())); err != nil {
		t.Fatal(err)
	}

	// The store opens the conversation: the widget says "Seen".
	rreq, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/staff/conversations/%d", s.base, id), nil)
	rreq.Header.Set("Authorization", "Bearer "+sess.Token)
	if res, err = http.DefaultClient.Do(rreq); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("staff reads: %v %v", res, err)
	}
	res.Body.Close()
	if err := browse(ctx, waitLive(`!document.querySelector('iframe').contentDocument.querySelector('#w-seen').hidden`)); err != nil {
		t.Fatalf("the widget shows Seen once the store read it: %v", err)
	}

	staffReply := func(reply string) {
		body, _ := json.Marshal(map[string]string{"body": reply, "kind": "reply"})
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/staff/conversations/%d/messages", s.base, id), bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+sess.Token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("staff reply: %v %v", res, err)
		}
		res.Body.Close()
	}
	reply := "We are on it " + portalXSS
	staffReply(reply)
	if err := browse(ctx, waitLive(`document.querySelector('iframe').contentDocument.querySelector('#w-timeline').innerText.includes(`+js(reply)+`)`),
		waitLive(`document.querySelector('iframe').contentDocument.querySelector('#w-seen').hidden`)); err != nil {
		t.Fatalf("the widget shows the staff reply without a reload, and no Seen under it: %v", err)
	}

	// Back in the list, the next reply marks the conversation unread.
	item := `Array.from(document.querySelector('iframe').contentDocument.querySelectorAll('#w-convs li')).find(li => li.innerText.includes(` + js(subject) + `))`
	if err := browse(ctx, chromedp.Click(`#w-back`, chromedp.ByQuery, in()), waitLive(`!!(`+item+`) && !(`+item+`).classList.contains('unread')`)); err != nil {
		t.Fatalf("back to the widget's list: %v", err)
	}
	staffReply("One more thing.")
	if err := browse(ctx, waitLive(`(`+item+`).classList.contains('unread')`)); err != nil {
		t.Fatalf("the widget's list marks the new reply without a reload: %v", err)
	}
	if err := browse(ctx, chromedp.Evaluate(`(`+item+`).querySelector('a').click()`, nil), chromedp.WaitVisible(`#w-reply`, chromedp.ByQuery, in())); err != nil {
		t.Fatalf("back to the thread: %v", err)
	}
}

// widgetListPaging: a guest with more conversations than the widget's page
// of 50 sees the newest 50, then "Older conversations" appends the rest
// (the API's next_cursor): every conversation exactly once, newest first.
func widgetListPaging(t *testing.T, s *site, ctx context.Context, in func() chromedp.QueryOption, subject string) {
	var guest int64
	var name string
	var newest time.Time
	err := s.st.DB.QueryRow(`SELECT customer_id, customer_name, last_message_at FROM conversations WHERE subject = ?`, subject).Scan(&guest, &name, &newest)
	if err != nil {
		t.Fatal(err)
	}
	const older = 54
	want := []string{subject}
	for i := range older {
		at := models.Now(newest.Add(-time.Duration(i+1) * time.Minute))
		sub := fmt.Sprintf("Older thread %02d", i+1)
		c := models.Conversation{CustomerID: guest, CustomerName: name, Subject: sub, Status: models.StatusAwaitingAdmin,
			CreatedAt: at, UpdatedAt: at, LastMessageAt: at, PublicLastAt: at}
		if err := s.st.InsertConversation(context.Background(), &c); err != nil {
			t.Fatal(err)
		}
		want = append(want, sub)
	}
	subjects := func(out *[]string) chromedp.Action {
		return chromedp.Evaluate(`Array.from(document.querySelector('iframe').contentDocument.querySelectorAll('#w-convs .subject')).map(function(e){return e.textContent})`, out)
	}
	var first, all []string
	var moreHidden bool
	err = browse(ctx,
		chromedp.Click(`#w-back`, chromedp.ByQuery, in()),
		waitJS(`document.querySelector('iframe').contentDocument.querySelectorAll('#w-convs li').length === 50 && !document.querySelector('iframe').contentDocument.querySelector('#w-more').hidden`),
		subjects(&first),
		chromedp.Click(`#w-more`, chromedp.ByQuery, in()),
		waitJS(`document.querySelector('iframe').contentDocument.querySelectorAll('#w-convs li').length >= `+fmt.Sprint(older+1)+` && document.querySelector('iframe').contentDocument.querySelector('#w-more').hidden`),
		subjects(&all),
		chromedp.Evaluate(`document.querySelector('iframe').contentDocument.querySelector('#w-more').hidden`, &moreHidden),
	)
	if err != nil {
		t.Fatalf("widget list past 50: %v", err)
	}
	if len(first) != 50 || strings.Join(first, "|") != strings.Join(want[:50], "|") {
		t.Fatalf("first page of the widget's list (%d):\n%s\nwant the newest 50:\n%s", len(first), strings.Join(first, "\n"), strings.Join(want[:50], "\n"))
	}
	if strings.Join(all, "|") != strings.Join(want, "|") || !moreHidden {
		t.Fatalf("after Older conversations (%d, button hidden %v):\n%s\nwant:\n%s", len(all), moreHidden, strings.Join(all, "\n"), strings.Join(want, "\n"))
	}
}

// widgetUploads: in the widget's thread the guest sends an image whose
// file name is an XSS payload (it shows inline, loaded with the widget's
// bearer token, and the name stays text); an HTML file named .png, an image
// of 1 MB + 1 byte and a 61-second MediaRecorder WebM are refused with the
// server's message in place, and nothing of them is stored.
func widgetUploads(t *testing.T, s *site, ctx context.Context, in func() chromedp.QueryOption) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	countAtt := func() int {
		var n int
		if err := s.st.DB.QueryRow(`SELECT COUNT(*) FROM attachments`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const frame = `document.querySelector('iframe').contentDocument`
	before := countAtt()
	photo := write(portalXSS+".png", mediatest.PNG())
	var loaded bool
	var caption, docTitle, alert string
	var imgs int
	err := browse(ctx,
		chromedp.SetUploadFiles(`#w-file`, []string{photo}, chromedp.ByQuery, in()),
		chromedp.SendKeys(`#w-attach-body`, "A photo "+portalXSS, chromedp.ByQuery, in()),
		chromedp.Click(`#w-attach button[type=submit]`, chromedp.ByQuery, in()),
		waitJS(`!!`+frame+`.querySelector('#w-timeline figure.parley-attachment img')`),
		chromedp.Poll(`(function(){var i=`+frame+`.querySelector('#w-timeline figure.parley-attachment img'); return !!i && i.complete && i.naturalWidth > 0})()`, &loaded),
		chromedp.Evaluate(frame+`.querySelector('#w-timeline figure.parley-attachment figcaption a').textContent`, &caption),
		chromedp.Evaluate(frame+`.querySelectorAll('img').length`, &imgs),
		chromedp.Evaluate(frame+`.querySelector('#alert').textContent`, &alert),
		chromedp.Title(&docTitle),
		screenshots("widget-upload"),
	)
	if err != nil || !loaded {
		t.Fatalf("guest sends a photo in the widget: %v (loaded %v)", err, loaded)
	}
	var stored string
	if err := s.st.DB.QueryRow(`SELECT filename FROM attachments ORDER BY id DESC LIMIT 1`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if caption != stored || !strings.Contains(stored, "onerror") || imgs != 1 || docTitle == "pwned" || strings.TrimSpace(alert) != "" {
		t.Fatalf("the photo in the widget: caption %q (stored %q), %d img, title %q, alert %q", caption, stored, imgs, docTitle, alert)
	}
	if got := countAtt(); got != before+1 {
		t.Fatalf("attachments stored: %d, want %d", got, before+1)
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"page.png", mediatest.HTML(), "not accepted"},
		{"big.png", mediatest.PNGOfSize(1<<20 + 1), "limit"},
		{"long.webm", mediatest.WebM{Seconds: 61, Video: true, MediaRecorder: true}.Bytes(), "60 seconds"},
	} {
		var msg string
		err := browse(ctx,
			chromedp.SetUploadFiles(`#w-file`, []string{write(c.name, c.data)}, chromedp.ByQuery, in()),
			chromedp.Click(`#w-attach button[type=submit]`, chromedp.ByQuery, in()),
			waitJS(`!!`+frame+`.querySelector('#alert .error')`),
			chromedp.Evaluate(frame+`.querySelector('#alert .error').textContent`, &msg),
		)
		if err != nil || !strings.Contains(msg, c.want) {
			t.Fatalf("%s in the widget: %v, message %q (want %q)", c.name, err, msg, c.want)
		}
		if c.name == "page.png" {
			_ = browse(ctx, screenshots("widget-upload-refused"))
		}
		// Clear the message for the next file.
		if err := browse(ctx, chromedp.Evaluate(frame+`.querySelector('#alert').textContent = ""`, nil)); err != nil {
			t.Fatal(err)
		}
	}
	if got := countAtt(); got != before+1 {
		t.Fatalf("a refused file was stored: %d attachments, want %d", got, before+1)
	}
}

// shopSecret is the identity secret the browser tests' shop signs with.
var shopSecret = strings.Repeat("k", 40)

// startShop serves a shop page from an origin of its own (another port):
// /?parley=<base> loads the widget from Parley and, once loaded, signs its
// customer in with a fresh identity token from /token. It returns the
// shop's origin, which the server must list in PARLEY_WIDGET_ORIGINS.
func startShop(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	var seq atomic.Int64
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		n := seq.Add(1)
		fmt.Fprint(w, signIdentity(map[string]any{"sub": fmt.Sprintf("shop-customer-%d-%d", time.Now().UnixNano(), n),
			"email": fmt.Sprintf("shopper%d@shop.example", time.Now().UnixNano()), "name": "Shopper " + portalXSS,
			"exp": time.Now().Add(4 * time.Minute).Unix(), "jti": fmt.Sprintf("jti-%d-%d", time.Now().UnixNano(), n)}))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		parley := r.URL.Query().Get("parley")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>Other shop</title></head><body><h1>Another shop</h1>
<script src="%s/widget.js"></script>
<script>fetch('/token').then(function(r){return r.text()}).then(function(t){window.Parley.identify(t)})</script>
</body></html>`, html.EscapeString(parley))
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// signIdentity signs claims as the shop does: a JWT, HS256.
func signIdentity(claims map[string]any) string {
	enc := base64.RawURLEncoding
	h := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	b, _ := json.Marshal(claims)
	p := enc.EncodeToString(b)
	mac := hmac.New(sha256.New, []byte(shopSecret))
	mac.Write([]byte(h + "." + p))
	return h + "." + p + "." + enc.EncodeToString(mac.Sum(nil))
}

// flowWidgetIdentity: a shop page on another origin signs a new customer
// in through the widget; the conversation started there is that
// customer's, from the widget channel.
func flowWidgetIdentity(t *testing.T, s *site, ctx context.Context, shop string) {
	res, err := http.Post(s.base+"/api/v1/auth/identity", "application/json", strings.NewReader(`{"token":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		t.Skip("widget identity flow skipped: POST /api/v1/auth/identity (the ident helper's) is not in this build")
	}
	var frames []*cdp.Node
	in := func() chromedp.QueryOption { return chromedp.FromNode(frames[0]) }
	subject := "Signed-in shopper " + portalXSS
	err = browse(ctx,
		chromedp.Navigate(shop+"/?parley="+url.QueryEscape(s.base)),
		chromedp.WaitVisible(`button[aria-label="Open chat with the store"]`, chromedp.ByQuery),
		chromedp.Click(`button[aria-label="Open chat with the store"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`iframe[title="Chat with the store"]`, chromedp.ByQuery),
		chromedp.Nodes(`iframe[title="Chat with the store"]`, &frames, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("open the widget on the shop: %v", err)
	}
	err = browse(ctx,
		chromedp.WaitVisible(`#w-subject`, chromedp.ByQuery, in()), // signed in: no guest form
		chromedp.SendKeys(`#w-subject`, subject, chromedp.ByQuery, in()),
		chromedp.SendKeys(`#w-body`, "Signed in by my shop", chromedp.ByQuery, in()),
		chromedp.Click(`#w-new button[type=submit]`, chromedp.ByQuery, in()),
		chromedp.WaitVisible(`#w-reply`, chromedp.ByQuery, in()),
	)
	if err != nil {
		t.Fatalf("shopper starts a conversation in the widget: %v", err)
	}
	var ext, channel string
	var guest bool
	err = s.st.DB.QueryRow(`SELECT COALESCE(cu.external_id, ''), cu.is_guest, c.channel FROM conversations c JOIN customers cu ON cu.id = c.customer_id WHERE c.subject = ?`, subject).Scan(&ext, &guest, &channel)
	if err != nil || !strings.HasPrefix(ext, "shop-customer-") || guest || channel != "widget" {
		t.Fatalf("the conversation's customer: external id %q guest %v channel %q: %v", ext, guest, channel, err)
	}

	// The same shop links a customer to the messages page with a token:
	// signed in, and the token gone from the address.
	res, err = http.Get(shop + "/token")
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var loc, who string
	err = browse(ctx,
		chromedp.Navigate(s.base+"/dashboard/messages?identity="+url.QueryEscape(string(tok))),
		chromedp.WaitVisible(`#new-title`, chromedp.ByQuery),
		chromedp.Location(&loc),
		chromedp.Text(`.who`, &who, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("identity link: %v", err)
	}
	if loc != s.base+"/dashboard/messages" || !strings.Contains(who, "Shopper "+portalXSS) {
		t.Fatalf("after the identity link: at %q, %q", loc, who)
	}
}
