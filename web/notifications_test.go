package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/policies"
	"github.com/parleyhq/parley/ratelimit"
	"github.com/parleyhq/parley/web"
)

// mailEnv is the API and the unsubscribe page over a service with
// presence and the app secret.
func mailEnv(t *testing.T, st *models.Store) (*env, *fakePresence) {
	e := newEnv(t, st)
	pol, _ := policies.New()
	rdb, prefix := storetest.Redis(t)
	p := &fakePresence{on: map[string]bool{}}
	e.svc = inbox.New(st, pol, e.clock, ratelimit.NewLimiter(rdb, prefix), inbox.WithPresence(p), inbox.WithSecret([]byte("app-secret")))
	r := gin.New()
	web.NewAPI(e.svc, e.acc).Register(r)
	web.RegisterUnsubscribe(r, e.svc)
	e.h = r
	return e, p
}

// fakePresence is an in-memory inbox.Presence (mail.Presence is Redis's).
type fakePresence struct {
	mu sync.Mutex
	on map[string]bool
}

func (p *fakePresence) Touch(_ context.Context, kind models.ActorKind, id int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.on[string(kind)+itoa(id)] = true
	return nil
}

func (p *fakePresence) Online(_ context.Context, kind models.ActorKind, id int64) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.on[string(kind)+itoa(id)], nil
}

// TestNotificationsAPI: staff list their notifications with the unread
// count; customers see unread badges per conversation; opening the thread
// reads them; the heartbeat marks the caller online.
func TestNotificationsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		e, presence := mailEnv(t, st)
		ctx := context.Background()
		alice, aliceTok := e.customer(t, "alice@example.com")
		agent, agentTok := e.staff(t, "agent1", models.RoleAgent)
		c := e.start(t, alice, 0, "Where is <i>it</i>?")
		th, err := e.svc.Open(ctx, alice, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.NotifyNewMessage(ctx, th.Messages[0].ID); err != nil {
			t.Fatal(err)
		}
		r := e.do(t, "GET", "/api/v1/staff/notifications", agentTok, nil)
		if r.Code != http.StatusOK || r.num("unread") != 1 || r.str("items.0.subject") != "Where is <i>it</i>?" ||
			r.num("items.0.conversation_id") != c.ID || r.get("items.0.read") != false {
			t.Fatalf("staff notifications: %d %s", r.Code, r.Body)
		}
		for _, bad := range []string{"?limit=0", "?limit=101", "?limit=01", "?limit=1&limit=2", "?x=1"} {
			if r := e.do(t, "GET", "/api/v1/staff/notifications"+bad, agentTok, nil); r.Code != http.StatusBadRequest {
				t.Errorf("%s: %d", bad, r.Code)
			}
		}
		if r := e.do(t, "GET", "/api/v1/staff/notifications", "", nil); r.Code != http.StatusUnauthorized {
			t.Errorf("anonymous: %d", r.Code)
		}
		// The agent opens the thread: read.
		if r := e.do(t, "GET", idURL("/api/v1/staff/conversations", c.ID, ""), agentTok, nil); r.Code != http.StatusOK {
			t.Fatal(r.Body)
		}
		if r := e.do(t, "GET", "/api/v1/staff/notifications", agentTok, nil); r.num("unread") != 0 || r.get("items.0.read") != true {
			t.Fatalf("after opening: %s", r.Body)
		}
		// A staff reply: the customer's badge.
		m, _, err := e.svc.Send(ctx, agent, c.ID, models.KindReply, "Today.")
		if err != nil {
			t.Fatal(err)
		}
		e.svc.NotifyNewMessage(ctx, m.ID)
		if r := e.do(t, "GET", "/api/v1/conversations", aliceTok, nil); r.num("items.0.unread") != 1 {
			t.Fatalf("customer list: %s", r.Body)
		}
		if r := e.do(t, "GET", "/api/v1/notifications", aliceTok, nil); r.num("unread") != 1 {
			t.Fatalf("customer notifications: %s", r.Body)
		}
		e.do(t, "GET", idURL("/api/v1/conversations", c.ID, ""), aliceTok, nil)
		if r := e.do(t, "GET", "/api/v1/conversations", aliceTok, nil); r.num("items.0.unread") != 0 {
			t.Fatalf("customer list after opening: %s", r.Body)
		}
		// Heartbeats.
		for _, tc := range []struct {
			path, tok string
			kind      models.ActorKind
			id        int64
		}{{"/api/v1/presence", aliceTok, models.ActorCustomer, alice.ID}, {"/api/v1/staff/presence", agentTok, models.ActorStaff, agent.ID}} {
			if on, _ := presence.Online(ctx, tc.kind, tc.id); on {
				t.Fatalf("%s online before any heartbeat", tc.kind)
			}
			if r := e.do(t, "POST", tc.path, tc.tok, nil); r.Code != http.StatusNoContent {
				t.Fatalf("%s: %d %s", tc.path, r.Code, r.Body)
			}
			if on, _ := presence.Online(ctx, tc.kind, tc.id); !on {
				t.Fatalf("%s not online after the heartbeat", tc.kind)
			}
		}
		if r := e.do(t, "POST", "/api/v1/presence", "", nil); r.Code != http.StatusUnauthorized {
			t.Errorf("anonymous heartbeat: %d", r.Code)
		}
	})
}

// TestUnsubscribeLink: the signed link works without login or Origin,
// GET only asks, POST (one-click) turns that customer's e-mails off, and a
// token cannot be moved to another customer.
func TestUnsubscribeLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		e, _ := mailEnv(t, st)
		ctx := context.Background()
		alice, _ := e.customer(t, "alice@example.com")
		bob, _ := e.customer(t, "bob@example.com")
		link := web.UnsubscribePath + "?c=" + itoa(alice.ID) + "&t=" + e.svc.UnsubscribeToken(alice.ID)
		off := func(id int64) bool { v, _ := st.CustomerUnsubscribed(ctx, id); return v }
		send := func(method, url, body string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(method, url, strings.NewReader(body))
			if body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, req)
			return w
		}
		g := send("GET", link, "")
		if g.Code != http.StatusOK || !strings.Contains(g.Body.String(), `<form method="post"`) || off(alice.ID) {
			t.Fatalf("GET: %d %s (unsubscribed=%v)", g.Code, g.Body, off(alice.ID))
		}
		// Bob's id with Alice's token, a changed token, extra parameters.
		for _, bad := range []string{
			web.UnsubscribePath + "?c=" + itoa(bob.ID) + "&t=" + e.svc.UnsubscribeToken(alice.ID),
			web.UnsubscribePath + "?c=" + itoa(alice.ID) + "&t=" + strings.Repeat("0", 64),
			link + "&x=1",
		} {
			if w := send("POST", bad, "List-Unsubscribe=One-Click"); w.Code != http.StatusNotFound {
				t.Errorf("POST %s: %d", bad, w.Code)
			}
		}
		if off(alice.ID) || off(bob.ID) {
			t.Fatal("a bad link unsubscribed someone")
		}
		p := send("POST", link, "List-Unsubscribe=One-Click")
		if p.Code != http.StatusOK || !off(alice.ID) || off(bob.ID) {
			t.Fatalf("POST: %d %s; alice off=%v bob off=%v", p.Code, p.Body, off(alice.ID), off(bob.ID))
		}
		if p := send("POST", link, "List-Unsubscribe=One-Click"); p.Code != http.StatusOK {
			t.Fatalf("a second POST: %d", p.Code)
		}
	})
}
