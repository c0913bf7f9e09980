package inbox_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/policies"
	"github.com/parleyhq/parley/ratelimit"
)

// fakeClock is an inbox.Clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var _ inbox.Clock = (*fakeClock)(nil)

// tokenTTL is the API token lifetime of the test accounts service.
const tokenTTL = 24 * time.Hour

// env is one scenario's world: a fresh store, the service on a fake clock,
// and a cast of staff users of every role.
type env struct {
	t     *testing.T
	ctx   context.Context
	st    *models.Store
	clock *fakeClock
	pol   *policies.Enforcer
	svc   *inbox.Service
	acc   *inbox.Accounts

	owner, admin, chatAdmin, agent, agent2 models.Actor
	seq                                    *atomic.Int64
}

func newEnv(t *testing.T, st *models.Store) *env {
	t.Helper()
	pol, err := policies.New()
	if err != nil {
		t.Fatalf("policies: %v", err)
	}
	rdb, prefix := storetest.Redis(t)
	lim := ratelimit.NewLimiter(rdb, prefix)
	clock := &fakeClock{t: time.Date(2025, 6, 2, 9, 0, 0, 123456789, time.UTC)}
	e := &env{t: t, ctx: context.Background(), st: st, clock: clock, pol: pol, seq: new(atomic.Int64),
		svc: inbox.New(st, pol, clock, lim),
		acc: inbox.NewAccounts(st, pol, clock, lim, []byte("test-secret"), tokenTTL)}
	e.owner = e.MustStaff("owner1", models.RoleOwner)
	e.admin = e.MustStaff("admin1", models.RoleAdmin)
	e.chatAdmin = e.MustStaff("chatadmin1", models.RoleChatAdmin)
	e.agent = e.MustStaff("agent1", models.RoleAgent)
	e.agent2 = e.MustStaff("agent2", models.RoleAgent)
	return e
}

// sub is the same world seen from a subtest, so Must helpers fail the
// subtest that calls them.
func (e *env) sub(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// eachEnv runs f on every backend with a fresh env.
// Scenarios share nothing (own database, own Redis key prefix), so they
// run in parallel.
func eachEnv(t *testing.T, f func(t *testing.T, e *env)) {
	t.Helper()
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *models.Store) { f(t, newEnv(t, st)) })
}

// MustStaff creates a staff user with the password "password-<username>"
// (a real bcrypt hash at the cheapest cost, to keep the suite fast).
func (e *env) MustStaff(username, role string) models.Actor {
	e.t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte("password-"+username), bcrypt.MinCost)
	if err != nil {
		e.t.Fatalf("hash: %v", err)
	}
	hash := string(h)
	st, err := e.acc.CreateStaff(e.ctx, models.System, username, role, username+"@staff.test", hash)
	if err != nil {
		e.t.Fatalf("create staff %s: %v", username, err)
	}
	return models.Actor{Kind: models.ActorStaff, ID: st.ID, Role: role, Name: st.Username}
}

// MustCustomer creates a fresh registered customer without a password.
func (e *env) MustCustomer() models.Actor {
	e.t.Helper()
	email := fmt.Sprintf("customer%d@example.com", e.seq.Add(1))
	c, err := e.acc.CreateCustomer(e.ctx, email, "Customer "+email, "")
	if err != nil {
		e.t.Fatalf("create customer: %v", err)
	}
	return models.Actor{Kind: models.ActorCustomer, ID: c.ID, Role: models.RoleCustomer, Name: c.Email, IP: "198.51.100.1"}
}

// MustOrder gives the customer an order.
func (e *env) MustOrder(customerID int64) int64 {
	e.t.Helper()
	o := models.Order{CustomerID: customerID, Number: fmt.Sprintf("ORD-%d", e.seq.Add(1)), Status: "open",
		TotalCents: 1999, Currency: "EUR", CreatedAt: e.clock.Now().UTC().Truncate(time.Microsecond)}
	if err := e.st.InsertOrder(e.ctx, &o); err != nil {
		e.t.Fatalf("insert order: %v", err)
	}
	return o.ID
}

// MustStart starts a conversation and advances the clock a second.
func (e *env) MustStart(a models.Actor, in inbox.StartInput) models.Conversation {
	e.t.Helper()
	if in.Subject == "" {
		in.Subject = "Question"
	}
	if in.Body == "" {
		in.Body = "Hello, I have a question."
	}
	c, _, err := e.svc.Start(e.ctx, a, in)
	if err != nil {
		e.t.Fatalf("start as %s: %v", a.Name, err)
	}
	e.clock.Advance(time.Second)
	return c
}

// MustCustomerConv has a fresh customer start a conversation (OPEN).
func (e *env) MustCustomerConv() (models.Actor, models.Conversation) {
	e.t.Helper()
	cu := e.MustCustomer()
	return cu, e.MustStart(cu, inbox.StartInput{Subject: "Help", Body: "First message"})
}

// MustConvIn makes a conversation of a fresh customer in the given status,
// driven there by the service itself.
func (e *env) MustConvIn(s models.Status) (models.Actor, models.Conversation) {
	e.t.Helper()
	cu, c := e.MustCustomerConv()
	switch s {
	case models.StatusOpen:
	case models.StatusAwaitingUser:
		e.MustSend(e.chatAdmin, c.ID, models.KindReply, "staff answer")
	case models.StatusAwaitingAdmin:
		e.MustSend(e.chatAdmin, c.ID, models.KindReply, "staff answer")
		e.MustSend(cu, c.ID, models.KindReply, "customer answer")
	case models.StatusEscalated:
		e.MustChangeStatus(e.chatAdmin, c.ID, s, "refund request")
	default:
		e.MustChangeStatus(e.chatAdmin, c.ID, s, "")
	}
	got := e.MustConv(c.ID)
	if got.Status != s {
		e.t.Fatalf("set-up: conversation %d is %s, want %s", c.ID, got.Status, s)
	}
	return cu, got
}

// MustSend sends and advances the clock a second.
func (e *env) MustSend(a models.Actor, id int64, kind, body string) (models.Message, models.Conversation) {
	e.t.Helper()
	m, c, err := e.svc.Send(e.ctx, a, id, kind, body)
	if err != nil {
		e.t.Fatalf("send %s to %d as %s: %v", kind, id, a.Name, err)
	}
	e.clock.Advance(time.Second)
	return m, c
}

func (e *env) MustChangeStatus(a models.Actor, id int64, to models.Status, reason string) models.Conversation {
	e.t.Helper()
	c, err := e.svc.ChangeStatus(e.ctx, a, id, to, reason)
	if err != nil {
		e.t.Fatalf("status of %d to %s as %s: %v", id, to, a.Name, err)
	}
	e.clock.Advance(time.Second)
	return c
}

// MustConv reads a conversation straight from the store.
func (e *env) MustConv(id int64) models.Conversation {
	e.t.Helper()
	c, err := e.st.Conversation(e.ctx, id)
	if err != nil {
		e.t.Fatalf("conversation %d: %v", id, err)
	}
	return c
}

// MustMessages reads a conversation's whole timeline from the store.
func (e *env) MustMessages(id int64) []models.Message {
	e.t.Helper()
	ms, err := e.st.Messages(e.ctx, id, false)
	if err != nil {
		e.t.Fatalf("messages of %d: %v", id, err)
	}
	return ms
}

// count counts rows of a table, optionally with a WHERE clause.
func (e *env) count(table, where string, args ...any) int {
	e.t.Helper()
	q := "SELECT COUNT(*) FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	var n int
	if err := e.st.DB.QueryRowContext(e.ctx, q, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// rows is a snapshot of the row counts a refused call must not change.
type rows struct{ conversations, messages, outbox, audit int }

func (e *env) rows() rows {
	e.t.Helper()
	return rows{e.count("conversations", ""), e.count("messages", ""), e.count("outbox", ""), e.count("audit_log", "")}
}

func (e *env) sameRows(before rows) {
	e.t.Helper()
	if after := e.rows(); after != before {
		e.t.Errorf("rows changed by a refused call: before %+v, after %+v", before, after)
	}
}

// audits lists the audit entries of a subject, oldest first.
func (e *env) audits(subjectType string, id int64) []models.AuditEntry {
	e.t.Helper()
	es, err := e.st.AuditEntries(e.ctx, subjectType, id, 1000)
	if err != nil {
		e.t.Fatalf("audit entries: %v", err)
	}
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	return es
}

// wantCode fails unless err carries the domain code (or is nil for "").
func wantCode(tb testing.TB, err error, code models.Code) {
	tb.Helper()
	if got := models.ErrorCode(err); got != code {
		tb.Fatalf("error = %v (code %q); want code %q", err, got, code)
	}
}

// kinds summarizes a timeline as kind/event/public triples for comparison.
func kinds(ms []models.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = fmt.Sprintf("%s:%s:%v", m.Kind, m.Event, m.Public)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func idOf(p *int64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

// race runs n functions at once, released together by a barrier, and
// returns their errors. The functions run on their own goroutines: they
// return errors for the test to judge and never call the env's Must
// helpers or t.Fatal (FailNow must run on the test's goroutine).
func race(fs ...func() error) []error {
	errs := make([]error, len(fs))
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i, f := range fs {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			errs[i] = f()
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return errs
}
