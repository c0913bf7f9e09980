package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/web"
)

// xss are payloads every customer page must show as text.
var xss = []string{`<script>alert("x")</script>`, `<img src=x onerror=alert(1)>`, `"><svg onload=alert(1)>`}

// portalEnv is the real router (API + customer pages) on a test server.
type portalEnv struct {
	*env
	srv *httptest.Server
}

func newPortal(t *testing.T, e *env) *portalEnv {
	t.Helper()
	r := gin.New()
	web.NewAPI(e.svc, e.acc).Register(r)
	web.NewPortal(e.svc, e.acc, web.PortalConfig{WidgetOrigins: []string{"https://shop.example"}, Demo: true}).Register(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &portalEnv{env: e, srv: srv}
}

// browserClient keeps cookies, follows no redirects and sends this site's
// Origin on POSTs, like a browser on the page.
type browserClient struct {
	t    *testing.T
	p    *portalEnv
	http *http.Client
}

func (p *portalEnv) client(t *testing.T) *browserClient {
	jar, _ := cookiejar.New(nil)
	return &browserClient{t: t, p: p, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	code int
	hdr  http.Header
	body string
	doc  *goquery.Document
}

func (c *browserClient) do(req *http.Request) page {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	return page{code: res.StatusCode, hdr: res.Header, body: string(b), doc: doc}
}

func (c *browserClient) get(path string) page {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.p.srv.URL+path, nil)
	return c.do(req)
}

// csrf is the form token the last page carried.
func (c *browserClient) csrf() string {
	u, _ := url.Parse(c.p.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "parley_csrf" {
			return ck.Value
		}
	}
	return ""
}

func (c *browserClient) post(path string, form url.Values, origin string) page {
	c.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.csrf())
	}
	req, _ := http.NewRequest("POST", c.p.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin == "" {
		origin = c.p.srv.URL
	}
	req.Header.Set("Origin", origin)
	return c.do(req)
}

// signIn signs a customer in through the page.
func (c *browserClient) signIn(email string) {
	c.t.Helper()
	c.get("/dashboard/messages")
	if r := c.post("/dashboard/messages/login", url.Values{"email": {email}, "password": {password}}, ""); r.code != http.StatusSeeOther {
		c.t.Fatalf("sign in: %d %s", r.code, r.body)
	}
}

func TestPortalSignInAndCSRF(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		p := newPortal(t, e)
		e.customer(t, "alice@example.com")
		c := p.client(t)
		r := c.get("/dashboard/messages")
		if r.code != 200 || r.doc.Find("form input#email[name=email]").Length() != 1 || r.doc.Find("label[for=password]").Length() != 1 {
			t.Fatalf("sign-in page: %d %s", r.code, r.body)
		}
		if r := c.get("/customer/communication"); r.code != http.StatusMovedPermanently || r.hdr.Get("Location") != "/dashboard/messages" {
			t.Errorf("alias: %d %q", r.code, r.hdr.Get("Location"))
		}
		form := url.Values{"email": {"alice@example.com"}, "password": {password}}
		if r := c.post("/dashboard/messages/login", form, "https://evil.example"); r.code != http.StatusForbidden {
			t.Errorf("cross-site sign-in: %d", r.code)
		}
		if r := c.post("/dashboard/messages/login", url.Values{"email": {"alice@example.com"}, "password": {password}, "csrf": {"0123456789abcdef0123456789abcdef"}}, ""); r.code != http.StatusForbidden {
			t.Errorf("sign-in with a wrong form token: %d", r.code)
		}
		if r := c.post("/dashboard/messages/login", url.Values{"email": {"alice@example.com"}, "password": {"wrong"}}, ""); r.code != http.StatusUnauthorized || !strings.Contains(r.doc.Find("#alert").Text(), "do not match") {
			t.Errorf("wrong password: %d %s", r.code, r.doc.Find("#alert").Text())
		}
		r = c.post("/dashboard/messages/login", form, "")
		if r.code != http.StatusSeeOther {
			t.Fatalf("sign in: %d %s", r.code, r.body)
		}
		var session *http.Cookie
		for _, ck := range (&http.Response{Header: r.hdr}).Cookies() {
			if ck.Name == "parley_customer" {
				session = ck
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie %+v", session)
		}
		r = c.get("/dashboard/messages")
		if !strings.Contains(r.doc.Find(".who").Text(), "Name of alice@example.com") {
			t.Errorf("the page does not say who is signed in: %q", r.doc.Find(".who").Text())
		}
		if r := c.post("/dashboard/messages/logout", url.Values{}, ""); r.code != http.StatusSeeOther {
			t.Errorf("sign out: %d", r.code)
		}
		if r := c.get("/dashboard/messages"); r.doc.Find("#email").Length() != 1 {
			t.Errorf("still signed in after signing out")
		}
	})
}

func TestPortalConversationFlow(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		p := newPortal(t, e)
		ctx := context.Background()
		alice, _ := e.customer(t, "alice@example.com")
		bob, _ := e.customer(t, "bob@example.com")
		admin, _ := e.staff(t, "chatadmin", models.RoleChatAdmin)
		mine := models.Order{CustomerID: alice.ID, Number: "A-1" + xss[1], Status: "open", TotalCents: 2450, Currency: "EUR", CreatedAt: models.Now(e.clock.Now())}
		theirs := models.Order{CustomerID: bob.ID, Number: "B-1", Status: "open", TotalCents: 100, Currency: "EUR", CreatedAt: models.Now(e.clock.Now())}
		for _, o := range []*models.Order{&mine, &theirs} {
			if err := e.st.InsertOrder(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
		c := p.client(t)
		c.signIn("alice@example.com")
		r := c.get("/dashboard/messages")
		if opts := r.doc.Find("select#order option"); opts.Length() != 2 || !strings.Contains(opts.Last().Text(), "A-1") {
			t.Fatalf("order picker: %d options %q", opts.Length(), opts.Text())
		}
		if q := r.doc.Find("#new-quota").Text(); !strings.Contains(q, "5 more conversations") || !strings.Contains(q, "30 more messages") {
			t.Errorf("limit preview %q", q)
		}
		// Someone else's order: refused in place, draft kept (R4).
		r = c.post("/dashboard/messages", url.Values{"subject": {"Parcel"}, "body": {"Where?"}, "order_id": {fmt.Sprint(theirs.ID)}}, "")
		if r.code != http.StatusBadRequest || r.doc.Find("#alert .error").Length() != 1 || r.doc.Find("#subject").AttrOr("value", "") != "Parcel" {
			t.Fatalf("bob's order: %d %s", r.code, r.doc.Find("#alert").Text())
		}
		subject, body := "Order question "+xss[0], "Hello "+xss[1]+"\r\nsecond line"
		r = c.post("/dashboard/messages", url.Values{"subject": {subject}, "body": {body}, "order_id": {fmt.Sprint(mine.ID)}}, "")
		if r.code != http.StatusSeeOther {
			t.Fatalf("start: %d %s", r.code, r.doc.Find("#alert").Text())
		}
		threadURL := r.hdr.Get("Location")
		convs, _ := e.st.Messages(ctx, 1, false)
		_ = convs
		var id int64
		fmt.Sscanf(threadURL, "/dashboard/messages/%d", &id)
		conv, err := e.st.Conversation(ctx, id)
		if err != nil || conv.OrderID == nil || *conv.OrderID != mine.ID {
			t.Fatalf("conversation %+v %v", conv, err)
		}
		if ch, _ := e.st.ConversationChannel(ctx, id); ch != "portal" {
			t.Errorf("channel %q", ch)
		}
		if _, _, err := e.svc.Send(ctx, admin, id, models.KindNote, "SECRET NOTE "+xss[2]); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Send(ctx, admin, id, models.KindReply, "Staff answer "+xss[2]); err != nil {
			t.Fatal(err)
		}
		r = c.get(threadURL)
		if r.code != 200 {
			t.Fatalf("thread: %d", r.code)
		}
		if strings.Contains(r.body, "SECRET NOTE") {
			t.Fatal("a note shows on the customer page (R8)")
		}
		if r.doc.Find("script:not([src])").Length() != 0 || r.doc.Find("img, svg").Length() != 0 {
			t.Fatalf("payload became markup:\n%s", r.body)
		}
		if got := r.doc.Find("#thread-title").Text(); got != "Order question "+xss[0] {
			t.Errorf("subject shows as %q", got)
		}
		bodies := r.doc.Find(".msg .body").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
		if len(bodies) != 2 || bodies[0] != "Hello "+xss[1]+"\nsecond line" || bodies[1] != "Staff answer "+xss[2] {
			t.Errorf("bodies %q", bodies)
		}
		if r.doc.Find("a[href$='/export.csv']").Length() != 1 || r.doc.Find("label[for=reply]").Length() != 1 {
			t.Errorf("thread lacks the CSV link or the labelled send box")
		}
		// Reply, then the list shows it newest first.
		if r := c.post(threadURL, url.Values{"body": {"Thanks!"}}, ""); r.code != http.StatusSeeOther {
			t.Fatalf("reply: %d %s", r.code, r.doc.Find("#alert").Text())
		}
		// Seen: staff opened it after alice's reply.
		if _, err := e.svc.Open(ctx, admin, id); err != nil {
			t.Fatal(err)
		}
		if r := c.get(threadURL); r.doc.Find(".seen").Length() != 1 {
			t.Errorf("no seen mark after staff read the thread")
		}
		r = c.get("/dashboard/messages")
		if r.doc.Find(".convs li").Length() != 1 || r.doc.Find(".convs .subject").Text() != subject {
			t.Errorf("list: %q", r.doc.Find(".convs").Text())
		}
		// The CSV download.
		dl := c.get(threadURL + "/export.csv")
		if dl.code != 200 || !strings.HasPrefix(dl.hdr.Get("Content-Type"), "text/csv") || strings.Contains(dl.body, "SECRET NOTE") || !strings.Contains(dl.body, "Thanks!") {
			t.Errorf("export: %d %q", dl.code, dl.body)
		}
		// Bob sees none of it.
		b := p.client(t)
		b.signIn("bob@example.com")
		for _, path := range []string{threadURL, threadURL + "/export.csv", threadURL + "?before=" + models.EncodeCursor(conv.CreatedAt, 999999)} {
			if r := b.get(path); r.code != http.StatusNotFound || strings.Contains(r.body, "Order question") {
				t.Errorf("bob GET %s: %d", path, r.code)
			}
		}
		if r := b.post(threadURL, url.Values{"body": {"hi"}}, ""); r.code != http.StatusNotFound {
			t.Errorf("bob reply: %d", r.code)
		}
	})
}

func TestPortalRefusalsInPlace(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		p := newPortal(t, e)
		ctx := context.Background()
		alice, _ := e.customer(t, "alice@example.com")
		conv := e.start(t, alice, 0, "Rate")
		c := p.client(t)
		c.signIn("alice@example.com")
		u := fmt.Sprintf("/dashboard/messages/%d", conv.ID)
		for i := 0; i < 30; i++ {
			if _, _, err := e.svc.Send(ctx, models.Actor{Kind: models.ActorCustomer, ID: alice.ID, Role: models.RoleCustomer, Name: alice.Name}, conv.ID, models.KindReply, "m"); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
		}
		if q := c.get(u).doc.Find("#send-help").Text(); !strings.Contains(q, "0 more messages") {
			t.Errorf("preview after 30 sends: %q", q)
		}
		before, _ := e.st.Messages(ctx, conv.ID, false)
		r := c.post(u, url.Values{"body": {"the 31st"}}, "")
		if r.code != http.StatusTooManyRequests {
			t.Fatalf("31st message: %d", r.code)
		}
		alert := r.doc.Find("#alert .error")
		if !strings.Contains(alert.Text(), "wait") || alert.AttrOr("data-retry-after", "0") == "0" || r.doc.Find("#reply").Text() != "the 31st" {
			t.Errorf("refusal %q, draft %q", alert.Text(), r.doc.Find("#reply").Text())
		}
		if after, _ := e.st.Messages(ctx, conv.ID, false); len(after) != len(before) {
			t.Errorf("the refused message was stored")
		}
		// Too long (R3).
		r = c.post(u, url.Values{"body": {strings.Repeat("x", models.MaxBodyRunes+1)}}, "")
		if r.code != http.StatusRequestEntityTooLarge && r.code != http.StatusBadRequest {
			t.Errorf("too long: %d", r.code)
		}
		// Consent (R18): asked, then refused without acceptance.
		if err := e.st.PutSetting(ctx, models.SettingConsentEnabled, "true", e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		r = c.get("/dashboard/messages")
		if r.doc.Find(".consent input[type=checkbox][name=accept_consent]").Length() != 1 {
			t.Fatalf("no consent on the page")
		}
		// Chat off (R9): the form is replaced by the notice.
		if err := e.st.PutSetting(ctx, models.SettingEnableCustomerChat, "false", e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if r := c.get("/dashboard/messages"); r.doc.Find("#new-form").Length() != 0 || !strings.Contains(r.doc.Find(".error").Text(), "turned off") {
			t.Errorf("chat off: form still shown")
		}
	})
}

func TestWidgetFraming(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		p := newPortal(t, e)
		c := p.client(t)
		r := c.get("/widget")
		csp := r.hdr.Get("Content-Security-Policy")
		if r.code != 200 || !strings.Contains(csp, "frame-ancestors 'self' https://shop.example") || r.hdr.Get("X-Frame-Options") != "" {
			t.Errorf("widget: %d CSP %q XFO %q", r.code, csp, r.hdr.Get("X-Frame-Options"))
		}
		if r.doc.Find("#widget").AttrOr("data-origins", "") != "https://shop.example" {
			t.Errorf("widget origins %q", r.doc.Find("#widget").AttrOr("data-origins", ""))
		}
		if err := e.st.PutSetting(context.Background(), models.SettingConsentEnabled, "true", e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if err := e.st.PutSetting(context.Background(), models.SettingConsentText, "We keep "+xss[0], e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if r := c.get("/widget"); r.doc.Find("#w-consent p").Text() != "We keep "+xss[0] || r.doc.Find("#w-consent script").Length() != 0 {
			t.Errorf("widget consent text %q", r.doc.Find("#w-consent p").Text())
		}
		if r := c.get("/widget.js"); r.code != 200 || !strings.HasPrefix(r.hdr.Get("Content-Type"), "text/javascript") {
			t.Errorf("widget.js: %d", r.code)
		}
		if r := c.get("/demo/store"); r.code != 200 || r.doc.Find("script[src='/widget.js']").Length() != 1 {
			t.Errorf("demo store: %d", r.code)
		}
	})
}

func TestParseWidgetOrigins(t *testing.T) {
	good, err := web.ParseOrigins(" https://shop.example , http://localhost:3000")
	if err != nil || len(good) != 2 || good[1] != "http://localhost:3000" {
		t.Fatalf("%v %v", good, err)
	}
	for _, bad := range []string{"shop.example", "https://shop.example/path", "javascript:alert(1)", "https://*.example", "https://a.example; script-src *", "ftp://x"} {
		if _, err := web.ParseOrigins(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestPortalIdentityTokenNeverKept(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		p := newPortal(t, e)
		c := p.client(t)
		r := c.get("/dashboard/messages?identity=forged.token.value")
		if r.hdr.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("Referrer-Policy %q", r.hdr.Get("Referrer-Policy"))
		}
		if strings.Contains(r.hdr.Get("Location"), "forged") || strings.Contains(r.body, "forged.token.value") {
			t.Errorf("the token is kept in the answer: %q", r.hdr.Get("Location"))
		}
		if r.code != http.StatusSeeOther && r.code != http.StatusUnauthorized {
			t.Errorf("status %d", r.code)
		}
		u, _ := url.Parse(p.srv.URL)
		for _, ck := range c.http.Jar.Cookies(u) {
			if ck.Name == "parley_customer" {
				t.Errorf("a forged identity token signed someone in")
			}
		}
	})
}

func TestPortalOlderHistory(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		p := newPortal(t, e)
		ctx := context.Background()
		alice, _ := e.customer(t, "alice@example.com")
		admin, _ := e.staff(t, "chatadmin", models.RoleChatAdmin)
		conv := e.start(t, alice, 0, "Long")
		for i := 1; i <= 55; i++ {
			if _, _, err := e.svc.Send(ctx, admin, conv.ID, models.KindReply, fmt.Sprintf("reply %d", i)); err != nil {
				t.Fatal(err)
			}
		}
		c := p.client(t)
		c.signIn("alice@example.com")
		r := c.get(fmt.Sprintf("/dashboard/messages/%d", conv.ID))
		if n := r.doc.Find("#timeline > li").Length(); n != 50 {
			t.Fatalf("thread shows %d messages, want the newest 50", n)
		}
		older, ok := r.doc.Find("a#older").Attr("href")
		if !ok {
			t.Fatal("no link to older messages")
		}
		r = c.get(older)
		if n := r.doc.Find("#timeline > li").Length(); n != 6 || !strings.Contains(r.doc.Find("#timeline").Text(), "first message of Long") {
			t.Fatalf("older page: %d items: %s", n, r.doc.Find("#timeline").Text())
		}
		if r.doc.Find("a#older").Length() != 0 || r.doc.Find("#send-form").Length() != 0 {
			t.Errorf("the first page offers older messages or a send box")
		}
		if r := c.get(fmt.Sprintf("/dashboard/messages/%d?before=garbage", conv.ID)); r.code != http.StatusBadRequest {
			t.Errorf("forged cursor: %d", r.code)
		}
	})
}

// TestPortalListPaging: a customer with more than a page of conversations
// reaches every one of them through "Older conversations" (keyset paging),
// each exactly once, newest activity first; a forged cursor is refused.
func TestPortalListPaging(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		p := newPortal(t, e)
		alice, _ := e.customer(t, "alice@example.com")
		const total = 105
		for i := 1; i <= total; i++ {
			e.start(t, models.System, alice.ID, fmt.Sprintf("Topic %03d", i))
		}
		c := p.client(t)
		c.signIn("alice@example.com")
		seen := map[string]bool{}
		var order []string
		path, pages := "/dashboard/messages", 0
		for path != "" {
			r := c.get(path)
			if r.code != http.StatusOK {
				t.Fatalf("%s: %d", path, r.code)
			}
			pages++
			r.doc.Find("ul.convs li .subject").Each(func(_ int, s *goquery.Selection) {
				if seen[s.Text()] {
					t.Errorf("%q shown twice", s.Text())
				}
				seen[s.Text()] = true
				order = append(order, s.Text())
			})
			if pages > 1 && r.doc.Find("a#newest-convs").Length() != 1 {
				t.Errorf("page %d has no way back to the newest", pages)
			}
			path, _ = r.doc.Find("a#older-convs").Attr("href")
		}
		if pages != 2 || len(seen) != total {
			t.Fatalf("%d pages, %d distinct conversations, want 2 and %d", pages, len(seen), total)
		}
		if order[0] != "Topic 105" || order[total-1] != "Topic 001" {
			t.Errorf("order: first %q, last %q", order[0], order[total-1])
		}
		if r := c.get("/dashboard/messages?cursor=garbage"); r.code != http.StatusBadRequest {
			t.Errorf("forged cursor: %d", r.code)
		}
		// bob's list stays his own on every page.
		_, _ = e.customer(t, "bob@example.com")
		b := p.client(t)
		b.signIn("bob@example.com")
		if r := b.get("/dashboard/messages"); r.doc.Find("ul.convs li").Length() != 0 || r.doc.Find("a#older-convs").Length() != 0 {
			t.Errorf("bob sees alice's conversations")
		}
	})
}
