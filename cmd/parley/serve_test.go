package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

// syncBuffer collects a server's output while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe runs `parley serve --demo` in the background until the test
// ends. GoAdmin allows one engine per process: one call per test binary.
func startServe(t *testing.T, env map[string]string) (base string, out *syncBuffer) {
	t.Helper()
	addr := freeAddr(t)
	env["PARLEY_ADDR"] = addr
	if env["PARLEY_DATA_DIR"] == "" {
		env["PARLEY_DATA_DIR"] = t.TempDir()
	}
	env["PARLEY_DEMO_PASSWORD"] = "demo-pass-123"
	ctx, cancel := context.WithCancel(context.Background())
	out = &syncBuffer{}
	var runErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		runErr = run(ctx, []string{"serve", "--demo"}, func(k string) string { return env[k] }, strings.NewReader(""), out, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
			if runErr != nil {
				t.Errorf("serve ended with %v", runErr)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not shut down within 30 s")
		}
	})
	base = "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-done:
			t.Fatalf("serve stopped early: %v\n%s", runErr, out.String())
		default:
		}
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base, out
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within 60 s\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func postJSON(t *testing.T, url, token string, body any) (*http.Response, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

func getJSON(t *testing.T, url, token string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, map[string]any) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	return res, m
}

// TestServeDemo starts the binary's serve command on the embedded defaults
// (and on MySQL + Redis when the test URLs are set) and checks the demo
// store as a new user would meet it.
func TestServeDemo(t *testing.T) {
	env := testEnv(t)
	base, out := startServe(t, env)
	banner := out.String()
	wantMode := "embedded mode"
	if env["PARLEY_DATABASE_URL"] != "" {
		wantMode = "serving from mysql"
	}
	for _, want := range []string{wantMode, "/admin/dashboard/conversation", "demo-pass-123", "agent1", "alice@example.com"} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}

	t.Run("browser", func(t *testing.T) { browserFlow(t, base, env) })

	res, _ := getJSON(t, base+"/healthz", "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", res.StatusCode)
	}

	// Staff: each agent has recent threads of their own; chatadmin sees every status.
	statusSeen := map[string]int{}
	for _, user := range []string{"agent1", "agent2", "chatadmin"} {
		res, body := postJSON(t, base+"/api/v1/staff/auth/login", "", map[string]string{"username": user, "password": "demo-pass-123"})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s login: %d %v", user, res.StatusCode, body)
		}
		token, _ := body["token"].(string)
		res, body = getJSON(t, base+"/api/v1/staff/conversations?assigned_to=me&limit=100", token)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s list: %d %v", user, res.StatusCode, body)
		}
		items, _ := body["items"].([]any)
		if len(items) == 0 {
			t.Fatalf("%s has no conversations of their own", user)
		}
		newest, _ := time.Parse(time.RFC3339, items[0].(map[string]any)["last_message_at"].(string))
		if time.Since(newest) > 3*24*time.Hour {
			t.Errorf("%s's newest thread is from %s: not recent", user, newest)
		}
		if user == "chatadmin" {
			cursor := ""
			for {
				url := base + "/api/v1/staff/conversations?limit=100"
				if cursor != "" {
					url += "&cursor=" + cursor
				}
				_, body := getJSON(t, url, token)
				for _, it := range body["items"].([]any) {
					statusSeen[it.(map[string]any)["status"].(string)]++
				}
				next, _ := body["next_cursor"].(string)
				if next == "" {
					break
				}
				cursor = next
			}
		}
	}
	total := 0
	for _, s := range models.Statuses {
		if statusSeen[string(s)] == 0 {
			t.Errorf("demo has no %s conversation: %v", s, statusSeen)
		}
		total += statusSeen[string(s)]
	}
	if total < 200 {
		t.Errorf("demo has %d conversations, want at least 200", total)
	}

	// Customers: alice logs in and sees her own threads.
	res, body := postJSON(t, base+"/api/v1/auth/login", "", map[string]string{"email": "alice@example.com", "password": "demo-pass-123"})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("alice login: %d %v", res.StatusCode, body)
	}
	res, body = getJSON(t, base+"/api/v1/conversations", body["token"].(string))
	if n := len(body["items"].([]any)); res.StatusCode != http.StatusOK || n == 0 {
		t.Fatalf("alice's list: %d, %d items", res.StatusCode, n)
	}
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// testEnv is the environment of a test run: embedded mode, or a fresh MySQL
// database and the test Redis when PARLEY_TEST_MYSQL_URL is set.
func testEnv(t *testing.T) map[string]string {
	t.Helper()
	env := map[string]string{"PARLEY_DATA_DIR": t.TempDir()}
	if u := storetest.FreshMySQLURL(t); u != "" {
		if storetest.RedisURL() == "" {
			t.Fatal("PARLEY_TEST_MYSQL_URL needs PARLEY_TEST_REDIS_URL too")
		}
		env["PARLEY_DATABASE_URL"] = u
		env["PARLEY_REDIS_URL"] = storetest.RedisURL()
		env["PARLEY_SECRET"] = strings.Repeat("s", 40)
		env["PARLEY_SECURE_COOKIES"] = "false" // tests serve plain http, not behind TLS
	}
	return env
}
