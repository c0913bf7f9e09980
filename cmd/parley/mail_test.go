package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// adminClient signs in to the back office as the demo's admin.
func adminClient(t *testing.T, base string) *http.Client {
	jar, _ := cookiejar.New(nil)
	admin := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodPost, base+"/admin/signin", strings.NewReader(url.Values{"username": {"admin"}, "password": {"demo-pass-123"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	if res, err := admin.Do(req); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("admin sign-in: %v %v", res, err)
	}
	return admin
}

// demoMailbox reads the dev mailbox page.
func demoMailbox(t *testing.T, base string, admin *http.Client) *goquery.Document {
	t.Helper()
	res, err := admin.Get(base + "/admin/mailbox")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("mailbox: %v %v", res, err)
	}
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// demoHistorySendsNothing: right after `serve --demo` starts (before any
// test activity), the seeded history has sent no e-mail.
func demoHistorySendsNothing(t *testing.T, base string) {
	if n := demoMailbox(t, base, adminClient(t, base)).Find(".parley-mail-link").Length(); n != 0 {
		t.Fatalf("the demo's seeded history sent %d e-mails", n)
	}
}

// demoMailFlow: in `serve --demo`, a staff reply to an offline customer
// reaches the dev mailbox over SMTP (the in-process server), through the
// outbox, the notify task, the mail sweep and the mail task — the same
// path as production.
func demoMailFlow(t *testing.T, base string) {
	admin := adminClient(t, base)
	mailbox := func() *goquery.Document { return demoMailbox(t, base, admin) }

	res, body := postJSON(t, base+"/api/v1/auth/login", "", map[string]string{"email": "bob@example.com", "password": "demo-pass-123"})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("bob login: %d %v", res.StatusCode, body)
	}
	bob, _ := body["token"].(string)
	res, body = postJSON(t, base+"/api/v1/conversations", bob, map[string]string{"subject": "Mail flow", "body": "Is my order on its way?"})
	if res.StatusCode != http.StatusCreated && res.StatusCode != http.StatusOK {
		t.Fatalf("start: %d %v", res.StatusCode, body)
	}
	conv := int64(body["conversation"].(map[string]any)["id"].(float64))
	res, body = postJSON(t, base+"/api/v1/staff/auth/login", "", map[string]string{"username": "agent1", "password": "demo-pass-123"})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("agent1 login: %d", res.StatusCode)
	}
	agent, _ := body["token"].(string)
	reply := "Yes, it left the warehouse this morning."
	res, body = postJSON(t, base+"/api/v1/staff/conversations/"+strconv.FormatInt(conv, 10)+"/messages", agent, map[string]string{"body": reply, "kind": "reply"})
	if res.StatusCode != http.StatusCreated && res.StatusCode != http.StatusOK {
		t.Fatalf("reply: %d %v", res.StatusCode, body)
	}
	deadline := time.Now().Add(45 * time.Second)
	for {
		doc := mailbox()
		href := ""
		doc.Find(".parley-mail-link").Each(func(_ int, s *goquery.Selection) {
			if strings.Contains(s.Parent().Text(), "to bob@example.com") {
				href, _ = s.Attr("href")
			}
		})
		if href != "" {
			res, err := admin.Get(base + href)
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("open %s: %v %v", href, res, err)
			}
			doc, err = goquery.NewDocumentFromReader(res.Body)
			res.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			text := doc.Find(".parley-mail-text").Text()
			if !strings.Contains(text, reply) || !strings.Contains(text, "/dashboard/messages/"+strconv.FormatInt(conv, 10)) {
				t.Fatalf("the e-mail to bob reads:\n%s", text)
			}
			if doc.Find("iframe.parley-mail-html[sandbox]").Length() != 1 {
				t.Fatal("no sandboxed HTML part")
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reply's e-mail did not reach the dev mailbox within 45 s; mailbox:\n%s", doc.Find(".parley-mailbox").Text())
		}
		time.Sleep(200 * time.Millisecond) // waiting on the worker, not on a time rule
	}
}
