package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Item 7: every /admin answer carries the security headers; signed-in
// pages are not cached; unknown paths answer Parley's 404 page.
func TestSecurityHeaders(t *testing.T) {
	agent := newStaff(t, "agent")
	anon := newClient(t)
	cl := login(t, agent)
	check := func(name string, res response, noStore bool) {
		t.Helper()
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'self'", "default-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %s", name, csp, want)
			}
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "SAMEORIGIN" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", name, h)
		}
		if noStore && h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", name, h.Get("Cache-Control"))
		}
	}
	check("login page", anon.get("/admin/login"), false)
	check("asset", anon.get("/admin/assets/dist/js/form.min.4022a41f70.js"), false)
	check("sign-in", newClient(t).post("/admin/signin", url.Values{"username": {agent.Username}, "password": {password}}, nil), true)
	check("list", cl.get("/admin/info/conversation"), true)
	check("profile", cl.get("/admin/profile"), true)
	check("refusal", cl.post("/admin/operation/conversation_resolve", url.Values{"ids": {"1"}}, map[string]string{"Origin": "https://evil.example"}), false)
	check("redirect", anon.get("/admin/info/conversation"), false)

	for _, p := range []string{"/admin/nothing", "/admin/info/conversation/nothing", "/admin/eventz",
		"/admin/info/customer", "/admin/logout/x"} {
		for name, c := range map[string]*client{"signed in": cl, "anonymous": anon} {
			res := c.get(p)
			check(name+" "+p, res, false)
			if res.StatusCode != http.StatusNotFound || !strings.Contains(res.Header.Get("Content-Type"), "text/html") ||
				!strings.Contains(res.body, "Parley") || res.doc(t).Find(".parley-error").Length() != 1 {
				t.Errorf("%s GET %s: %d %s %.200s", name, p, res.StatusCode, res.Header.Get("Content-Type"), res.body)
			}
		}
	}
}

// Item 14: an expected refusal is logged at INFO, without a stack.
func TestRefusalsLogAtInfo(t *testing.T) {
	cl := login(t, newStaff(t, "agent"))
	marker := "/admin/info/conversation?__sort=refusal_marker"
	if res := cl.get(marker); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("%d", res.StatusCode)
	}
	cl.post("/admin/operation/conversation_resolve", url.Values{"ids": {"+1"}}, nil)
	var found bool
	for _, line := range strings.Split(env.logs.String(), "\n") {
		if strings.Contains(line, "level=ERROR") && strings.Contains(line, "admin refused") {
			t.Errorf("refusal at ERROR: %s", line)
		}
		if strings.Contains(line, "admin refused") && strings.Contains(line, "status=400") && strings.Contains(line, "level=INFO") {
			found = true
		}
		if strings.Contains(line, "goroutine ") {
			t.Errorf("stack in the log: %s", line)
		}
	}
	if !found {
		t.Errorf("no INFO line for the refusal:\n%s", env.logs.String())
	}
}
