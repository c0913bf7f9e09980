package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/models"
)

// usageCounter is a Limiter that can also count a key's hits without
// recording one (ratelimit.Limiter does).
type usageCounter interface {
	Used(ctx context.Context, key string, window time.Duration) (int, error)
}

// Quota is what a customer may still send in the current window (R11),
// from the same keys and limits Send and Start enforce.
type Quota struct {
	Messages, Conversations         int // left in the window
	MessageLimit, ConversationLimit int
	Known                           bool // false when the limiter cannot count without recording
}

// Quota reports the actor's remaining sends without consuming any: the
// portal's limit preview. Staff have no product cap (Known false).
func (s *Service) Quota(ctx context.Context, a models.Actor) (Quota, error) {
	var q Quota
	uc, ok := s.limiter.(usageCounter)
	if !ok || !a.IsCustomer() {
		return q, nil
	}
	st, err := s.store.Settings(ctx)
	if err != nil {
		return q, err
	}
	limits := s.limitsFrom(st)
	for _, newConv := range []bool{false, true} {
		key, limit := rateKey(a, limits, newConv)
		used, err := uc.Used(ctx, key, limits.Window)
		if err != nil {
			return q, fmt.Errorf("quota: %w", err)
		}
		left := max(limit-used, 0)
		if newConv {
			q.Conversations, q.ConversationLimit = left, limit
		} else {
			q.Messages, q.MessageLimit = left, limit
		}
	}
	q.Known = true
	return q, nil
}
