package web_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// TestGuestTypingAlicesEmailSeesNothingOfHers: a guest's e-mail is a
// contact field; giving alice's signs nobody in and shows nothing of hers.
func TestGuestTypingAlicesEmailSeesNothingOfHers(t *testing.T) {
	eachIdent(t, func(t *testing.T, e *env, _ string) {
		alice, aliceTok := e.customer(t, "alice@example.com")
		mine := e.do(t, "POST", "/api/v1/conversations", aliceTok, map[string]any{"subject": "Alice's order", "body": "private"})
		if mine.Code != 201 {
			t.Fatalf("alice starts: %d %s", mine.Code, mine.Body)
		}
		g := e.do(t, "POST", "/api/v1/auth/guest", "", map[string]string{"name": "Alice?", "email": "ALICE@example.com"})
		if g.Code != 201 || g.num("customer.id") == alice.ID {
			t.Fatalf("guest: %d %s", g.Code, g.Body)
		}
		tok := g.str("token")
		e.run(t, []scenario{
			{Name: "guest lists", Method: "GET", URL: "/api/v1/conversations", Token: tok, ExpectedStatus: 200,
				Check: func(t *testing.T, r response) {
					if len(r.list("items")) != 0 {
						t.Errorf("the guest lists conversations: %s", r.Body)
					}
				}},
			{Name: "guest opens alice's", Method: "GET", URL: idURL("/api/v1/conversations", mine.num("conversation.id"), ""), Token: tok, ExpectedStatus: 404},
			{Name: "guest writes to alice's", Method: "POST", URL: idURL("/api/v1/conversations", mine.num("conversation.id"), "/messages"), Token: tok,
				Body: map[string]string{"body": "hi"}, ExpectedStatus: 404},
			{Name: "guest is a guest", Method: "GET", URL: "/api/v1/me", Token: tok, ExpectedStatus: 200,
				Check: func(t *testing.T, r response) {
					if r.num("id") == alice.ID {
						t.Errorf("me is alice: %s", r.Body)
					}
				}},
		})
		// A second guest with the same e-mail is fine (never unique), and
		// alice's password still signs in alice only.
		if g2 := e.do(t, "POST", "/api/v1/auth/guest", "", map[string]string{"email": "alice@example.com"}); g2.Code != 201 {
			t.Fatalf("second guest with the same e-mail: %d %s", g2.Code, g2.Body)
		}
		e.customerLogin(t, "alice@example.com")
		// The guest's own conversation works, and it is a guest's.
		st := e.do(t, "POST", "/api/v1/conversations", tok, map[string]any{"subject": "Guest question", "body": "hello"})
		if st.Code != 201 {
			t.Fatalf("guest starts: %d %s", st.Code, st.Body)
		}
		// Guests never get CSV, not even of their own conversation (R15).
		if r := e.do(t, "GET", idURL("/api/v1/conversations", st.num("conversation.id"), "/export.csv"), tok, nil); r.Code != 403 && r.Code != 404 {
			t.Errorf("guest CSV export: %d %s", r.Code, r.Body)
		}
		m, err := e.st.MessageByID(context.Background(), st.num("message.id"))
		if err != nil || m.AuthorType != models.ActorGuest {
			t.Errorf("guest message author %q (%v)", m.AuthorType, err)
		}
	})
}

// TestGuestSessionsPerAddress: at most a few new guest sessions per client
// address per hour; the answer says when to retry.
func TestGuestSessionsPerAddress(t *testing.T) {
	eachIdent(t, func(t *testing.T, e *env, _ string) {
		for i := 0; i < inbox.GuestSessionsPerAddress; i++ {
			if r := e.do(t, "POST", "/api/v1/auth/guest", "", nil); r.Code != 201 {
				t.Fatalf("guest %d: %d %s", i+1, r.Code, r.Body)
			}
		}
		r := e.do(t, "POST", "/api/v1/auth/guest", "", nil)
		if r.Code != 429 || r.Header.Get("Retry-After") == "" {
			t.Fatalf("guest over the limit: %d %s", r.Code, r.Body)
		}
		var guests int
		e.st.DB.QueryRow(`SELECT COUNT(*) FROM customers WHERE is_guest = 1`).Scan(&guests)
		if guests != inbox.GuestSessionsPerAddress {
			t.Errorf("%d guests stored, want %d", guests, inbox.GuestSessionsPerAddress)
		}
		// Another address is not affected.
		req := httptest.NewRequest("POST", "/api/v1/auth/guest", strings.NewReader(`{"name":"Other"}`))
		req.RemoteAddr = "198.51.100.7:1234"
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, req)
		if w.Code != 201 {
			t.Errorf("guest from another address: %d %s", w.Code, w.Body)
		}
		// Bad input is refused naming the field.
		if r := e.do(t, "POST", "/api/v1/auth/guest", "", map[string]string{"email": "nope"}); r.Code != 400 || !strings.Contains(r.str("error.message"), "email") {
			t.Errorf("bad guest e-mail: %d %s", r.Code, r.Body)
		}
	})
}

// TestRemoveIdleGuests: guests without a conversation go after a day; a
// guest with one, a younger guest and customers stay.
func TestRemoveIdleGuests(t *testing.T) {
	eachIdent(t, func(t *testing.T, e *env, _ string) {
		ctx := context.Background()
		idle := e.do(t, "POST", "/api/v1/auth/guest", "", map[string]string{"name": "Idle"})
		talker := e.do(t, "POST", "/api/v1/auth/guest", "", map[string]string{"name": "Talker"})
		e.do(t, "POST", "/api/v1/conversations", talker.str("token"), map[string]any{"subject": "Q", "body": "hello"})
		e.customer(t, "carol@example.com")
		e.clock.Advance(inbox.GuestIdleAfter + time.Minute)
		young := e.do(t, "POST", "/api/v1/auth/guest", "", map[string]string{"name": "Young"})
		n, err := e.svc.RemoveIdleGuests(ctx, inbox.GuestIdleAfter)
		if err != nil || n != 1 {
			t.Fatalf("removed %d (%v), want 1", n, err)
		}
		for _, c := range []struct {
			r    response
			want int
		}{{idle, 0}, {talker, 1}, {young, 1}} {
			var got int
			e.st.DB.QueryRow(`SELECT COUNT(*) FROM customers WHERE id = ?`, c.r.num("customer.id")).Scan(&got)
			if got != c.want {
				t.Errorf("guest %s: %d rows, want %d", c.r.str("customer.name"), got, c.want)
			}
		}
		if r := e.do(t, "GET", "/api/v1/me", idle.str("token"), nil); r.Code != 401 {
			t.Errorf("a removed guest's token: %d", r.Code)
		}
		var customers int
		e.st.DB.QueryRow(`SELECT COUNT(*) FROM customers WHERE is_guest = 0`).Scan(&customers)
		if customers != 1 {
			t.Errorf("%d customers left, want 1", customers)
		}
	})
}
