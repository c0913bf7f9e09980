package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/policies"
	"github.com/parleyhq/parley/ratelimit"
	"github.com/parleyhq/parley/web"
)

const password = "correct horse battery"

// passwordHash is bcrypt'd once for the whole test binary (bcrypt is slow).
var passwordHash = sync.OnceValues(func() (string, error) { return inbox.HashPassword(password) })

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

// clock is a wall clock the test can move forward (token expiry).
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// env is the real router over real backends.
type env struct {
	st    *models.Store // for assertions only: writes go through the API or svc
	svc   *inbox.Service
	acc   *inbox.Accounts
	clock *clock
	h     http.Handler
	files string // the attachments directory
	bus   *live.Bus
	api   *web.API
	// node builds a second node on the same database and Redis: its own
	// event bus, service and router.
	node func(t *testing.T) http.Handler
}

// each runs f on every backend (SQLite, and MySQL when configured) with a
// fresh store, a fresh Redis key space and the real router.
func each(t *testing.T, f func(t *testing.T, e *env)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		f(t, newEnv(t, st))
	})
}

func newEnv(t *testing.T, st *models.Store) *env {
	t.Helper()
	pol, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	rdb, prefix := storetest.Redis(t)
	lim := ratelimit.NewLimiter(rdb, prefix)
	clk := &clock{}
	e := &env{clock: clk, st: st, files: t.TempDir()}
	dir, err := media.NewDir(e.files)
	if err != nil {
		t.Fatal(err)
	}
	e.bus = live.New(rdb, prefix)
	ctx, cancel := context.WithCancel(context.Background())
	wait, err := e.bus.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); wait() })
	e.svc = inbox.New(st, pol, clk, lim, inbox.WithFiles(dir), inbox.WithPublisher(e.bus))
	e.acc = inbox.NewAccounts(st, pol, clk, lim, []byte("test-secret"), time.Hour)
	r := gin.New()
	e.api = web.NewAPI(e.svc, e.acc).WithEvents(e.bus)
	e.api.Register(r)
	e.node = func(t *testing.T) http.Handler {
		bus := live.New(rdb, prefix)
		ctx, cancel := context.WithCancel(context.Background())
		wait, err := bus.Start(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cancel(); wait() })
		svc := inbox.New(st, pol, clk, lim, inbox.WithFiles(dir), inbox.WithPublisher(bus))
		r := gin.New()
		web.NewAPI(svc, inbox.NewAccounts(st, pol, clk, lim, []byte("test-secret"), time.Hour)).WithEvents(bus).Register(r)
		return r
	}
	e.h = r
	return e
}

func mustHash(t *testing.T) string {
	t.Helper()
	h, err := passwordHash()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// customer registers a customer and logs in through the API.
func (e *env) customer(t *testing.T, email string) (models.Actor, string) {
	t.Helper()
	c, err := e.acc.CreateCustomer(context.Background(), email, "Name of "+email, mustHash(t))
	if err != nil {
		t.Fatal(err)
	}
	r := e.do(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
	if r.Code != http.StatusOK {
		t.Fatalf("customer login: %d %s", r.Code, r.Body)
	}
	return models.Actor{Kind: models.ActorCustomer, ID: c.ID, Role: models.RoleCustomer, Name: c.Email}, r.str("token")
}

// staff creates a staff user and logs in through the API.
func (e *env) staff(t *testing.T, username, role string) (models.Actor, string) {
	t.Helper()
	s, err := e.acc.CreateStaff(context.Background(), models.System, username, role, username+"@shop.test", mustHash(t))
	if err != nil {
		t.Fatal(err)
	}
	r := e.do(t, "POST", "/api/v1/staff/auth/login", "", map[string]string{"username": username, "password": password})
	if r.Code != http.StatusOK {
		t.Fatalf("staff login: %d %s", r.Code, r.Body)
	}
	return models.Actor{Kind: models.ActorStaff, ID: s.ID, Role: role, Name: username}, r.str("token")
}

// start opens a conversation through the service as a (customer, staff or
// system) actor; customerID is read for staff and system.
func (e *env) start(t *testing.T, a models.Actor, customerID int64, subject string) models.Conversation {
	t.Helper()
	c, _, err := e.svc.Start(context.Background(), a, inbox.StartInput{CustomerID: customerID, Subject: subject, Body: "first message of " + subject})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) setStatus(t *testing.T, id int64, s models.Status) {
	t.Helper()
	if _, err := e.svc.ChangeStatus(context.Background(), models.System, id, s, ""); err != nil {
		t.Fatal(err)
	}
}

func (e *env) assign(t *testing.T, id int64, to *int64) {
	t.Helper()
	if _, err := e.svc.Assign(context.Background(), models.System, id, to); err != nil {
		t.Fatal(err)
	}
}

// response is a recorded answer with its decoded JSON.
type response struct {
	Code   int
	Header http.Header
	Body   string
	JSON   any
}

// do sends one request; body is a string (sent raw), nil, or marshalled.
func (e *env) do(t testing.TB, method, url, token string, body any) response {
	t.Helper()
	auth := ""
	if token != "" {
		auth = "Bearer " + token
	}
	return e.doAuth(t, method, url, auth, body)
}

// doAuth sends one request with a raw Authorization header.
func (e *env) doAuth(t testing.TB, method, url, authorization string, body any) response {
	t.Helper()
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
		rd = bytes.NewReader(nil)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, url, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	r := response{Code: w.Code, Header: w.Header(), Body: w.Body.String()}
	if w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), &r.JSON); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %v: %q", method, url, err, r.Body)
		}
	}
	return r
}

// get walks a dotted path (object keys and array indexes) in the JSON.
func (r response) get(path string) any {
	v := r.JSON
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func (r response) str(path string) string { s, _ := r.get(path).(string); return s }

func (r response) num(path string) int64 { f, _ := r.get(path).(float64); return int64(f) }

func (r response) list(path string) []any { l, _ := r.get(path).([]any); return l }

// ids lists the "id" of each element of the array at path.
func (r response) ids(path string) []int64 {
	var out []int64
	for _, it := range r.list(path) {
		if m, ok := it.(map[string]any); ok {
			f, _ := m["id"].(float64)
			out = append(out, int64(f))
		}
	}
	return out
}

// scenario is one API call and what it must answer.
type scenario struct {
	Name            string
	Method, URL     string
	Token           string
	Body            any
	ExpectedStatus  int
	ExpectedCode    string // error.code, for errors
	ExpectedMessage string // exact error.message, when set
	Check           func(t *testing.T, r response)
}

func (e *env) run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, s := range scenarios {
		t.Run(s.Name, func(t *testing.T) {
			r := e.do(t, s.Method, s.URL, s.Token, s.Body)
			if r.Code != s.ExpectedStatus {
				t.Fatalf("%s %s: status %d, want %d: %s", s.Method, s.URL, r.Code, s.ExpectedStatus, r.Body)
			}
			if got := r.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", got)
			}
			if r.Code >= 400 {
				checkErrorShape(t, r)
			}
			if s.ExpectedCode != "" && r.str("error.code") != s.ExpectedCode {
				t.Errorf("error.code %q, want %q: %s", r.str("error.code"), s.ExpectedCode, r.Body)
			}
			if s.ExpectedMessage != "" && r.str("error.message") != s.ExpectedMessage {
				t.Errorf("error.message %q, want %q", r.str("error.message"), s.ExpectedMessage)
			}
			if s.Check != nil {
				s.Check(t, r)
			}
		})
	}
}

// checkErrorShape asserts {"error":{"code","message"}} and nothing else at the top.
func checkErrorShape(t *testing.T, r response) {
	t.Helper()
	top, ok := r.JSON.(map[string]any)
	if !ok || len(top) != 1 {
		t.Fatalf("error body is not {\"error\":…}: %s", r.Body)
	}
	if r.str("error.code") == "" || r.str("error.message") == "" {
		t.Fatalf("error without code or message: %s", r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type %q", ct)
	}
}

func idURL(prefix string, id int64, suffix string) string {
	return prefix + "/" + strconv.FormatInt(id, 10) + suffix
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[int64]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
		if seen[x] < 0 {
			return false
		}
	}
	return true
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
