package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/ratelimit/redistest"
)

// testRedis is PARLEY_TEST_REDIS_URL's Redis when set, else a miniredis,
// and a key prefix of the test's own.
func testRedis(t *testing.T) (redis.UniversalClient, string) {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	prefix := "test:rl:" + hex.EncodeToString(b) + ":"
	var c *redis.Client
	if u := os.Getenv("PARLEY_TEST_REDIS_URL"); u != "" {
		opt, err := redis.ParseURL(u)
		if err != nil {
			t.Fatal(err)
		}
		c = redis.NewClient(opt)
	} else {
		mr := miniredis.NewMiniRedis()
		mr.ClockTTL(true)
		if err := mr.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(mr.Close)
		c = redis.NewClient(&redis.Options{Addr: mr.Addr()})
	}
	t.Cleanup(func() { c.Close() })
	return c, prefix
}

func mustAllow(t *testing.T, l *Limiter, key string, limit int, window time.Duration, want bool) time.Duration {
	t.Helper()
	ok, retry, err := l.Allow(context.Background(), key, limit, window)
	if err != nil {
		t.Fatalf("allow %s: %v", key, err)
	}
	if ok != want {
		t.Fatalf("allow %s = %v; want %v", key, ok, want)
	}
	return retry
}

func TestSlidingWindow(t *testing.T) {
	rdb, prefix := testRedis(t)
	l := NewLimiter(rdb, prefix)
	for range 3 {
		mustAllow(t, l, "k", 3, time.Minute, true)
	}
	if retry := mustAllow(t, l, "k", 3, time.Minute, false); retry <= 0 || retry > time.Minute {
		t.Errorf("retry after %v", retry)
	}
	mustAllow(t, l, "other", 3, time.Minute, true)
	mustAllow(t, l, "zero", 0, time.Minute, false)
	if l.Degraded() {
		t.Error("degraded with Redis up")
	}
}

// A hit given back frees its slot, in Redis and in memory alike.
func TestTakeReturn(t *testing.T) {
	rdb, prefix := testRedis(t)
	redisUp := NewLimiter(rdb, prefix)
	dead := NewLimiter(redis.NewClient(&redis.Options{Addr: closedAddr(t), MaxRetries: -1}), prefix)
	for name, l := range map[string]*Limiter{"redis": redisUp, "memory": dead} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			tickets := make([]string, 2)
			for i := range tickets {
				tk, ok, _, err := l.Take(ctx, "t", 2, time.Minute)
				if err != nil || !ok || tk == "" {
					t.Fatalf("take %d: %q %v %v", i, tk, ok, err)
				}
				tickets[i] = tk
			}
			if tk, ok, _, _ := l.Take(ctx, "t", 2, time.Minute); ok || tk != "" {
				t.Fatalf("third take = %q %v", tk, ok)
			}
			if err := l.Return(ctx, "t", tickets[0]); err != nil {
				t.Fatal(err)
			}
			mustAllow(t, l, "t", 2, time.Minute, true)
			mustAllow(t, l, "t", 2, time.Minute, false)
			if err := l.Return(ctx, "t", ""); err != nil {
				t.Errorf("empty ticket: %v", err)
			}
		})
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Redis killed: the limiter answers from memory at once, still limiting;
// Redis back: it is used again.
func TestRedisDownFallsBackToMemory(t *testing.T) {
	srv := redistest.Start(t)
	check := srv.Client()
	l := NewLimiter(redis.NewClient(&redis.Options{Addr: srv.Addr}), "p:")
	l.Timeout, l.Recheck = 300*time.Millisecond, 200*time.Millisecond
	ctx := context.Background()

	mustAllow(t, l, "k", 3, time.Minute, true)
	mustAllow(t, l, "k", 3, time.Minute, true)
	if n := check.ZCard(ctx, "p:k").Val(); n != 2 {
		t.Fatalf("hits in Redis = %d; want 2", n)
	}

	srv.Stop()
	for i := range 3 {
		start := time.Now()
		mustAllow(t, l, "k", 3, time.Minute, true)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("hit %d with Redis down took %v", i, d)
		}
	}
	if retry := mustAllow(t, l, "k", 3, time.Minute, false); retry <= 0 || retry > time.Minute {
		t.Errorf("retry after %v", retry)
	}
	if !l.Degraded() {
		t.Error("not degraded with Redis down")
	}

	srv.Start() // empty: no persistence
	time.Sleep(l.Recheck)
	mustAllow(t, l, "k", 3, time.Minute, true)
	if l.Degraded() {
		t.Error("still degraded with Redis back")
	}
	if n := check.ZCard(ctx, "p:k").Val(); n != 1 {
		t.Errorf("hits in Redis after it came back = %d; want 1", n)
	}
}

// A Redis that accepts connections and never answers costs at most Timeout
// per Recheck, then memory answers.
func TestRedisHangingFallsBackWithinTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	l := NewLimiter(redis.NewClient(&redis.Options{Addr: ln.Addr().String()}), "p:")
	l.Timeout, l.Recheck = 200*time.Millisecond, time.Minute
	start := time.Now()
	mustAllow(t, l, "k", 1, time.Minute, true)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("first hit took %v; want about Timeout (200ms)", d)
	}
	start = time.Now()
	mustAllow(t, l, "k", 1, time.Minute, false)
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("second hit took %v; memory should answer at once", d)
	}
}

// The caller giving up is not Redis being down.
func TestCanceledCallerIsNotAnOutage(t *testing.T) {
	rdb, prefix := testRedis(t)
	l := NewLimiter(rdb, prefix)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := l.Allow(ctx, "k", 1, time.Minute); err == nil {
		t.Error("canceled call answered")
	}
	if l.Degraded() {
		t.Error("a canceled call marked Redis down")
	}
}

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestMemoryWindowSlides(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := newMemory(10, clk.now)
	w := 10 * time.Second
	if ok, _ := m.take("k", 2, w, "a"); !ok {
		t.Fatal("first")
	}
	clk.t = clk.t.Add(5 * time.Second)
	if ok, _ := m.take("k", 2, w, "b"); !ok {
		t.Fatal("second")
	}
	ok, retry := m.take("k", 2, w, "c")
	if ok || retry != 5*time.Second {
		t.Fatalf("third = %v, retry %v; want refused, 5s", ok, retry)
	}
	clk.t = clk.t.Add(5*time.Second + time.Millisecond)
	if ok, _ := m.take("k", 2, w, "d"); !ok {
		t.Fatal("after the first hit left the window")
	}
	if ok, _ := m.take("k", 2, w, "e"); ok {
		t.Fatal("window holds b and d")
	}
}

// The fallback's memory is bounded: past maxKeys, keys whose window passed
// go first, then the one hit longest ago.
func TestMemoryBounded(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := newMemory(3, clk.now)
	m.take("short", 1, time.Second, "1")
	clk.t = clk.t.Add(time.Second)
	m.take("a", 1, time.Hour, "2")
	m.take("b", 1, time.Hour, "3")
	m.take("c", 1, time.Hour, "4") // "short" expired: it goes
	if ok, _ := m.take("a", 1, time.Hour, "5"); ok {
		t.Error("a was evicted instead of the expired key")
	}
	clk.t = clk.t.Add(time.Second)
	m.take("b", 5, time.Hour, "6") // b hit last now; a is the oldest
	m.take("d", 1, time.Hour, "7")
	if n := m.size(); n != 3 {
		t.Errorf("%d keys; want at most 3", n)
	}
	if ok, _ := m.take("b", 2, time.Hour, "8"); ok {
		t.Error("b was evicted although it was hit last")
	}
	for i := range 1000 {
		m.take(hex.EncodeToString([]byte{byte(i), byte(i >> 8)}), 1, time.Hour, "x")
	}
	if n := m.size(); n != 3 {
		t.Errorf("%d keys after a flood; want 3", n)
	}
}
