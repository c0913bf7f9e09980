package inbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/policies"
	"github.com/parleyhq/parley/ratelimit"
	"github.com/parleyhq/parley/ratelimit/redistest"
)

// While Redis is down customers still sign in and send, under limits kept in
// the node's memory (not unlimited); once Redis is back it counts again
// (issue 5, item 10). The Redis here is a private redis-server the test
// kills, never the shared one.
func TestRedisDownCustomersStillSignInAndSend(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		srv := redistest.Start(t)
		inRedis := func() int {
			keys, err := srv.Client().Keys(ctx, "parley:rl:*").Result()
			if err != nil {
				t.Fatalf("keys: %v", err)
			}
			return len(keys)
		}
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
		t.Cleanup(func() { rdb.Close() })
		lim := ratelimit.NewLimiter(rdb, "parley:rl:")
		lim.Timeout, lim.Recheck = 500*time.Millisecond, 200*time.Millisecond
		pol, err := policies.New()
		if err != nil {
			t.Fatal(err)
		}
		clock := &fakeClock{t: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)}
		svc := inbox.New(st, pol, clock, lim)
		acc := inbox.NewAccounts(st, pol, clock, lim, []byte("test-secret"), tokenTTL)
		acc.PerAccount = 3
		if _, err := acc.CreateCustomer(ctx, "ann@example.com", "Ann", cheapHash(t, "correct horse")); err != nil {
			t.Fatal(err)
		}
		signIn := func() models.Actor {
			t.Helper()
			start := time.Now()
			s, err := acc.CustomerLogin(ctx, "ann@example.com", "correct horse", "192.0.2.1")
			if err != nil {
				t.Fatalf("sign-in: %v", err)
			}
			// A guard against hanging on Redis, not a timing: the limiter
			// gives up after lim.Timeout, while go-redis's own dial timeout
			// and retries would take over 15 s (a loaded CI machine took
			// 3.9 s here with bcrypt and MariaDB).
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("sign-in took %v: it waited on Redis", d)
			}
			a, err := acc.Authenticate(ctx, s.Token, "192.0.2.1")
			if err != nil {
				t.Fatalf("authenticate: %v", err)
			}
			return a
		}

		ann := signIn()
		c, _, err := svc.Start(ctx, ann, inbox.StartInput{Subject: "Before", Body: "Redis is up"})
		if err != nil {
			t.Fatalf("start with Redis up: %v", err)
		}
		if inRedis() == 0 {
			t.Fatal("the limiter does not count in Redis while it is up")
		}

		srv.Stop()
		ann = signIn()
		if _, _, err := svc.Send(ctx, ann, c.ID, models.KindReply, "Redis is down"); err != nil {
			t.Fatalf("send with Redis down: %v", err)
		}
		// Limits still hold: 5 new conversations a minute (R11) ...
		for i := range 5 {
			if _, _, err := svc.Start(ctx, ann, inbox.StartInput{Subject: "During", Body: "outage"}); err != nil {
				t.Fatalf("conversation %d with Redis down: %v", i+1, err)
			}
		}
		_, _, err = svc.Start(ctx, ann, inbox.StartInput{Subject: "One too many", Body: "outage"})
		wantCode(t, err, models.ERATELIMITED)
		// ... and so do the sign-in throttles.
		for range 3 {
			_, err := acc.CustomerLogin(ctx, "ann@example.com", "guess", "203.0.113.5")
			wantUnauthorized(t, "guess with Redis down", err)
		}
		_, err = acc.CustomerLogin(ctx, "ann@example.com", "correct horse", "203.0.113.5")
		wantCode(t, err, models.ERATELIMITED)
		if !lim.Degraded() {
			t.Error("the limiter does not report the fallback")
		}

		srv.Start() // empty: no persistence
		time.Sleep(lim.Recheck)
		if _, _, err := svc.Send(ctx, ann, c.ID, models.KindReply, "Redis is back"); err != nil {
			t.Fatalf("send with Redis back: %v", err)
		}
		if inRedis() == 0 || lim.Degraded() {
			t.Error("the limiter does not use Redis again once it is back")
		}
	})
}
