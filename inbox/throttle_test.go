package inbox_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// wantThrottled checks a throttled refusal that says when to retry.
func wantThrottled(tb testing.TB, what string, err error, window time.Duration) {
	tb.Helper()
	de := models.AsError(err)
	if de == nil || de.Code != models.ERATELIMITED {
		tb.Fatalf("%s: %v; want rate_limited", what, err)
	}
	if de.RetryAfter <= 0 || de.RetryAfter > int(window/time.Second) {
		tb.Errorf("%s: RetryAfter %d s; want within the window of %v", what, de.RetryAfter, window)
	}
	if !strings.Contains(de.Message, "try again in ") {
		tb.Errorf("%s: message %q does not say when to retry", what, de.Message)
	}
}

// One account, one throttle (issue 5, item 2): once the store finds an
// account, every spelling that found it shares its throttle. MariaDB's
// utf8mb4_unicode_ci finds agent1 as AGENT1 or ágent1; SQLite does not, and
// there the variants are unknown accounts that can never sign in.
func TestThrottleKeyedByAccount(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.acc.PerAccount = 3
		const place, elsewhere = "192.0.2.10", "192.0.2.20"
		variants := []string{"AGENT1", "Agent1", "ágent1", "ÁGENT1", "agent1 ", " agent1"}
		foundAs := func(name string) bool {
			st, _, err := e.st.StaffCredentials(e.ctx, strings.TrimSpace(name))
			return err == nil && st.ID == e.agent.ID
		}
		if e.st.Config.Dialect == models.MySQL {
			for _, v := range variants {
				if !foundAs(v) {
					t.Fatalf("premise: MariaDB does not find agent1 as %q", v)
				}
			}
		}

		// agent1 locked from place: no variant gets in from there.
		for range 3 {
			_, err := e.acc.StaffLogin(e.ctx, "agent1", "wrong-password", place)
			wantUnauthorized(t, "guess", err)
		}
		for _, v := range variants {
			_, err := e.acc.StaffLogin(e.ctx, v, "password-agent1", place)
			if foundAs(v) {
				wantThrottled(t, "locked account as "+v, err, e.acc.Window)
			} else {
				wantUnauthorized(t, "unknown spelling "+v, err)
			}
		}

		// Guesses under a variant count against the account it finds.
		for range 3 {
			_, err := e.acc.StaffLogin(e.ctx, "ÁGENT1", "wrong-password", elsewhere)
			wantUnauthorized(t, "guess as ÁGENT1", err)
		}
		_, err := e.acc.StaffLogin(e.ctx, "agent1", "password-agent1", elsewhere)
		if foundAs("ÁGENT1") {
			wantThrottled(t, "agent1 after guesses as ÁGENT1", err, e.acc.Window)
		} else if err != nil {
			t.Errorf("agent1 after guesses on an unknown name: %v", err)
		}
	})
}

// New usernames are [a-z0-9._-], so no two differ only by case, accents or
// spaces.
func TestUsernameCharacters(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		for _, bad := range []string{"Agent3", "ágent3", "agent 3", "agent\u00a03", "a", strings.Repeat("a", 51), "agent<3", "agent@3", "ａgent3"} {
			_, err := e.acc.CreateStaff(e.ctx, models.System, bad, models.RoleAgent, "", "x")
			wantCode(t, err, models.EINVALID)
			if msg := models.AsError(err).Message; !strings.Contains(msg, "a-z") {
				t.Errorf("%q: message %q does not say what is allowed", bad, msg)
			}
		}
		for _, good := range []string{"ab", "agent.3_x-y", " padded ", strings.Repeat("a", 50)} {
			st, err := e.acc.CreateStaff(e.ctx, models.System, good, models.RoleAgent, "", "x")
			if err != nil {
				t.Errorf("%q: %v", good, err)
			} else if st.Username != strings.TrimSpace(good) {
				t.Errorf("%q stored as %q", good, st.Username)
			}
		}
	})
}

// A guesser elsewhere cannot lock a user out of their own place (issue 5,
// item 4): one account from one address is throttled tightly; one address
// over all accounts, and one account over all addresses, much more loosely.
func TestThrottleOwnPlace(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		if inbox.DefaultPerAccountAnywhere < 10*inbox.DefaultPerAccount || inbox.DefaultPerIP < 10*inbox.DefaultPerAccount {
			t.Errorf("defaults %d per account and address, %d per account, %d per address: the wide bounds should be much higher",
				inbox.DefaultPerAccount, inbox.DefaultPerAccountAnywhere, inbox.DefaultPerIP)
		}
		e.acc.PerAccount, e.acc.PerAccountAnywhere, e.acc.PerIP = 3, 7, 5
		const home, attacker = "198.51.100.7", "203.0.113.66"

		// The attacker's address is locked for agent1, right password included.
		for range 3 {
			_, err := e.acc.StaffLogin(e.ctx, "agent1", "guess", attacker)
			wantUnauthorized(t, "guess", err)
		}
		_, err := e.acc.StaffLogin(e.ctx, "agent1", "password-agent1", attacker)
		wantThrottled(t, "attacker with the right password", err, e.acc.Window)
		if msg := models.AsError(err).Message; !strings.Contains(msg, "minutes") {
			t.Errorf("refusal %q: want the wait in minutes", msg)
		}
		// Refused attempts cost nothing more: no token, no hit.
		for range 5 {
			_, err := e.acc.StaffLogin(e.ctx, "agent1", "guess", attacker)
			wantThrottled(t, "attacker again", err, e.acc.Window)
		}

		// The user at home signs in, again and again: successes cost nothing.
		for i := range 8 {
			if _, err := e.acc.StaffLogin(e.ctx, "agent1", "password-agent1", home); err != nil {
				t.Fatalf("sign-in %d at home: %v", i, err)
			}
		}
		// ...and a typo at home is counted at home only.
		_, err = e.acc.StaffLogin(e.ctx, "agent1", "typo", home)
		wantUnauthorized(t, "typo at home", err)

		// Per address overall: 5 failures from one address over any accounts.
		const scanner = "203.0.113.99"
		for _, name := range []string{"agent2", "owner1", "nobody1", "nobody2", "nobody3"} {
			_, err := e.acc.StaffLogin(e.ctx, name, "guess", scanner)
			wantUnauthorized(t, "scan "+name, err)
		}
		_, err = e.acc.StaffLogin(e.ctx, "admin1", "password-admin1", scanner)
		wantThrottled(t, "sixth account from the scanner", err, e.acc.Window)
		_, err = e.acc.CustomerLogin(e.ctx, "x@example.com", "guess", scanner)
		wantThrottled(t, "customer sign-in from the scanner", err, e.acc.Window)
		if _, err := e.acc.StaffLogin(e.ctx, "admin1", "password-admin1", home); err != nil {
			t.Errorf("admin1 elsewhere: %v", err)
		}

		// Per account over all addresses: agent1 has 3 (attacker) + 1 (home)
		// failures; 3 more from a third address reach 7, and then agent1 is
		// refused everywhere, home included, until the window passes.
		for range 3 {
			_, err := e.acc.StaffLogin(e.ctx, "agent1", "guess", "192.0.2.33")
			wantUnauthorized(t, "distributed guess", err)
		}
		_, err = e.acc.StaffLogin(e.ctx, "agent1", "password-agent1", "192.0.2.44")
		wantThrottled(t, "fresh address past the account-wide bound", err, e.acc.Window)
		_, err = e.acc.StaffLogin(e.ctx, "agent1", "password-agent1", home)
		wantThrottled(t, "home past the account-wide bound", err, e.acc.Window)
	})
}

// An attempt on an unknown account, on one without a password, or on a
// deactivated one costs exactly the bcrypt work of one on a real account: one
// comparison, against a hash of the cost Parley hashes passwords with. Proved
// by counting the comparisons, not by timing them.
func TestUnknownAccountCostsTheSameHashWork(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		if c, err := bcrypt.Cost(inbox.DummyHash()); err != nil || c != inbox.HashCost {
			t.Errorf("dummy hash cost %d, %v; want HashCost %d", c, err, inbox.HashCost)
		}
		realHash, err := inbox.HashPassword("a real password")
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := bcrypt.Cost([]byte(realHash)); c != inbox.HashCost {
			t.Errorf("HashPassword makes cost %d; the dummy has %d", c, inbox.HashCost)
		}

		var mu sync.Mutex
		var costs []int
		inbox.SetCompare(e.acc, func(hash, password []byte) error {
			c, err := bcrypt.Cost(hash)
			if err != nil {
				c = -1
			}
			mu.Lock()
			costs = append(costs, c)
			mu.Unlock()
			return bcrypt.CompareHashAndPassword(hash, password)
		})
		measure := func(f func() error) (int, []int, error) {
			mu.Lock()
			costs = nil
			mu.Unlock()
			err := f()
			mu.Lock()
			defer mu.Unlock()
			return len(costs), costs, err
		}

		if _, err := e.acc.CreateCustomer(e.ctx, "ann@example.com", "Ann", realHash); err != nil {
			t.Fatal(err)
		}
		if _, err := e.acc.CreateCustomer(e.ctx, "nopass@example.com", "No Pass", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.acc.CreateStaff(e.ctx, models.System, "realcost", models.RoleAgent, "", realHash); err != nil {
			t.Fatal(err)
		}
		gone := e.MustStaff("gone", models.RoleAgent)
		if err := e.acc.DeactivateStaff(e.ctx, e.owner, gone.Name); err != nil {
			t.Fatal(err)
		}
		staff := func(user, pw string) func() error {
			return func() error { _, err := e.acc.StaffLogin(e.ctx, user, pw, "192.0.2.1"); return err }
		}
		customer := func(email, pw string) func() error {
			return func() error { _, err := e.acc.CustomerLogin(e.ctx, email, pw, "192.0.2.1"); return err }
		}
		for _, tc := range []struct {
			name string
			try  func() error
			cost int // 0: whatever the account's own hash has
		}{
			{"staff, wrong password", staff("realcost", "wrong"), inbox.HashCost},
			{"staff, unknown", staff("nobody", "wrong"), inbox.HashCost},
			{"staff, unknown, long name", staff(strings.Repeat("x", 500), "wrong"), inbox.HashCost},
			{"staff, deactivated, right password", staff("gone", "password-gone"), bcrypt.MinCost},
			{"customer, wrong password", customer("ann@example.com", "wrong"), inbox.HashCost},
			{"customer, unknown", customer("bob@example.com", "wrong"), inbox.HashCost},
			{"customer, no password set", customer("nopass@example.com", ""), inbox.HashCost},
		} {
			n, got, err := measure(tc.try)
			wantUnauthorized(t, tc.name, err)
			if n != 1 || got[0] != tc.cost {
				t.Errorf("%s: comparisons at costs %v; want one at %d", tc.name, got, tc.cost)
			}
		}
		// A successful sign-in does the same one comparison.
		if n, got, err := measure(staff("realcost", "a real password")); err != nil || n != 1 || got[0] != inbox.HashCost {
			t.Errorf("right password: %v, costs %v", err, got)
		}
		// A throttled attempt does none, known account or not.
		e.acc.PerAccount = 1
		for _, name := range []string{"realcost", "nobody"} {
			measure(staff(name, "wrong"))
			n, _, err := measure(staff(name, "wrong"))
			wantCode(t, err, models.ERATELIMITED)
			if n != 0 {
				t.Errorf("throttled attempt on %s compared %d hashes", name, n)
			}
		}
	})
}
