package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// sessionCookie is the cookie GoAdmin keeps its session id in. The
// session rows are read and ended through inbox.Accounts (AdminSession,
// EndAdminSession); this file only handles the cookie.
const sessionCookie = "go_admin_session"

// dropSessionCookie removes a client-sent session cookie from the request,
// so GoAdmin's sign-in mints a fresh random sid (session fixation).
func dropSessionCookie(r *http.Request) {
	cookies := r.Cookies()
	r.Header.Del("Cookie")
	for _, ck := range cookies {
		if ck.Name != sessionCookie {
			r.AddCookie(ck)
		}
	}
}

// hardenCookies rewrites the Set-Cookie headers of a response: GoAdmin's
// session cookie gets HttpOnly, SameSite=Lax and, behind TLS, Secure.
func (g *guard) hardenCookies(h http.Header) {
	raw := h.Values("Set-Cookie")
	if len(raw) == 0 {
		return
	}
	h.Del("Set-Cookie")
	for _, line := range raw {
		ck, err := http.ParseSetCookie(line)
		if err != nil {
			continue
		}
		ck.HttpOnly = true
		ck.SameSite = http.SameSiteLaxMode
		ck.Secure = g.secure
		if ck.Path == "" {
			ck.Path = "/"
		}
		h.Add("Set-Cookie", ck.String())
	}
}

// clearSessionCookie tells the browser to forget the session cookie.
func (g *guard) clearSessionCookie(c *gin.Context) {
	ck := &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: g.secure}
	c.Writer.Header().Add("Set-Cookie", ck.String())
}
