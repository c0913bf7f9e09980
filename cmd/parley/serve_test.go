package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
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
// ends or stop is called (stop cancels run's context, as SIGTERM does, and
// returns run's error). GoAdmin allows one engine per process: one call per
// test binary.
func startServe(t *testing.T, env map[string]string) (base string, out *syncBuffer, stop func() error) {
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
	stop = func() error {
		cancel()
		select {
		case <-done:
			return runErr
		case <-time.After(30 * time.Second):
			return errors.New("serve did not shut down within 30 s")
		}
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve ended with %v", err)
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
				return base, out, stop
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
	env["PARLEY_DRAIN_DELAY"] = "1s"
	env["PARLEY_MAIL_WINDOW"] = "1s"
	// A shop on another origin embeds the widget (browser_portal_test.go).
	env["PARLEY_WIDGET_ORIGINS"] = startShop(t)
	env["PARLEY_IDENTITY_SECRET"] = shopSecret
	base, out, stop := startServe(t, env)
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

	t.Run("mail history", func(t *testing.T) { demoHistorySendsNothing(t, base) })
	// Browser flows run once per CI run, in the embedded pass: they check
	// pages, not the backend (and the MySQL pass's server shares the test
	// Redis, where per-address limits such as new guest sessions outlive
	// one run).
	if os.Getenv("PARLEY_TEST_MYSQL_URL") == "" {
		t.Run("browser", func(t *testing.T) { browserFlow(t, base, env) })
	}
	t.Run("mail", func(t *testing.T) { demoMailFlow(t, base) })

	res, _ := getJSON(t, base+"/healthz", "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", res.StatusCode)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if hr, err := http.Head(base + p); err != nil || hr.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s: %v %v", p, hr, err)
		} else {
			hr.Body.Close()
		}
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
	aliceToken := body["token"].(string)
	res, body = getJSON(t, base+"/api/v1/conversations", aliceToken)
	if n := len(body["items"].([]any)); res.StatusCode != http.StatusOK || n == 0 {
		t.Fatalf("alice's list: %d, %d items", res.StatusCode, n)
	}
	aliceConv := int64(body["items"].([]any)[0].(map[string]any)["id"].(float64))

	t.Run("edge", func(t *testing.T) { checkEdge(t, base) })
	t.Run("SIGTERM drains", func(t *testing.T) { checkDrain(t, base, aliceToken, aliceConv, stop) })
}

// checkEdge: the whole router answers with the security headers, leads
// "/" to the back office and has a 404 page.
func checkEdge(t *testing.T, base string) {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		path   string
		status int
	}{{"/", http.StatusFound}, {"/no/such/page", http.StatusNotFound}, {"/api/v1/me", http.StatusUnauthorized}, {"/admin/login", http.StatusOK}} {
		res, err := client.Get(base + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.path, res.StatusCode, tc.status)
		}
		h := res.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") == "" || !strings.Contains(h.Get("Content-Security-Policy"), "object-src 'none'") ||
			h.Get("X-Request-ID") == "" {
			t.Errorf("%s: headers %v", tc.path, h)
		}
	}
}

// checkDrain (item 13): on SIGTERM /readyz turns 503 at once, a request in
// flight finishes, an open event stream ends cleanly (issue 9: it would
// otherwise hold the shutdown until the grace cuts it), and serve returns
// nil.
func checkDrain(t *testing.T, base, token string, conv int64, stop func() error) {
	req, err := http.NewRequest("GET", base+"/api/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	events, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer events.Body.Close()
	if events.StatusCode != http.StatusOK {
		t.Fatalf("event stream: %d", events.StatusCode)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"body":"sent while the server stops"}`
	fmt.Fprintf(conn, "POST /api/v1/conversations/%d/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		conv, token, len(body), body[:10])
	time.Sleep(100 * time.Millisecond) // the request is in flight, its body half sent

	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	deadline := time.Now().Add(900 * time.Millisecond)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusServiceUnavailable {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("readyz did not turn 503 during the drain delay")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // past the drain delay: the listener is closed now
	fmt.Fprint(conn, body[10:])
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Errorf("in-flight request answered %d", res.StatusCode)
	}
	if err := <-stopped; err != nil {
		t.Errorf("serve returned %v", err)
	}
	if _, err := io.ReadAll(events.Body); err != nil {
		t.Errorf("the event stream did not end cleanly on shutdown: %v", err)
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
