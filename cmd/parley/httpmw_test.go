package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/policies"
	"github.com/parleyhq/parley/ratelimit"
	"github.com/parleyhq/parley/web"
)

// edgeRouter is newRouter's middleware, API and fallbacks without the back
// office (GoAdmin allows one engine per test binary; TestServeDemo checks
// the whole router).
func edgeRouter(t *testing.T, log *slog.Logger) http.Handler {
	t.Helper()
	st := storetest.Open(t, storetest.Backends()[0])
	pol, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	rdb, prefix := storetest.Redis(t)
	lim := ratelimit.NewLimiter(rdb, prefix)
	svc := inbox.New(st, pol, inbox.SystemClock{}, lim)
	acc := inbox.NewAccounts(st, pol, inbox.SystemClock{}, lim, []byte("test-secret"), time.Hour)
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(accessLog(log), recovery(log), securityHeaders)
	web.NewAPI(svc, acc).Register(r)
	r.GET("/", func(c *gin.Context) { c.Redirect(http.StatusFound, backOffice) })
	r.GET("/boom", func(c *gin.Context) { panic("boom") })
	// Like GoAdmin, answers with the request's X-Request-ID.
	r.GET("/echo-id", func(c *gin.Context) { c.String(http.StatusOK, c.Request.Header.Get(requestIDHeader)) })
	r.NoRoute(notFound)
	return r
}

func serveOnce(h http.Handler, method, target, body string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// TestSecurityHeaders: every answer carries nosniff, a referrer policy,
// framing rules and a CSP; API answers are no-store and frame nothing;
// "/" leads to the back office and unknown pages are a 404 page.
func TestSecurityHeaders(t *testing.T) {
	h := edgeRouter(t, discardLog())
	cases := []struct {
		name, path string
		status     int
		api        bool
	}{
		{"api error", "/api/v1/nothing", http.StatusNotFound, true},
		{"api auth", "/api/v1/me", http.StatusUnauthorized, true},
		{"root", "/", http.StatusFound, false},
		{"unknown page", "/no/such/page", http.StatusNotFound, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := serveOnce(h, "GET", tc.path, "", nil)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			hd := w.Header()
			if hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Referrer-Policy") == "" || hd.Get("X-Frame-Options") == "" {
				t.Errorf("missing headers: %v", hd)
			}
			csp := hd.Get("Content-Security-Policy")
			for _, want := range []string{"object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if tc.api {
				if hd.Get("Cache-Control") != "no-store" || !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
					t.Errorf("API answer headers: %v", hd)
				}
			}
		})
	}
	if w := serveOnce(h, "GET", "/", "", nil); w.Header().Get("Location") != "/admin/dashboard/conversation" {
		t.Errorf("/ leads to %q", w.Header().Get("Location"))
	}
	w := serveOnce(h, "GET", "/no/such/page", "", nil)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(w.Body.String(), "Page not found") {
		t.Errorf("404 page: %s %q", ct, w.Body)
	}
}

// TestAccessLog: one line per request with its request id; a refusal is
// INFO with its code and no stack, a failure is ERROR.
func TestAccessLog(t *testing.T) {
	var buf syncBuffer
	h := edgeRouter(t, slog.New(slog.NewTextHandler(&buf, nil)))

	w := serveOnce(h, "POST", "/api/v1/auth/login", `{"email":1}`, map[string]string{"X-Request-ID": "req-42", "Content-Type": "application/json"})
	if w.Code != http.StatusBadRequest {
		t.Fatalf("status %d", w.Code)
	}
	if w.Header().Get("X-Request-ID") != "req-42" {
		t.Errorf("X-Request-ID %q, want the caller's", w.Header().Get("X-Request-ID"))
	}
	line := buf.String()
	for _, want := range []string{"level=INFO", "request_id=req-42", "status=400", "code=invalid", "path=/api/v1/auth/login"} {
		if !strings.Contains(line, want) {
			t.Errorf("log lacks %q: %s", want, line)
		}
	}
	if strings.Count(line, "\n") != 1 || strings.Contains(line, "ERROR") || strings.Contains(line, "goroutine") {
		t.Errorf("a refusal must be one INFO line without stack:\n%s", line)
	}

	w = serveOnce(h, "GET", "/api/v1/me", "", map[string]string{"X-Request-ID": "bad id with spaces"})
	if id := w.Header().Get("X-Request-ID"); id == "" || strings.Contains(id, " ") {
		t.Errorf("generated X-Request-ID %q", id)
	}

	// A handler behind the log (GoAdmin) sees the same id the log records.
	w = serveOnce(h, "GET", "/echo-id", "", nil)
	if id := w.Header().Get("X-Request-ID"); id == "" || w.Body.String() != id || !strings.Contains(buf.String(), "request_id="+id) {
		t.Errorf("handler saw %q, answer says %q", w.Body.String(), id)
	}

	w = serveOnce(h, "GET", "/boom", "", nil)
	if w.Code != http.StatusInternalServerError || !strings.Contains(buf.String(), "level=ERROR") {
		t.Errorf("panic: %d, log:\n%s", w.Code, buf.String())
	}
}
