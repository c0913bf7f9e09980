package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/migrations"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/policies"
	"github.com/parleyhq/parley/ratelimit"
	"github.com/parleyhq/parley/web"
)

// faultEnv is the API and /readyz over a store and a Redis reached through
// proxies the test can cut.
type faultEnv struct {
	h              http.Handler
	db, rd         *proxy // db is nil on SQLite
	svc            *inbox.Service
	acc            *inbox.Accounts
	customerToken  string
	conversationID int64
}

func newFaultEnv(t *testing.T) *faultEnv {
	t.Helper()
	ctx := context.Background()
	fe := &faultEnv{}
	var cfg models.DB
	var err error
	if raw := storetest.FreshMySQLURL(t); raw != "" {
		u, _ := url.Parse(raw)
		fe.db = newProxy(t, u.Host)
		u.Host = fe.db.addr
		cfg, err = models.ParseDatabaseURL(u.String(), "")
	} else {
		cfg, err = models.ParseDatabaseURL("", t.TempDir())
	}
	if err != nil {
		t.Fatal(err)
	}
	st, err := models.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx, migrations.FS); err != nil {
		t.Fatal(err)
	}
	var opt *redis.Options
	if raw := storetest.RedisURL(); raw != "" {
		if opt, err = redis.ParseURL(raw); err != nil {
			t.Fatal(err)
		}
	} else {
		mr := miniredis.RunT(t)
		opt = &redis.Options{Addr: mr.Addr()}
	}
	fe.rd = newProxy(t, opt.Addr)
	opt.Addr = fe.rd.addr
	opt.MaxRetries = -1
	opt.DialTimeout = time.Second
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })

	pol, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	lim := ratelimit.NewLimiter(rdb, "test:faults:"+t.Name()+":")
	fe.svc = inbox.New(st, pol, inbox.SystemClock{}, lim)
	fe.acc = inbox.NewAccounts(st, pol, inbox.SystemClock{}, lim, []byte("test-secret"), time.Hour)
	ready := &readiness{store: st, redis: rdb, log: discardLog(), timeout: 2 * time.Second}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(accessLog(discardLog()), recovery(discardLog()), securityHeaders)
	r.GET("/readyz", ready.handle)
	web.NewAPI(fe.svc, fe.acc).Register(r)
	fe.h = r

	hash, err := inbox.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	c, err := fe.acc.CreateCustomer(ctx, "alice@example.com", "Alice", hash)
	if err != nil {
		t.Fatal(err)
	}
	w := serveOnce(fe.h, "POST", "/api/v1/auth/login", `{"email":"alice@example.com","password":"correct horse battery"}`, map[string]string{"Content-Type": "application/json"})
	var login struct{ Token string }
	json.Unmarshal(w.Body.Bytes(), &login)
	if login.Token == "" {
		t.Fatalf("login: %d %s", w.Code, w.Body)
	}
	fe.customerToken = login.Token
	conv, _, err := fe.svc.Start(ctx, models.Actor{Kind: models.ActorCustomer, ID: c.ID, Role: models.RoleCustomer, Name: c.Email},
		inbox.StartInput{Subject: "hello", Body: "first"})
	if err != nil {
		t.Fatal(err)
	}
	fe.conversationID = conv.ID
	return fe
}

func (fe *faultEnv) readyz(t *testing.T) (int, string) {
	t.Helper()
	w := serveOnce(fe.h, "GET", "/readyz", "", nil)
	return w.Code, strings.TrimSpace(w.Body.String())
}

func (fe *faultEnv) api(t *testing.T, method, path, body string) (int, http.Header, string) {
	t.Helper()
	w := serveOnce(fe.h, method, path, body, map[string]string{"Authorization": "Bearer " + fe.customerToken, "Content-Type": "application/json"})
	return w.Code, w.Header(), w.Body.String()
}

// Item 10: a dependency down is a 503 "unavailable" with Retry-After, never
// a 500; /readyz is 503 without the database and "degraded" (200) without
// Redis, and says nothing more.
func TestDependenciesDown(t *testing.T) {
	fe := newFaultEnv(t)
	msgs := "/api/v1/conversations/" + itoa(fe.conversationID) + "/messages"
	if code, body := fe.readyz(t); code != http.StatusOK || body != `{"status":"ready"}` {
		t.Fatalf("readyz: %d %s", code, body)
	}

	fe.rd.cut()
	if code, body := fe.readyz(t); code != http.StatusOK || body != `{"status":"degraded"}` {
		t.Errorf("readyz without Redis: %d %s", code, body)
	}
	if code, hdr, body := fe.api(t, "POST", msgs, `{"body":"while redis is down"}`); code == http.StatusInternalServerError ||
		(code == http.StatusServiceUnavailable && (hdr.Get("Retry-After") == "" || !strings.Contains(body, `"code":"unavailable"`))) {
		t.Errorf("send without Redis: %d %v %s", code, hdr, body)
	}
	fe.rd.restore()

	if fe.db == nil {
		t.Log("database faults need PARLEY_TEST_MYSQL_URL (SQLite has no connection to cut)")
		return
	}
	fe.db.cut()
	if code, body := fe.readyz(t); code != http.StatusServiceUnavailable || body != `{"status":"unavailable"}` {
		t.Errorf("readyz without the database: %d %s", code, body)
	}
	for _, req := range []struct{ method, path, body string }{
		{"GET", "/api/v1/conversations", ""},
		{"GET", "/api/v1/me", ""},
		{"POST", msgs, `{"body":"while the database is down"}`},
	} {
		code, hdr, body := fe.api(t, req.method, req.path, req.body)
		if code != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" || !strings.Contains(body, `"code":"unavailable"`) {
			t.Errorf("%s %s without the database: %d %v %s", req.method, req.path, code, hdr, body)
		}
	}
	fe.db.restore()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, _, body := fe.api(t, "POST", msgs, `{"body":"after the restart"}`)
		if code == http.StatusCreated {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the database is back: %d %s", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, body := fe.readyz(t); code != http.StatusOK {
		t.Errorf("readyz after the restart: %d %s", code, body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
