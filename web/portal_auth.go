package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
)

// The customer pages' session: the customer's API token in an HttpOnly,
// SameSite=Lax cookie (Secure when served over TLS), and CSRF protection
// for every POST: the Origin (or Sec-Fetch-Site) must be this site, and
// the form must carry the token of the double-submit cookie.
const (
	sessionCookie = "parley_customer"
	csrfCookie    = "parley_csrf"
)

func (p *Portal) secure(r *http.Request) bool { return p.cfg.Secure || r.TLS != nil }

func (p *Portal) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: p.secure(c.Request), SameSite: http.SameSiteLaxMode})
}

// setSession starts the customer's page session.
func (p *Portal) setSession(c *gin.Context, token string, expires time.Time) {
	p.setCookie(c, sessionCookie, token, max(int(time.Until(expires)/time.Second), 1))
}

// signedIn resolves the session cookie to a customer or guest.
func (p *Portal) signedIn(c *gin.Context) (models.Actor, string, bool) {
	ck, err := c.Request.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return models.Actor{}, "", false
	}
	a, err := p.acc.Authenticate(c.Request.Context(), ck.Value, c.ClientIP())
	if err != nil || !a.IsCustomer() {
		return models.Actor{}, "", false
	}
	a.IP = c.ClientIP()
	return a, ck.Value, true
}

// csrfToken is the form token of the double-submit cookie, made on first use.
func (p *Portal) csrfToken(c *gin.Context) string {
	if v, ok := c.Get(csrfCookie); ok {
		return v.(string)
	}
	if ck, err := c.Request.Cookie(csrfCookie); err == nil && len(ck.Value) == 32 {
		c.Set(csrfCookie, ck.Value)
		return ck.Value
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	p.setCookie(c, csrfCookie, tok, 0)
	c.Set(csrfCookie, tok)
	return tok
}

// sameSite checks a POST came from this site's own page: its Origin and
// its form token.
func (p *Portal) sameSite(c *gin.Context) bool {
	if !p.sameOrigin(c) {
		return false
	}
	ck, err := c.Request.Cookie(csrfCookie)
	form := c.Request.PostFormValue("csrf")
	return err == nil && len(ck.Value) == 32 && subtle.ConstantTimeCompare([]byte(ck.Value), []byte(form)) == 1
}

// sameOrigin checks a POST's Origin (or Sec-Fetch-Site) is this site.
func (p *Portal) sameOrigin(c *gin.Context) bool {
	r := c.Request
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
		scheme := "http"
		if p.secure(r) {
			scheme = "https"
		}
		if u.Scheme != scheme && !(u.Scheme == "https" && r.TLS == nil) { // behind a TLS-terminating proxy
			return false
		}
	} else if s := r.Header.Get("Sec-Fetch-Site"); s != "" && s != "same-origin" {
		return false
	}
	return true
}
