package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A customer who forgot their password asks on the sign-in page, follows
// the e-mailed link, sets a new password and signs in with it; the page
// says the same whether or not the address has an account, and a used link
// is refused in the page.
func TestPortalForgotPassword(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		mail := &resetMailbox{}
		e.acc.SetResetMailer(mail)
		e.customer(t, "ida@example.com")
		p := newPortal(t, e)
		c := p.client(t)
		login := c.get("/dashboard/messages")
		if login.doc.Find(`form[action="/dashboard/messages/forgot"]`).Length() != 1 {
			t.Fatal("the sign-in page offers no forgotten-password form")
		}
		var notices []string
		for _, email := range []string{"nobody@example.com", "ida@example.com"} {
			r := c.post("/dashboard/messages/forgot", url.Values{"email": {email}}, "")
			if r.code != http.StatusOK {
				t.Fatalf("forgot %s: %d %s", email, r.code, r.body)
			}
			notices = append(notices, strings.TrimSpace(r.doc.Find(".notice").Text()))
		}
		if notices[0] == "" || notices[0] != notices[1] {
			t.Fatalf("the answers differ or say nothing: %q", notices)
		}
		sent := mail.all()
		if len(sent) != 1 || sent[0].Email != "ida@example.com" {
			t.Fatalf("mails: %+v", sent)
		}
		page := c.get("/dashboard/password-reset?token=" + url.QueryEscape(sent[0].Token))
		if page.code != http.StatusOK || page.hdr.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("reset page: %d %v", page.code, page.hdr)
		}
		tok, _ := page.doc.Find(`input[name="token"]`).Attr("value")
		if r := c.post("/dashboard/password-reset", url.Values{"token": {tok}, "password": {"a new long pass"}, "confirm": {"another"}}, ""); r.code != http.StatusBadRequest {
			t.Fatalf("different passwords: %d", r.code)
		}
		r := c.post("/dashboard/password-reset", url.Values{"token": {tok}, "password": {"a new long pass"}, "confirm": {"a new long pass"}}, "")
		if r.code != http.StatusOK || !strings.Contains(r.doc.Find(".notice").Text(), "password was changed") {
			t.Fatalf("reset: %d %s", r.code, r.doc.Find(".error, .notice").Text())
		}
		again := c.post("/dashboard/password-reset", url.Values{"token": {tok}, "password": {"yet another pass"}, "confirm": {"yet another pass"}}, "")
		if again.code == http.StatusOK {
			t.Fatal("a used link worked twice")
		}
		if r := c.post("/dashboard/messages/login", url.Values{"email": {"ida@example.com"}, "password": {"a new long pass"}}, ""); r.code != http.StatusSeeOther {
			t.Fatalf("sign in with the new password: %d", r.code)
		}
	})
}
