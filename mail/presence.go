package mail

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// Presence is inbox.Presence on Redis: one key per person,
// parley:presence:<staff|customer>:<id>, set by each heartbeat with a
// PresenceTTL expiry.
type Presence struct {
	rdb    redis.UniversalClient
	prefix string
	TTL    time.Duration
}

// NewPresence builds the presence store; prefix is prepended to the keys
// (empty in production, a test's own prefix in tests).
func NewPresence(rdb redis.UniversalClient, prefix string) *Presence {
	return &Presence{rdb: rdb, prefix: prefix, TTL: inbox.PresenceTTL}
}

// Key is a person's presence key.
func (p *Presence) Key(kind models.ActorKind, id int64) string {
	return fmt.Sprintf("%sparley:presence:%s:%d", p.prefix, kind, id)
}

// Touch marks the person online for TTL.
func (p *Presence) Touch(ctx context.Context, kind models.ActorKind, id int64) error {
	return p.rdb.Set(ctx, p.Key(kind, id), "1", p.TTL).Err()
}

// OnlineMany answers which of the people are online, in one pipeline.
func (p *Presence) OnlineMany(ctx context.Context, kind models.ActorKind, ids []int64) (map[int64]bool, error) {
	pipe := p.rdb.Pipeline()
	cmds := make([]*redis.IntCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.Exists(ctx, p.Key(kind, id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(ids))
	for i, c := range cmds {
		if c.Val() > 0 {
			out[ids[i]] = true
		}
	}
	return out, nil
}

// Online answers whether the person's key is live.
func (p *Presence) Online(ctx context.Context, kind models.ActorKind, id int64) (bool, error) {
	n, err := p.rdb.Exists(ctx, p.Key(kind, id)).Result()
	return n > 0, err
}
