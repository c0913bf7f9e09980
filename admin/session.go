package admin

import (
	stdctx "context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// sessionCookie is the cookie GoAdmin keeps its session id in.
const sessionCookie = "go_admin_session"

// adminSession is a goadmin_session row of a signed-in user.
type adminSession struct {
	sid     string
	userID  int64
	created time.Time
}

// loadSession reads the session a request's cookie names. ok is false for
// no cookie, an unknown sid, a row that is not a login (GoAdmin's form
// tokens share the table) and an expired session, which is deleted: GoAdmin
// never checks expiry itself.
func (g *guard) loadSession(ctx stdctx.Context, r *http.Request) (adminSession, bool, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 100 {
		return adminSession{}, false, nil
	}
	var values string
	var created any
	err = g.db.QueryRowContext(ctx, "SELECT `values`, created_at FROM goadmin_session WHERE sid = ? ORDER BY id DESC LIMIT 1", ck.Value).
		Scan(&values, &created)
	if err != nil {
		if strings.Contains(err.Error(), "no rows") {
			return adminSession{}, false, nil
		}
		return adminSession{}, false, err
	}
	var v struct {
		UserID *float64 `json:"user_id"`
	}
	if json.Unmarshal([]byte(values), &v) != nil || v.UserID == nil || *v.UserID <= 0 {
		return adminSession{}, false, nil
	}
	s := adminSession{sid: ck.Value, userID: int64(*v.UserID)}
	var ok bool
	if s.created, ok = parseDBTime(created); !ok || g.now().Sub(s.created) > g.ttl {
		return adminSession{}, false, g.endSession(ctx, s.sid)
	}
	return s, true, nil
}

// endSession deletes one session row.
func (g *guard) endSession(ctx stdctx.Context, sid string) error {
	_, err := g.db.ExecContext(ctx, "DELETE FROM goadmin_session WHERE sid = ?", sid)
	return err
}

// parseDBTime reads a TIMESTAMP column as the drivers hand it over (UTC:
// SQLite's CURRENT_TIMESTAMP, MySQL with time_zone '+00:00').
func parseDBTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), true
	case []byte:
		return parseDBTime(string(t))
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04:05.999999999", time.RFC3339Nano,
			"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05"} {
			if p, err := time.ParseInLocation(layout, t, time.UTC); err == nil {
				return p.UTC(), true
			}
		}
	}
	return time.Time{}, false
}

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
