package admin_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/models"
)

// jobsRedis is the job monitor's Redis in the test server: the same Redis
// as the rate limits.
func jobsRedis(rdb redis.UniversalClient) asynq.RedisConnOpt {
	o := rdb.(*redis.Client).Options()
	return asynq.RedisClientOpt{Addr: o.Addr, Password: o.Password, DB: o.DB}
}

var scriptTag = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// TestJobMonitor: admins use asynqmon at /admin/jobs, chat admins only see
// it (read-only UI, mutations refused), agents are refused; its page runs
// under a CSP that allows its own inline scripts by hash only.
func TestJobMonitor(t *testing.T) {
	agent := login(t, newStaff(t, models.RoleAgent))
	chat := login(t, newStaff(t, models.RoleChatAdmin))
	adm := login(t, newStaff(t, models.RoleAdmin))

	for _, p := range []string{"/admin/jobs", "/admin/jobs/api/queues", "/admin/jobs/static/js/2.83624df2.chunk.js"} {
		if res := agent.get(p); res.StatusCode != http.StatusForbidden {
			t.Errorf("agent GET %s: %d, want 403", p, res.StatusCode)
		}
	}
	for _, c := range []struct {
		cl       *client
		readOnly string
	}{{chat, `"true"`}, {adm, `"false"`}} {
		res := c.cl.get("/admin/jobs")
		if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "window.FLAG_READ_ONLY="+c.readOnly) {
			t.Fatalf("GET /admin/jobs: %d %s", res.StatusCode, scriptTag.FindString(res.body))
		}
		csp := res.Header.Get("Content-Security-Policy")
		scriptSrc := ""
		for _, d := range strings.Split(csp, ";") {
			if d = strings.TrimSpace(d); strings.HasPrefix(d, "script-src ") {
				scriptSrc = d
			}
		}
		if scriptSrc == "" || strings.Contains(scriptSrc, "unsafe-inline") || strings.Contains(csp, "http") {
			t.Errorf("CSP %q", csp)
		}
		scripts := scriptTag.FindAllStringSubmatch(res.body, -1)
		if len(scripts) == 0 {
			t.Fatal("no inline scripts to check")
		}
		for _, s := range scripts {
			sum := sha256.Sum256([]byte(s[1]))
			if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(scriptSrc, h) {
				t.Errorf("inline script not allowed by %q", scriptSrc)
			}
		}
		js := c.cl.get("/admin/jobs/static/js/2.83624df2.chunk.js")
		if js.StatusCode != http.StatusOK || !strings.HasPrefix(js.Header.Get("Content-Type"), "application/javascript") {
			t.Errorf("script asset: %d %s", js.StatusCode, js.Header.Get("Content-Type"))
		}
		api := c.cl.get("/admin/jobs/api/queues")
		if api.StatusCode != http.StatusOK {
			t.Errorf("GET api/queues: %d %.200s", api.StatusCode, api.body)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, env.srv.URL+"/admin/jobs/api/queues/default:pause", nil)
	if res := chat.do(req, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("chat admin pausing a queue: %d, want 403", res.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodDelete, env.srv.URL+"/admin/jobs/api/queues/nosuch", nil)
	if res := chat.do(req, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("chat admin deleting a queue: %d, want 403", res.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodDelete, env.srv.URL+"/admin/jobs/api/queues/nosuch", nil)
	if res := adm.do(req, nil); res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusMethodNotAllowed {
		t.Errorf("admin deleting a queue: %d, want asynqmon's answer", res.StatusCode)
	}
	// A cross-site mutation is refused before asynqmon sees it.
	req, _ = http.NewRequest(http.MethodPost, env.srv.URL+"/admin/jobs/api/queues/default:pause", nil)
	if res := adm.do(req, map[string]string{"Origin": "https://evil.example"}); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site pause: %d, want 403", res.StatusCode)
	}
}
