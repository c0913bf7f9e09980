// Package ratelimit is the exact sliding-window rate limiter Parley shares
// across nodes through Redis (R11 and the login throttles).
package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
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

// Limiter is the Redis sliding-window rate limiter (R11, login throttles).
type Limiter struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewLimiter builds a limiter; prefix namespaces its keys.
func NewLimiter(rdb redis.UniversalClient, prefix string) *Limiter {
	return &Limiter{rdb: rdb, prefix: prefix}
}

// Allow records a hit under key if fewer than limit fall in the window.
func (l *Limiter) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	if limit <= 0 {
		return false, window, nil
	}
	b := make([]byte, 8)
	rand.Read(b)
	res, err := slidingWindow.Run(ctx, l.rdb, []string{l.prefix + key}, limit, window.Milliseconds(), hex.EncodeToString(b)).Int64Slice()
	if err != nil {
		return false, 0, fmt.Errorf("rate limit %s: %w", key, err)
	}
	return res[0] == 1, time.Duration(res[1]) * time.Millisecond, nil
}
