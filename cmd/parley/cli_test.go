package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/web"
)

func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, io.Discard)
	return out.String(), err
}

func TestConfigRefusesHalfProduction(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"database without redis", map[string]string{"PARLEY_DATABASE_URL": "mysql://u@127.0.0.1:1/db", "PARLEY_SECRET": strings.Repeat("x", 32)}, "PARLEY_REDIS_URL is not"},
		{"redis without database", map[string]string{"PARLEY_REDIS_URL": "redis://127.0.0.1:1/0", "PARLEY_SECRET": strings.Repeat("x", 32)}, "PARLEY_DATABASE_URL is not"},
		{"no secret", map[string]string{"PARLEY_DATABASE_URL": "mysql://u@127.0.0.1:1/db", "PARLEY_REDIS_URL": "redis://127.0.0.1:1/0"}, "PARLEY_SECRET"},
		{"short secret", map[string]string{"PARLEY_DATABASE_URL": "mysql://u@127.0.0.1:1/db", "PARLEY_REDIS_URL": "redis://127.0.0.1:1/0", "PARLEY_SECRET": "short"}, "PARLEY_SECRET"},
		{"bad ttl", map[string]string{"PARLEY_TOKEN_TTL": "forever"}, "PARLEY_TOKEN_TTL"},
		{"bad database scheme", map[string]string{"PARLEY_DATABASE_URL": "postgres://x/y", "PARLEY_REDIS_URL": "redis://127.0.0.1:1/0", "PARLEY_SECRET": strings.Repeat("x", 32)}, "unsupported scheme"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.env["PARLEY_DATA_DIR"] = t.TempDir()
			_, err := runCLI(t, c.env, "", "serve")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, c.want)
			}
		})
	}
}

func TestUserCommands(t *testing.T) {
	env := testEnv(t)
	if out, err := runCLI(t, env, "", "migrate"); err != nil || !strings.Contains(out, "migrations applied") {
		t.Fatalf("migrate: %q %v", out, err)
	}
	if out, err := runCLI(t, env, "s3cret-pass\n", "user", "create", "--username", "maria", "--role", "chat_admin"); err != nil || !strings.Contains(out, "created staff user maria") {
		t.Fatalf("create: %q %v", out, err)
	}
	if _, err := runCLI(t, env, "s3cret-pass\n", "user", "create", "--username", "maria", "--role", "agent"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate create: %v", err)
	}
	if _, err := runCLI(t, env, "s3cret-pass\n", "user", "create", "--username", "x1", "--role", "superuser"); err == nil || !strings.Contains(err.Error(), "role must be one of") {
		t.Fatalf("bad role: %v", err)
	}
	for _, bad := range []string{"Maria", "mária", "ma ria"} {
		if _, err := runCLI(t, env, "s3cret-pass\n", "user", "create", "--username", bad, "--role", "agent"); err == nil || !strings.Contains(err.Error(), "a-z") {
			t.Fatalf("username %q: %v", bad, err)
		}
	}
	if _, err := runCLI(t, env, "", "user", "create", "--username", "x2", "--role", "agent"); err == nil || !strings.Contains(err.Error(), "stdin") {
		t.Fatalf("no password: %v", err)
	}
	if _, err := runCLI(t, env, "short\n", "user", "create", "--username", "x3", "--role", "agent"); err == nil || !strings.Contains(err.Error(), "at least 8") {
		t.Fatalf("short password: %v", err)
	}
	if out, err := runCLI(t, env, "", "user", "list"); err != nil || !strings.Contains(out, "maria") || !strings.Contains(out, "chat_admin") {
		t.Fatalf("list: %q %v", out, err)
	}
	if _, err := runCLI(t, env, "n3w-password\n", "user", "set-password", "--username", "maria"); err != nil {
		t.Fatalf("set-password: %v", err)
	}
	if _, err := runCLI(t, env, "n3w-password\n", "user", "set-password", "--username", "nobody"); err == nil {
		t.Fatal("set-password of an unknown user succeeded")
	}

	// Deactivation revokes a live API token at once.
	base := apiServer(t, env)
	res, body := postJSON(t, base+"/api/v1/staff/auth/login", "", map[string]string{"username": "maria", "password": "n3w-password"})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("login: %d %v", res.StatusCode, body)
	}
	token := body["token"].(string)
	if res, _ := getJSON(t, base+"/api/v1/staff/me", token); res.StatusCode != http.StatusOK {
		t.Fatalf("me before deactivation: %d", res.StatusCode)
	}
	if out, err := runCLI(t, env, "", "user", "deactivate", "--username", "maria"); err != nil || !strings.Contains(out, "deactivated") {
		t.Fatalf("deactivate: %q %v", out, err)
	}
	if res, _ := getJSON(t, base+"/api/v1/staff/me", token); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("me after deactivation: %d, want 401", res.StatusCode)
	}
	if res, _ := postJSON(t, base+"/api/v1/staff/auth/login", "", map[string]string{"username": "maria", "password": "n3w-password"}); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("login after deactivation: %d, want 401", res.StatusCode)
	}
}

func TestDemoSeedsOnce(t *testing.T) {
	env := testEnv(t)
	env["PARLEY_DEMO_PASSWORD"] = "demo-pass-123"
	ctx := context.Background()
	cfg, err := parseConfig("serve", []string{"--demo"}, func(k string) string { return env[k] }, serveFlags)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false} {
		rt, err := newRuntime(ctx, cfg, discardLog())
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if _, err := seedDemo(ctx, rt, &out); err != nil {
			t.Fatal(err)
		}
		n, err := rt.store.CountCustomers(ctx)
		rt.close()
		if err != nil || n < 52 {
			t.Fatalf("start %d: %d customers, %v", i, n, err)
		}
		if seeded := strings.Contains(out.String(), "seeded"); seeded != want {
			t.Fatalf("start %d: seeded=%v, want %v", i, seeded, want)
		}
	}
}

func TestVersion(t *testing.T) {
	if out, err := runCLI(t, map[string]string{}, "", "version"); err != nil || !strings.HasPrefix(out, "parley ") {
		t.Fatalf("version: %q %v", out, err)
	}
	if _, err := runCLI(t, map[string]string{}, "", "frobnicate"); err == nil {
		t.Fatal("unknown command accepted")
	}
}

// apiServer serves the JSON API (no back office: one GoAdmin engine per
// test binary belongs to TestServeDemo) on the runtime env configures.
func apiServer(t *testing.T, env map[string]string) string {
	t.Helper()
	cfg, err := parseConfig("serve", nil, func(k string) string { return env[k] }, serveFlags)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := newRuntime(context.Background(), cfg, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.close() })
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	web.NewAPI(rt.svc, rt.acc).Register(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL
}

// `user set-password` ends every API token and back-office session of that
// user, and no one else's (issue 5, item 3).
func TestSetPasswordEndsSessions(t *testing.T) {
	env := testEnv(t)
	for _, u := range []string{"maria", "omar"} {
		if _, err := runCLI(t, env, "s3cret-pass\n", "user", "create", "--username", u, "--role", "agent"); err != nil {
			t.Fatalf("create %s: %v", u, err)
		}
	}
	base := apiServer(t, env)
	login := func(user, pw string) (int, string) {
		res, body := postJSON(t, base+"/api/v1/staff/auth/login", "", map[string]string{"username": user, "password": pw})
		tok, _ := body["token"].(string)
		return res.StatusCode, tok
	}
	_, mariaTok := login("maria", "s3cret-pass")
	_, omarTok := login("omar", "s3cret-pass")

	cfg, err := parseConfig("user", nil, func(k string) string { return env[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ids := map[string]int64{}
	for _, u := range []string{"maria", "omar"} {
		s, _, err := st.StaffCredentials(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		ids[u] = s.ID
	}
	for sid, user := range map[string]string{"maria-desk": "maria", "maria-phone": "maria", "omar-desk": "omar"} {
		if _, err := st.DB.ExecContext(ctx, "INSERT INTO goadmin_session (sid, `values`) VALUES (?, ?)",
			sid, fmt.Sprintf(`{"user_id":%d}`, ids[user])); err != nil {
			t.Fatal(err)
		}
	}

	if out, err := runCLI(t, env, "n3w-password\n", "user", "set-password", "--username", "maria"); err != nil || !strings.Contains(out, "password of maria changed") {
		t.Fatalf("set-password: %q %v", out, err)
	}
	if res, _ := getJSON(t, base+"/api/v1/staff/me", mariaTok); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("maria's token after set-password: %d, want 401", res.StatusCode)
	}
	if res, _ := getJSON(t, base+"/api/v1/staff/me", omarTok); res.StatusCode != http.StatusOK {
		t.Errorf("omar's token after maria's set-password: %d, want 200", res.StatusCode)
	}
	var sids []string
	rows, err := st.DB.QueryContext(ctx, "SELECT sid FROM goadmin_session ORDER BY sid")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var sid string
		rows.Scan(&sid)
		sids = append(sids, sid)
	}
	rows.Close()
	if fmt.Sprint(sids) != "[omar-desk]" {
		t.Errorf("back-office sessions left %v; want [omar-desk]", sids)
	}
	if code, _ := login("maria", "s3cret-pass"); code != http.StatusUnauthorized {
		t.Errorf("old password: %d", code)
	}
	if code, _ := login("maria", "n3w-password"); code != http.StatusOK {
		t.Errorf("new password: %d", code)
	}
}

// The in-process Redis of embedded mode takes a password drawn at each
// start; Parley's own clients (go-redis, Asynq) have it, nothing else does
// (issue 5, item 8).
func TestEmbeddedRedisNeedsPassword(t *testing.T) {
	env := map[string]string{"PARLEY_DATA_DIR": t.TempDir()}
	cfg, err := parseConfig("serve", nil, func(k string) string { return env[k] }, serveFlags)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rt, err := newRuntime(ctx, cfg, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	defer rt.close()
	if rt.mini == nil {
		t.Fatal("no in-process Redis in embedded mode")
	}
	for name, pw := range map[string]string{"no password": "", "wrong password": "guess"} {
		c := redis.NewClient(&redis.Options{Addr: rt.mini.Addr(), Password: pw, MaxRetries: -1})
		err := c.Set(ctx, "k", "v", 0).Err()
		c.Close()
		if err == nil {
			t.Errorf("%s: a client wrote to the in-process Redis", name)
		}
	}
	if err := rt.redis.Ping(ctx).Err(); err != nil {
		t.Errorf("go-redis client: %v", err)
	}
	if _, err := rt.asynq.Enqueue(asynq.NewTask("test:ping", nil)); err != nil {
		t.Errorf("asynq client: %v", err)
	}
	insp := asynq.NewInspector(rt.redisOpt)
	defer insp.Close()
	if _, err := insp.Queues(); err != nil {
		t.Errorf("asynq RedisClientOpt (workers, scheduler): %v", err)
	}

	rt2, err := newRuntime(ctx, cfg, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	defer rt2.close()
	if len(rt.redisPassword) < 32 || rt.redisPassword == rt2.redisPassword {
		t.Errorf("passwords %q and %q: want long and drawn anew at each start", rt.redisPassword, rt2.redisPassword)
	}
}
