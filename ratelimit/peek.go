package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// countWindow counts the hits inside the window ending now, recording
// nothing: what a page previews ("3 more messages this minute").
var countWindow = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. (now - tonumber(ARGV[1])), '+inf')
`)

// Used counts the hits recorded under key within the window, without
// recording one, from the same log Allow checks (Redis, or this node's
// memory while Redis is down).
func (l *Limiter) Used(ctx context.Context, key string, window time.Duration) (int, error) {
	if l.useRedis() {
		var n int64
		err := l.withTimeout(ctx, func(ctx context.Context) error {
			var err error
			n, err = countWindow.Run(ctx, l.rdb, []string{l.prefix + key}, window.Milliseconds()).Int64()
			return err
		})
		if err == nil {
			return int(n), nil
		}
		if ctx.Err() != nil {
			return 0, fmt.Errorf("rate limit %s: %w", key, ctx.Err())
		}
	}
	return l.mem.used(key, window), nil
}

func (m *memory) used(key string, window time.Duration) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.keys[key]
	if h == nil {
		return 0
	}
	now, n := m.now(), 0
	for _, at := range h.at {
		if at.After(now.Add(-window)) {
			n++
		}
	}
	return n
}
