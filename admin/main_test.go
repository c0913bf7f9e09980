package admin_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/hibiken/asynq"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/alicebob/miniredis/v2"
	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/admin"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/migrations"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
	"github.com/parleyhq/parley/ratelimit"
)

// The suite shares one engine on one store: GoAdmin keeps process globals.
// With PARLEY_TEST_MYSQL_URL set it runs on a fresh MySQL database instead
// of SQLite (CI runs the package once per mode).
var env struct {
	srv     *httptest.Server
	store   *models.Store
	svc     *inbox.Service
	bus     *live.Bus
	acc     *inbox.Accounts
	hash    string
	backend string
	logs    *syncBuffer // the guard's log, text format
	pol     *policies.Enforcer
	files   string // the attachments directory
	// presence and mailbox: admin/bell_test.go.
	presence *fakePresence
	mailbox  *fakeMailbox
	jobs     asynq.RedisConnOpt // the job queue's Redis (admin/dashboard_test.go)
}

// syncBuffer is a log sink the tests read.
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

const password = "correct-horse-battery"

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "admin tests:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	ctx := context.Background()
	var cfg models.DB
	var err error
	cleanup := func() {}
	if raw := os.Getenv("PARLEY_TEST_MYSQL_URL"); raw != "" {
		env.backend = "mysql"
		cfg, cleanup, err = freshMySQL(raw)
	} else {
		env.backend = "sqlite"
		dir, derr := os.MkdirTemp("", "parley-admin-test-")
		if derr != nil {
			return 0, derr
		}
		defer os.RemoveAll(dir)
		cfg, err = models.ParseDatabaseURL("", dir)
	}
	if err != nil {
		return 0, err
	}
	defer cleanup()
	st, err := models.Open(ctx, cfg)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	if err := st.Migrate(ctx, migrations.FS); err != nil {
		return 0, err
	}
	pol, err := policies.New()
	if err != nil {
		return 0, err
	}
	rdb, err := testRedis()
	if err != nil {
		return 0, err
	}
	defer rdb.Close()
	lim := ratelimit.NewLimiter(rdb, "test:admin:"+randomHex(6)+":")
	env.store = st
	filesDir, err := os.MkdirTemp("", "parley-admin-files-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(filesDir)
	files, err := media.NewDir(filesDir)
	if err != nil {
		return 0, err
	}
	env.files = filesDir
	env.presence = &fakePresence{on: map[int64]bool{}}
	env.mailbox = &fakeMailbox{}
	env.bus = live.New(rdb, "test:admin:"+randomHex(6)+":")
	busCtx, stopBus := context.WithCancel(ctx)
	defer stopBus()
	if _, err := env.bus.Start(busCtx); err != nil {
		return 0, err
	}
	env.svc = inbox.New(st, pol, inbox.SystemClock{}, lim, inbox.WithFiles(files), inbox.WithPresence(env.presence), inbox.WithPublisher(env.bus))
	env.acc = inbox.NewAccounts(st, pol, inbox.SystemClock{}, lim, []byte("test-secret"), time.Hour)
	if env.hash, err = inbox.HashPassword(password); err != nil {
		return 0, err
	}

	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(gin.Recovery())
	env.logs = &syncBuffer{}
	env.pol = pol
	var sink io.Writer = env.logs
	if os.Getenv("PARLEY_TEST_LOG") != "" {
		sink = io.MultiWriter(env.logs, os.Stderr)
	}
	log := slog.New(slog.NewTextHandler(sink, nil))
	env.jobs = jobsRedis(rdb)
	if err := admin.Mount(r, admin.Deps{Svc: env.svc, Acc: env.acc, Policies: pol, DB: cfg, Log: log, SessionTTL: time.Hour,
		Jobs: env.jobs, Mailbox: env.mailbox, Bus: env.bus}); err != nil {
		return 0, err
	}
	env.srv = httptest.NewServer(r)
	defer env.srv.Close()
	defer env.bus.CloseStreams() // first: the server's Close waits for open streams
	fmt.Fprintln(os.Stderr, "admin tests on", env.backend)
	defer stopBrowser() // the browser tests' shared Chromium (browser_test.go)
	return m.Run(), nil
}

func testRedis() (redis.UniversalClient, error) {
	if u := os.Getenv("PARLEY_TEST_REDIS_URL"); u != "" {
		opt, err := redis.ParseURL(u)
		if err != nil {
			return nil, err
		}
		return redis.NewClient(opt), nil
	}
	mr := miniredis.NewMiniRedis()
	mr.ClockTTL(true)
	if err := mr.Start(); err != nil {
		return nil, err
	}
	return redis.NewClient(&redis.Options{Addr: mr.Addr()}), nil
}

// freshMySQL creates a uniquely named database next to the one in raw.
func freshMySQL(raw string) (models.DB, func(), error) {
	u, err := url.Parse(raw)
	if err != nil {
		return models.DB{}, nil, err
	}
	base, err := models.ParseDatabaseURL(raw, "")
	if err != nil {
		return models.DB{}, nil, err
	}
	db, err := sql.Open("mysql", base.DSN)
	if err != nil {
		return models.DB{}, nil, err
	}
	name := strings.TrimPrefix(u.Path, "/") + "_admin_" + randomHex(4)
	if _, err := db.Exec("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		db.Close()
		return models.DB{}, nil, err
	}
	cleanup := func() {
		db.Exec("DROP DATABASE IF EXISTS `" + name + "`")
		db.Close()
	}
	u.Path = "/" + name
	cfg, err := models.ParseDatabaseURL(u.String(), "")
	if err != nil {
		cleanup()
		return models.DB{}, nil, err
	}
	return cfg, cleanup, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

var seq atomic.Int64

// newStaff creates a staff user with a unique name and the shared password.
func newStaff(t *testing.T, role string) models.Staff {
	t.Helper()
	name := fmt.Sprintf("%s%d", strings.ReplaceAll(role, "_", ""), seq.Add(1))
	st, err := env.acc.CreateStaff(context.Background(), models.System, name, role, name+"@example.com", env.hash)
	if err != nil {
		t.Fatalf("create staff: %v", err)
	}
	return st
}

func actorOf(s models.Staff) models.Actor {
	return models.Actor{Kind: models.ActorStaff, ID: s.ID, Role: s.Role, Name: s.Username}
}

// newConversation starts a conversation as a new customer.
func newConversation(t *testing.T, subject, body string) models.Conversation {
	t.Helper()
	ctx := context.Background()
	n := seq.Add(1)
	cu, err := env.acc.CreateCustomer(ctx, fmt.Sprintf("cust%d-%s@example.com", n, randomHex(3)), fmt.Sprintf("Customer %d", n), "")
	if err != nil {
		t.Fatalf("create customer: %v", err)
	}
	c, _, err := env.svc.Start(ctx, models.Actor{Kind: models.ActorCustomer, ID: cu.ID, Role: models.RoleCustomer, Name: cu.Email},
		inbox.StartInput{Subject: subject, Body: body})
	if err != nil {
		t.Fatalf("start conversation: %v", err)
	}
	return c
}

// takenBy starts a conversation assigned to s.
func takenBy(t *testing.T, s models.Staff, subject string) models.Conversation {
	t.Helper()
	c := newConversation(t, subject, "hello")
	c, err := env.svc.Take(context.Background(), actorOf(s), c.ID)
	if err != nil {
		t.Fatalf("take: %v", err)
	}
	return c
}

// client is a browser-like client: a cookie jar, no redirects followed,
// and a same-origin Origin header on state-changing requests unless a test
// sets its own headers.
type client struct {
	t    *testing.T
	http *http.Client
	jar  *cookiejar.Jar
}

func newClient(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, jar: jar, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	*http.Response
	body string
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("not JSON (%d): %.300s", r.StatusCode, r.body)
	}
	return m
}

func (r response) doc(t *testing.T) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (c *client) do(req *http.Request, hdr map[string]string) response {
	c.t.Helper()
	if stateChangingMethod(req.Method) {
		req.Header.Set("Origin", env.srv.URL)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res, string(b)}
}

func stateChangingMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.srv.URL+path, nil)
	return c.do(req, nil)
}

func (c *client) post(path string, form url.Values, hdr map[string]string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, env.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req, hdr)
}

func (c *client) postMultipart(path string, fields url.Values, hdr map[string]string) response {
	c.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, env.srv.URL+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req, hdr)
}

// login signs in through POST /admin/signin and checks it worked.
func login(t *testing.T, s models.Staff) *client {
	t.Helper()
	c := newClient(t)
	res := c.post("/admin/signin", url.Values{"username": {s.Username}, "password": {password}}, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign in %s: %d %s", s.Username, res.StatusCode, res.body)
	}
	return c
}

func (c *client) sessionCookie() *http.Cookie {
	u, _ := url.Parse(env.srv.URL + "/admin/")
	for _, ck := range c.jar.Cookies(u) {
		if ck.Name == "go_admin_session" {
			return ck
		}
	}
	return nil
}

// listIDs reads the conversation ids of the list page's rows.
func listIDs(t *testing.T, res response) map[int64]bool {
	t.Helper()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("list: %d %.500s", res.StatusCode, res.body)
	}
	ids := map[int64]bool{}
	res.doc(t).Find("a.conv-subject").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		u, err := url.Parse(href)
		if err != nil {
			t.Fatalf("bad link %q", href)
		}
		var id int64
		fmt.Sscan(u.Query().Get("__goadmin_edit_pk"), &id)
		ids[id] = true
	})
	return ids
}

func editPath(id int64) string {
	return fmt.Sprintf("/admin/info/conversation/edit?__goadmin_edit_pk=%d", id)
}

// editForm loads a conversation's edit page and returns the form fields a
// browser would post (hidden inputs and token included).
func (c *client) editForm(id int64) url.Values {
	c.t.Helper()
	res := c.get(editPath(id))
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("edit page %d: %d %.300s", id, res.StatusCode, res.body)
	}
	vals := url.Values{}
	form := res.doc(c.t).Find("form").FilterFunction(func(_ int, s *goquery.Selection) bool {
		a, _ := s.Attr("action")
		return strings.Contains(a, "/edit/conversation")
	}).First()
	if form.Length() == 0 {
		c.t.Fatalf("edit page %d has no edit form: %.2000s", id, res.body)
	}
	form.Find("input[name], textarea[name], select[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		typ, _ := s.Attr("type")
		if (typ == "radio" || typ == "checkbox") && s.AttrOr("checked", "-") == "-" {
			return
		}
		if s.Is("select") {
			vals.Set(name, s.Find("option[selected]").AttrOr("value", ""))
			return
		}
		if s.Is("textarea") {
			vals.Set(name, s.Text())
			return
		}
		vals.Set(name, s.AttrOr("value", ""))
	})
	return vals
}
