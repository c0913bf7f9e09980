package admin

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
)

func TestHardenCookiesSecure(t *testing.T) {
	g := &guard{secure: true}
	h := http.Header{}
	h.Add("Set-Cookie", "go_admin_session=abc; Path=/; Max-Age=3600; HttpOnly")
	g.hardenCookies(h)
	ck, err := http.ParseSetCookie(h.Get("Set-Cookie"))
	if err != nil {
		t.Fatal(err)
	}
	if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Value != "abc" || ck.MaxAge != 3600 {
		t.Errorf("cookie: %+v", ck)
	}
}

// A GoAdmin 5xx (its handlers answer panics and SQL errors with the raw
// message) reaches the client as a generic error.
func TestFinishHidesServerErrors(t *testing.T) {
	g := &guard{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, tc := range []struct{ ct, body string }{
		{"application/json", `{"code":500,"msg":"Error 1064: You have an error in your SQL syntax near 'x'"}`},
		{"text/html", `<pre>panic: runtime error: invalid memory address goroutine 1 [running]</pre>`},
	} {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest(http.MethodGet, "/admin/info/conversation", nil)
		bw := newBufferedWriter(c.Writer)
		bw.Header().Set("Content-Type", tc.ct)
		bw.WriteHeader(http.StatusInternalServerError)
		bw.WriteString(tc.body)
		g.finish(c, bw, Route{Kind: kindList, Role: models.RoleAgent})
		out := rec.Body.String()
		if rec.Code != http.StatusInternalServerError || strings.Contains(out, "SQL") || strings.Contains(out, "goroutine") {
			t.Errorf("%s: %d %s", tc.ct, rec.Code, out)
		}
		if strings.Contains(tc.ct, "json") {
			var m map[string]any
			if json.Unmarshal([]byte(out), &m) != nil || m["msg"] != "internal error" {
				t.Errorf("json body %s", out)
			}
		}
	}
}

// A panic behind the guard reaches the client as a generic error: the
// request goes through the real guard (g.handle), whose recovery answers it.
func TestPanicInAdminRouteIsGeneric(t *testing.T) {
	var logs strings.Builder
	g := &guard{log: slog.New(slog.NewTextHandler(&logs, nil))}
	r := gin.New()
	r.Use(g.handle)
	r.GET(LoginPath, func(*gin.Context) { panic("sql: database is locked at SELECT * FROM goadmin_users") })
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, LoginPath, nil))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "goadmin_users") {
		t.Errorf("%d %s", rec.Code, rec.Body.String())
	}
	if !strings.Contains(rec.Body.String(), "parley-error") || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("not Parley's error page: %v %s", rec.Header(), rec.Body.String())
	}
	if !strings.Contains(logs.String(), "admin panic") {
		t.Errorf("panic not logged: %s", logs.String())
	}
}

func TestSafeAdminPath(t *testing.T) {
	for s, want := range map[string]bool{
		"/admin/info/conversation": true, "/admin/dashboard/conversation": true, "/admin/info/conversation?x=1": true,
		"javascript:alert(1)": false, "//evil/admin/": false, "/admin/../etc": false, "/admin\\x": false,
		"https://evil/admin/": false, "/adminx": false, `/admin/"onload=`: false, "": false,
	} {
		if got := safeAdminPath(s); got != want {
			t.Errorf("safeAdminPath(%q) = %v", s, got)
		}
	}
}

// Item 19: a dependency that is down answers 503 with Retry-After, in JSON
// for Ajax and as Parley's page for a browser GET.
func TestUnavailableIs503(t *testing.T) {
	g := &guard{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, tc := range []struct{ method, ct string }{{http.MethodPost, "application/json"}, {http.MethodGet, "text/html"}} {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest(tc.method, "/admin/info/conversation", nil)
		g.domainFail(c, models.Errorf(models.EUNAVAILABLE, "the database is not answering"))
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Header().Get("Content-Type"), tc.ct) {
			t.Errorf("%s: %d %v", tc.method, rec.Code, rec.Header())
		}
	}
}

// Item 7: a global header middleware runs first; the guard's values win on
// /admin.
func TestGuardHeadersWin(t *testing.T) {
	g := &guard{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	r := gin.New()
	r.Use(func(c *gin.Context) {
		c.Header("X-Frame-Options", "DENY")
		c.Header("Content-Security-Policy", "default-src 'none'")
		c.Header("Referrer-Policy", "no-referrer")
		c.Next()
	}, g.handle)
	r.GET(LoginPath, func(c *gin.Context) { c.String(http.StatusOK, "login") })
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, LoginPath, nil))
	if h := rec.Header(); h.Get("X-Frame-Options") != "SAMEORIGIN" || h.Get("Content-Security-Policy") != contentSecurityPolicy || h.Get("Referrer-Policy") != "same-origin" {
		t.Errorf("headers %v", h)
	}
}

// Item 14: GoAdmin's own error log (a refused form as ERROR with a stack)
// is off; the guard logs.
func TestGoAdminErrorLogOff(t *testing.T) {
	cfg, err := goadminConfig(Deps{DB: models.DB{Dialect: models.SQLite, DSN: "file:x"}})
	if err != nil || !cfg.ErrorLogOff || !cfg.OperationLogOff {
		t.Errorf("%v %+v", err, cfg)
	}
}
