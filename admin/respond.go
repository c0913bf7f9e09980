package admin

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
)

// contentSecurityPolicy is as strict as GoAdmin's adminlte pages allow:
// their scripts and styles are inline, so 'unsafe-inline' stays; nothing
// loads from elsewhere, no plugins, no <base>, forms post here only, and
// only this site may frame the back office.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; " +
	"form-action 'self'; frame-ancestors 'self'"

// setSecurityHeaders sets the back office's headers; they replace any a
// global middleware set earlier. Signed-in pages are never cached.
func setSecurityHeaders(h http.Header, noStore bool) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	if noStore {
		h.Set("Cache-Control", "no-store")
	}
}

// domainFail answers an error with its code's status (models.HTTPStatus,
// the API's table) and its own message; anything unexpected is logged and
// answered as an internal error.
func (g *guard) domainFail(c *gin.Context, err error) {
	e := models.AsError(err)
	if e == nil || e.Code == models.EINTERNAL {
		g.log.Error("admin request", "path", c.Request.URL.Path, "err", err)
		g.fail(c, http.StatusInternalServerError, "internal error")
		return
	}
	switch e.Code {
	case models.ERATELIMITED:
		if e.RetryAfter > 0 {
			c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
		}
	case models.EUNAVAILABLE:
		retry := e.RetryAfter
		if retry <= 0 {
			retry = 5
		}
		c.Header("Retry-After", strconv.Itoa(retry))
		g.log.Warn("admin request: dependency unavailable", "path", c.Request.URL.Path, "err", err)
	}
	g.fail(c, models.HTTPStatus(e.Code), e.Message)
}

// wantsHTML reports whether a refusal should be a page rather than JSON:
// a plain browser GET.
func wantsHTML(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		!strings.Contains(r.Header.Get("Accept"), "application/json") && r.Header.Get("X-Requested-With") == ""
}

// fail answers a refusal: JSON {"code","msg"} (what GoAdmin's scripts read)
// for Ajax and non-GET requests, else Parley's page. Refusals (4xx) are
// expected: logged at INFO, without a stack.
func (g *guard) fail(c *gin.Context, status int, msg string) {
	c.Set(ctxAnswered, true)
	if status < http.StatusInternalServerError {
		g.log.Info("admin refused", "method", c.Request.Method, "path", c.Request.URL.Path, "status", status, "msg", msg)
	}
	if wantsHTML(c.Request) {
		c.Data(status, "text/html; charset=utf-8", errorPage(status, msg))
	} else {
		c.JSON(status, gin.H{"code": status, "msg": msg})
	}
	c.Abort()
}

// finish fixes up a held response and sends it: security headers, hardened
// cookies, local redirects only, no error details, a proper 404 page, the
// page's own status, a safe next URL after sign-in.
func (g *guard) finish(c *gin.Context, bw *bufferedWriter, rt Route) {
	h := bw.Header()
	if rt.Kind == kindSignin {
		g.checkSignin(c, bw)
	}
	g.hardenCookies(h)
	setSecurityHeaders(h, rt.Role != "" || rt.Kind == kindSignin)
	if loc := h.Get("Location"); loc != "" && !safeAdminPath(loc) && loc != LoginPath && loc != "/admin" {
		h.Set("Location", LoginPath)
	}
	if v, ok := c.Get(ctxStatus); ok && bw.Status() == http.StatusOK {
		bw.status = v.(int)
	}
	g.applyOutcome(c, bw)
	switch {
	case bw.Status() >= 500: // hole 10
		g.log.Error("admin error response", "path", c.Request.URL.Path, "status", bw.Status(), "body", truncate(bw.body.String(), 500))
		g.replaceBody(c, bw, http.StatusInternalServerError, "internal error")
	case bw.Status() == http.StatusNotFound && !c.GetBool(ctxAnswered):
		// A route of the table whose handler found nothing (or gin's plain
		// "404 page not found"): Parley's page instead.
		g.replaceBody(c, bw, http.StatusNotFound, "This page does not exist.")
	}
	if rt.Kind == kindSignin && bw.Status() == http.StatusOK {
		var resp map[string]any
		if json.Unmarshal(bw.body.Bytes(), &resp) == nil {
			if data, ok := resp["data"].(map[string]any); ok {
				if u, _ := data["url"].(string); !safeAdminPath(u) {
					data["url"] = IndexPath
					b, _ := json.Marshal(resp)
					bw.body.Reset()
					bw.body.Write(b)
					h.Del("Content-Length")
				}
			}
		}
	}
	bw.flush()
}

// applyOutcome gives a refusal that GoAdmin answered 200 the status of its
// domain code (models.HTTPStatus, as the API): an Ajax action's JSON gets
// that status and code, a re-rendered edit form that status. A pjax form
// post keeps 200: jquery-pjax drops any other answer instead of showing it,
// which would lose the message and the kept draft.
func (g *guard) applyOutcome(c *gin.Context, bw *bufferedWriter) {
	v, ok := c.Get(ctxOutcome)
	if !ok || bw.Status() != http.StatusOK {
		return
	}
	out := v.(*tables.Outcome)
	if out.Code == "" {
		return
	}
	status := models.HTTPStatus(out.Code)
	h := bw.Header()
	if strings.Contains(h.Get("Content-Type"), "json") {
		var resp map[string]any
		if json.Unmarshal(bw.body.Bytes(), &resp) != nil {
			return
		}
		resp["code"] = status
		b, _ := json.Marshal(resp)
		bw.body.Reset()
		bw.body.Write(b)
		h.Del("Content-Length")
		bw.status = status
		switch out.Code {
		case models.ERATELIMITED:
			h.Set("Retry-After", strconv.Itoa(max(out.RetryAfter, 1)))
		case models.EUNAVAILABLE:
			h.Set("Retry-After", "5")
		}
		return
	}
	if c.GetHeader("X-PJAX") == "" {
		bw.status = status
	}
}

// replaceBody swaps a held body for Parley's own answer of status.
func (g *guard) replaceBody(c *gin.Context, bw *bufferedWriter, status int, msg string) {
	h := bw.Header()
	ct := h.Get("Content-Type")
	bw.body.Reset()
	bw.status = status
	if strings.Contains(ct, "json") || !wantsHTML(c.Request) {
		h.Set("Content-Type", "application/json; charset=utf-8")
		b, _ := json.Marshal(gin.H{"code": status, "msg": msg})
		bw.body.Write(b)
	} else {
		h.Set("Content-Type", "text/html; charset=utf-8")
		bw.body.Write(errorPage(status, msg))
	}
	h.Del("Content-Length")
}
