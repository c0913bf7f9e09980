// Package ratelimit is the exact sliding-window rate limiter Parley shares
// across nodes through Redis (R11 and the sign-in throttles).
//
// While Redis is down the limiter does not stop limiting, and does not stop
// Parley either: each node falls back to an in-memory sliding window of its
// own (same limits, same windows, bounded memory), so customers can still
// sign in and send. During an outage the limits hold per node, not across
// nodes (with N nodes a client spread over all of them gets up to N times a
// limit), and hits counted in memory are not carried over to Redis. After a
// failure the limiter stays in memory for Recheck, then tries Redis again;
// as soon as Redis answers it is used again.
package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// slidingWindow is an exact sliding-window log on a sorted set. Time comes
// from Redis (TIME), so the clocks of several Parley nodes do not matter.
// It answers {1, 0} when the hit was recorded, {0, retry_after_ms} when not.
var slidingWindow = redis.NewScript(`
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local member = ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local n = redis.call('ZCARD', key)
if n < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
  return {1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local retry = window
if oldest[2] then retry = tonumber(oldest[2]) + window - now end
if retry < 1 then retry = 1 end
return {0, retry}
`)

// Defaults of the fallback's knobs.
const (
	DefaultTimeout = 2 * time.Second
	DefaultRecheck = 5 * time.Second
	DefaultMaxKeys = 100_000
)

// Limiter is the sliding-window rate limiter (R11, sign-in throttles):
// Redis when it answers, a per-node in-memory window while it does not.
// Build it with NewLimiter; set the exported fields before first use.
type Limiter struct {
	rdb    redis.UniversalClient
	prefix string

	// Timeout bounds one Redis call; a call that takes longer counts as
	// Redis being down.
	Timeout time.Duration
	// Recheck is how long the limiter keeps to memory after Redis failed
	// before it asks Redis again.
	Recheck time.Duration
	// Log receives one line when Redis goes away and one when it is back.
	Log *slog.Logger

	mem *memory

	mu        sync.Mutex
	down      bool
	downUntil time.Time
}

// NewLimiter builds a limiter; prefix namespaces its keys.
func NewLimiter(rdb redis.UniversalClient, prefix string) *Limiter {
	return &Limiter{rdb: rdb, prefix: prefix, Timeout: DefaultTimeout, Recheck: DefaultRecheck,
		mem: newMemory(DefaultMaxKeys, time.Now)}
}

// Allow records a hit under key if fewer than limit fall in the window, and
// otherwise says how long until one fits. Redis being down is not an error:
// the in-memory window answers instead.
func (l *Limiter) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	_, ok, retry, err := l.Take(ctx, key, limit, window)
	return ok, retry, err
}

// Take is Allow that also returns a ticket for the hit it recorded, so a
// caller can give the hit back with Return (a sign-in that succeeds costs
// nothing). The ticket is "" when no hit was recorded.
func (l *Limiter) Take(ctx context.Context, key string, limit int, window time.Duration) (string, bool, time.Duration, error) {
	if limit <= 0 {
		return "", false, window, nil
	}
	id := newID()
	if l.useRedis() {
		ok, retry, err := l.redisTake(ctx, key, limit, window, id)
		if err == nil {
			l.markUp()
			if !ok {
				return "", false, retry, nil
			}
			return "r:" + id, true, 0, nil
		}
		if ctx.Err() != nil { // the caller gave up; Redis may be fine
			return "", false, 0, fmt.Errorf("rate limit %s: %w", key, ctx.Err())
		}
		l.markDown(err)
	}
	ok, retry := l.mem.take(key, limit, window, id)
	if !ok {
		return "", false, retry, nil
	}
	return "m:" + id, true, 0, nil
}

// Return gives back the hit of a ticket from Take. Giving back is best
// effort: a hit Redis cannot take back now simply expires with its window.
func (l *Limiter) Return(ctx context.Context, key, ticket string) error {
	if id, ok := strings.CutPrefix(ticket, "r:"); ok {
		err := l.withTimeout(ctx, func(ctx context.Context) error { return l.rdb.ZRem(ctx, l.prefix+key, id).Err() })
		if err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("rate limit %s: give back: %w", key, err)
		}
		return nil
	}
	if id, ok := strings.CutPrefix(ticket, "m:"); ok {
		l.mem.giveBack(key, id)
	}
	return nil
}

func (l *Limiter) redisTake(ctx context.Context, key string, limit int, window time.Duration, id string) (bool, time.Duration, error) {
	var res []int64
	err := l.withTimeout(ctx, func(ctx context.Context) error {
		var err error
		res, err = slidingWindow.Run(ctx, l.rdb, []string{l.prefix + key}, limit, window.Milliseconds(), id).Int64Slice()
		return err
	})
	if err != nil {
		return false, 0, err
	}
	if len(res) != 2 {
		return false, 0, fmt.Errorf("sliding window answered %v", res)
	}
	return res[0] == 1, time.Duration(res[1]) * time.Millisecond, nil
}

// errTimeout is a Redis call that outlived Timeout.
var errTimeout = errors.New("redis did not answer in time")

// withTimeout runs f and waits at most Timeout for it. go-redis honours a
// context's deadline only when its client was built to (ContextTimeoutEnabled),
// so the wait is bounded here whatever the client: a call left behind ends
// with the client's own read timeout, and its result is dropped.
func (l *Limiter) withTimeout(ctx context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, l.Timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		if err := context.Cause(ctx); errors.Is(err, context.DeadlineExceeded) {
			return errTimeout
		}
		return ctx.Err()
	}
}

// useRedis says whether to ask Redis: always when it answered last time,
// and again once Recheck has passed since it failed.
func (l *Limiter) useRedis() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.down || !l.mem.now().Before(l.downUntil)
}

func (l *Limiter) markDown(err error) {
	l.mu.Lock()
	was := l.down
	l.down, l.downUntil = true, l.mem.now().Add(l.Recheck)
	l.mu.Unlock()
	if !was && l.Log != nil {
		l.Log.Warn("redis unavailable: rate limits and sign-in throttles fall back to this node's memory", "err", err)
	}
}

func (l *Limiter) markUp() {
	l.mu.Lock()
	was := l.down
	l.down = false
	l.mu.Unlock()
	if was && l.Log != nil {
		l.Log.Info("redis is back: rate limits and sign-in throttles use it again")
	}
}

// Degraded reports whether the limiter is answering from memory.
func (l *Limiter) Degraded() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.down
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
