package inbox_test

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// cheapHash is a real bcrypt hash at the lowest cost (HashPassword's
// validation is covered by TestHashPassword).
func cheapHash(tb testing.TB, password string) string {
	tb.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		tb.Fatal(err)
	}
	return string(h)
}

func TestHashPassword(t *testing.T) {
	for _, tc := range []struct {
		password string
		code     models.Code
	}{
		{"1234567", models.EINVALID},
		{"ééééééé", models.EINVALID},
		{strings.Repeat("a", 73), models.EINVALID},
		{strings.Repeat("é", 37), models.EINVALID}, // 74 bytes
		{"12345678", ""},
	} {
		h, err := inbox.HashPassword(tc.password)
		if models.ErrorCode(err) != tc.code {
			t.Errorf("HashPassword(%d bytes) = %v; want %q", len(tc.password), err, tc.code)
		}
		if err == nil && bcrypt.CompareHashAndPassword([]byte(h), []byte(tc.password)) != nil {
			t.Errorf("hash does not match its password")
		}
	}
}

// wantUnauthorized checks the one unauthorized answer that never varies by cause.
func wantUnauthorized(tb testing.TB, what string, err error) {
	tb.Helper()
	de := models.AsError(err)
	if de == nil || de.Code != models.EUNAUTHORIZED || de.Message != models.MsgUnauthorized {
		tb.Errorf("%s: %v; want unauthorized %q", what, err, models.MsgUnauthorized)
	}
}

func TestLogin(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		hash := cheapHash(t, "correct horse")
		cust, err := e.acc.CreateCustomer(e.ctx, "Ann@Example.com", "Ann", hash)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.acc.CreateCustomer(e.ctx, "nopass@example.com", "No Pass", ""); err != nil {
			t.Fatal(err)
		}

		// Customers.
		s, err := e.acc.CustomerLogin(e.ctx, "  ann@EXAMPLE.com ", "correct horse", "192.0.2.1")
		if err != nil {
			t.Fatalf("customer login: %v", err)
		}
		if want := models.Now(e.clock.Now()).Add(tokenTTL); !s.ExpiresAt.Equal(want) {
			t.Errorf("expires at %v; want %v", s.ExpiresAt, want)
		}
		a, err := e.acc.Authenticate(e.ctx, s.Token, "192.0.2.9")
		if err != nil || a.Kind != models.ActorCustomer || a.ID != cust.ID || a.Role != models.RoleCustomer || a.IP != "192.0.2.9" {
			t.Errorf("authenticate customer = %+v, %v", a, err)
		}
		for _, tc := range []struct{ name, email, password string }{
			{"bad password", "ann@example.com", "wrong horse"},
			{"unknown e-mail", "bob@example.com", "correct horse"},
			{"no password set", "nopass@example.com", ""},
			{"empty", "", ""},
		} {
			_, err := e.acc.CustomerLogin(e.ctx, tc.email, tc.password, "192.0.2.1")
			wantUnauthorized(t, "customer "+tc.name, err)
		}

		// Staff (e.agent's password is "password-agent1").
		s2, err := e.acc.StaffLogin(e.ctx, "agent1", "password-agent1", "192.0.2.1")
		if err != nil {
			t.Fatalf("staff login: %v", err)
		}
		a, err = e.acc.Authenticate(e.ctx, s2.Token, "")
		if err != nil || a.Kind != models.ActorStaff || a.ID != e.agent.ID || a.Role != models.RoleAgent || a.Name != "agent1" {
			t.Errorf("authenticate staff = %+v, %v", a, err)
		}
		for _, tc := range []struct{ name, user, password string }{
			{"bad password", "agent1", "password-agent2"},
			{"unknown user", "nobody", "password-agent1"},
			{"case differs", "AGENT1", "password-agent1x"},
		} {
			_, err := e.acc.StaffLogin(e.ctx, tc.user, tc.password, "192.0.2.1")
			wantUnauthorized(t, "staff "+tc.name, err)
		}

		// Tokens: garbage, logged out, expired.
		for _, tok := range []string{"", "pt_", "pt_nonsense", "Bearer " + s.Token, s.Token + "x"} {
			_, err := e.acc.Authenticate(e.ctx, tok, "")
			wantUnauthorized(t, "token "+tok, err)
		}
		if err := e.acc.Logout(e.ctx, s.Token); err != nil {
			t.Fatal(err)
		}
		_, err = e.acc.Authenticate(e.ctx, s.Token, "")
		wantUnauthorized(t, "logged-out token", err)
		if err := e.acc.Logout(e.ctx, s.Token); err != nil {
			t.Errorf("second logout: %v", err)
		}
		if _, err := e.acc.Authenticate(e.ctx, s2.Token, ""); err != nil {
			t.Errorf("another session was logged out too: %v", err)
		}
		e.clock.Advance(tokenTTL - time.Second)
		if _, err := e.acc.Authenticate(e.ctx, s2.Token, ""); err != nil {
			t.Errorf("token a second before expiry: %v", err)
		}
		e.clock.Advance(time.Second)
		_, err = e.acc.Authenticate(e.ctx, s2.Token, "")
		wantUnauthorized(t, "expired token", err)
	})
}

func TestDeactivateStaff(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		s1, err := e.acc.StaffLogin(e.ctx, "agent2", "password-agent2", "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		s2, err := e.acc.StaffLogin(e.ctx, "agent2", "password-agent2", "192.0.2.2")
		if err != nil {
			t.Fatal(err)
		}
		other, err := e.acc.StaffLogin(e.ctx, "agent1", "password-agent1", "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.acc.DeactivateStaff(e.ctx, e.agent, "agent2"), models.EFORBIDDEN)
		wantCode(t, e.acc.DeactivateStaff(e.ctx, e.chatAdmin, "agent2"), models.EFORBIDDEN)
		if _, err := e.acc.Authenticate(e.ctx, s1.Token, ""); err != nil {
			t.Fatalf("refused deactivation still logged out: %v", err)
		}
		if err := e.acc.DeactivateStaff(e.ctx, e.owner, "agent2"); err != nil {
			t.Fatalf("deactivate: %v", err)
		}
		for _, s := range []inbox.Session{s1, s2} {
			_, err := e.acc.Authenticate(e.ctx, s.Token, "")
			wantUnauthorized(t, "token of deactivated staff", err)
		}
		_, err = e.acc.StaffLogin(e.ctx, "agent2", "password-agent2", "192.0.2.1")
		wantUnauthorized(t, "login of deactivated staff", err)
		_, err = e.acc.StaffActor(e.ctx, e.agent2.ID)
		wantUnauthorized(t, "back-office session of deactivated staff", err)
		if _, err := e.acc.Authenticate(e.ctx, other.Token, ""); err != nil {
			t.Errorf("another staff member was logged out: %v", err)
		}
		if n := e.count("audit_log", "action = ? AND subject_id = ? AND actor_id = ?", "staff.deactivate", e.agent2.ID, e.owner.ID); n != 1 {
			t.Errorf("deactivation audit entries = %d; want 1", n)
		}
		wantCode(t, e.acc.DeactivateStaff(e.ctx, e.owner, "nobody"), models.ENOTFOUND)
	})
}

func TestLoginThrottle(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.acc.PerAccount = 3
		hash := cheapHash(t, "correct horse")
		if _, err := e.acc.CreateCustomer(e.ctx, "ann@example.com", "Ann", hash); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			_, err := e.acc.CustomerLogin(e.ctx, "ann@example.com", "guess", "192.0.2.1")
			wantUnauthorized(t, "bad guess", err)
		}
		// From that address even the right password is refused now, with a
		// retry time.
		before := e.count("api_tokens", "")
		_, err := e.acc.CustomerLogin(e.ctx, "ANN@example.com", "correct horse", "192.0.2.1")
		wantCode(t, err, models.ERATELIMITED)
		if ra := models.AsError(err).RetryAfter; ra <= 0 || ra > int(e.acc.Window/time.Second) {
			t.Errorf("RetryAfter = %d", ra)
		}
		if n := e.count("api_tokens", ""); n != before {
			t.Errorf("a throttled login issued a token")
		}
		// Per account: other accounts are not affected.
		if _, err := e.acc.StaffLogin(e.ctx, "agent1", "password-agent1", "192.0.2.1"); err != nil {
			t.Errorf("another account: %v", err)
		}
		for range 3 {
			_, err := e.acc.StaffLogin(e.ctx, "agent2", "nope", "192.0.2.1")
			wantUnauthorized(t, "staff bad guess", err)
		}
		_, err = e.acc.StaffLogin(e.ctx, "agent2", "password-agent2", "192.0.2.1")
		wantCode(t, err, models.ERATELIMITED)
		// Unknown accounts are throttled the same way.
		for range 3 {
			_, err := e.acc.StaffLogin(e.ctx, "ghost", "x", "192.0.2.1")
			wantUnauthorized(t, "unknown", err)
		}
		_, err = e.acc.StaffLogin(e.ctx, "ghost", "x", "192.0.2.1")
		wantCode(t, err, models.ERATELIMITED)
	})
}
