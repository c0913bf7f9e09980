package admin

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
)

// login refuses a login page whose ref is not a local /admin path (hole 4).
func (g *guard) login(c *gin.Context) {
	q := c.Request.URL.Query()
	if ref, ok := q["ref"]; ok && (len(ref) != 1 || !safeAdminPath(ref[0])) {
		c.Redirect(http.StatusFound, LoginPath)
		c.Abort()
		return
	}
	c.Next()
}

// signin checks a back-office sign-in before GoAdmin does: credentials
// from the body only (GoAdmin reads the query string first for a multipart
// body, so any credential there is refused), throttled and deactivated
// users refused (Accounts.CheckStaff), and the session cookie the client
// sent dropped so a fresh sid is minted (hole 8). finish then checks that
// the session GoAdmin created is the checked user's.
func (g *guard) signin(c *gin.Context) {
	r := c.Request
	q := r.URL.Query()
	if q.Has("username") || q.Has("password") {
		g.fail(c, http.StatusBadRequest, "credentials go in the request body, not the address")
		return
	}
	form := r.PostForm
	if r.MultipartForm != nil {
		form = r.MultipartForm.Value
	}
	if len(form["username"]) > 1 || len(form["password"]) > 1 {
		g.fail(c, http.StatusBadRequest, "wrong username or password")
		return
	}
	username, password := form.Get("username"), form.Get("password")
	if username == "" || password == "" {
		g.fail(c, http.StatusBadRequest, "wrong username or password")
		return
	}
	st, err := g.acc.CheckStaff(r.Context(), username, password, c.ClientIP())
	if err != nil {
		if models.ErrorCode(err) == models.EUNAUTHORIZED {
			g.fail(c, http.StatusBadRequest, "wrong username or password")
			return
		}
		g.domainFail(c, err)
		return
	}
	c.Set(ctxSignin, st.ID)
	dropSessionCookie(r)
	if ref := r.Referer(); ref != "" { // GoAdmin echoes the Referer's ref as the next URL
		if u, err := url.Parse(ref); err != nil || (u.Query().Has("ref") && !safeAdminPath(u.Query().Get("ref"))) {
			r.Header.Del("Referer")
		}
	}
	c.Next()
}

// checkSignin runs on GoAdmin's sign-in answer: the session it created must
// belong to the user whose credentials the guard checked; otherwise the
// session ends and the sign-in fails.
func (g *guard) checkSignin(c *gin.Context, bw *bufferedWriter) {
	want, ok := c.Get(ctxSignin)
	if !ok || bw.Status() != http.StatusOK {
		return
	}
	var sid string
	for _, line := range bw.Header().Values("Set-Cookie") {
		if ck, err := http.ParseSetCookie(line); err == nil && ck.Name == sessionCookie {
			sid = ck.Value
		}
	}
	s, err := g.acc.AdminSession(c.Request.Context(), sid, g.ttl)
	if err == nil && s.UserID == want.(int64) {
		return
	}
	g.log.Error("admin sign-in created a session for another user", "checked", want, "session_user", s.UserID, "err", err)
	if sid != "" {
		if err := g.acc.EndAdminSession(c.Request.Context(), sid); err != nil {
			g.log.Error("end admin session", "err", err)
		}
	}
	bw.reset()
	bw.Header().Del("Set-Cookie")
	g.fail(c, http.StatusInternalServerError, "internal error")
}

// loginRedirect is where an unauthenticated page request goes: the login
// page, with the requested page as ref unless that is where sign-in lands
// anyway, so a deep link survives the sign-in.
func loginRedirect(r *http.Request) string {
	uri := r.URL.RequestURI()
	switch {
	case r.URL.RawQuery == "" && (r.URL.Path == "/admin" || r.URL.Path == IndexPath || r.URL.Path == "/admin/info/conversation"):
		return LoginPath
	case !safeAdminPath(uri):
		return LoginPath
	}
	return LoginPath + "?ref=" + url.QueryEscape(uri)
}

// unauthenticated sends a page request to the login page and answers any
// other request 401.
func (g *guard) unauthenticated(c *gin.Context) {
	if c.Request.Method == http.MethodGet {
		c.Redirect(http.StatusFound, loginRedirect(c.Request))
		c.Abort()
		return
	}
	g.fail(c, http.StatusUnauthorized, "please sign in again")
}

// logoutPage answers GET /admin/logout without signing out (a cross-site
// link must not end the session): a page whose button posts the sign-out.
func (g *guard) logoutPage(c *gin.Context) {
	c.Data(http.StatusOK, "text/html; charset=utf-8", logoutHTML)
	c.Abort()
}

// logout is POST /admin/logout (same-origin, checked before): the session
// row ends and the browser forgets the cookie.
func (g *guard) logout(c *gin.Context) {
	sid, _ := c.Get(ctxSession)
	if s, _ := sid.(string); s != "" {
		if err := g.acc.EndAdminSession(c.Request.Context(), s); err != nil {
			g.domainFail(c, err)
			return
		}
	}
	g.clearSessionCookie(c)
	c.Redirect(http.StatusSeeOther, LoginPath)
	c.Abort()
}

// authenticate resolves the request's session and staff actor. A
// deactivated or deleted user's live session ends here.
func (g *guard) authenticate(c *gin.Context) (models.Actor, string, bool) {
	ctx := c.Request.Context()
	ck, err := c.Request.Cookie(sessionCookie)
	if err != nil {
		g.unauthenticated(c)
		return models.Actor{}, "", false
	}
	s, err := g.acc.AdminSession(ctx, ck.Value, g.ttl)
	if err != nil {
		if models.ErrorCode(err) == models.EUNAUTHORIZED {
			g.unauthenticated(c)
		} else {
			g.domainFail(c, err)
		}
		return models.Actor{}, "", false
	}
	a, st, err := g.acc.StaffSignedIn(ctx, s.UserID)
	if err != nil {
		if models.ErrorCode(err) != models.EUNAUTHORIZED {
			g.domainFail(c, err)
			return models.Actor{}, "", false
		}
		if err := g.acc.EndAdminSession(ctx, s.SID); err != nil {
			g.log.Error("end admin session", "err", err)
		}
		g.unauthenticated(c)
		return models.Actor{}, "", false
	}
	a.IP = c.ClientIP()
	c.Set(ctxStaffName, st.Name)
	return a, s.SID, true
}
