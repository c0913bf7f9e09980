package ratelimit

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Used counts what Allow recorded, records nothing itself, and answers
// from memory while Redis is down.
func TestUsedCountsWithoutRecording(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := testRedis(t)
	l := NewLimiter(rdb, prefix)
	for i := 0; i < 3; i++ {
		mustAllow(t, l, "u", 5, time.Minute, true)
	}
	for i := 0; i < 10; i++ {
		if n, err := l.Used(ctx, "u", time.Minute); err != nil || n != 3 {
			t.Fatalf("Used = %d, %v; want 3", n, err)
		}
	}
	mustAllow(t, l, "u", 5, time.Minute, true)
	mustAllow(t, l, "u", 5, time.Minute, true)
	mustAllow(t, l, "u", 5, time.Minute, false) // Used recorded nothing: exactly 5 fit

	down := NewLimiter(redis.NewClient(&redis.Options{Addr: closedAddr(t)}), "p:")
	down.Timeout = 200 * time.Millisecond
	mustAllow(t, down, "m", 5, time.Minute, true)
	mustAllow(t, down, "m", 5, time.Minute, true)
	if n, err := down.Used(ctx, "m", time.Minute); err != nil || n != 2 {
		t.Fatalf("Used with Redis down = %d, %v; want 2", n, err)
	}
}
