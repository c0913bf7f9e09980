package inbox

import (
	"context"
	"time"

	"github.com/parleyhq/parley/models"
)

// PresenceTTL is how long a heartbeat keeps a person online.
const PresenceTTL = 60 * time.Second

// Presence tells who is online (R19's e-mail rule, distribution R17): a
// short-lived mark per person, refreshed by a heartbeat while one of their
// pages is open.
type Presence interface {
	// Online answers whether the person's mark is live.
	Online(ctx context.Context, kind models.ActorKind, id int64) (bool, error)
	// Touch refreshes the person's mark.
	Touch(ctx context.Context, kind models.ActorKind, id int64) error
}

// WithPresence gives the service its presence store.
func WithPresence(p Presence) Option { return func(s *Service) { s.presence = p } }

// Heartbeat marks a signed-in person online (POST /api/v1/presence, the
// back-office pages' heartbeat). Without a presence store it does nothing.
func (s *Service) Heartbeat(ctx context.Context, a models.Actor) error {
	if s.presence == nil || a.ID <= 0 {
		return nil
	}
	switch a.Kind {
	case models.ActorStaff, models.ActorCustomer, models.ActorGuest:
		return s.presence.Touch(ctx, presenceKind(a.Kind), a.ID)
	}
	return nil
}

// Online answers whether a person is online; without a presence store
// nobody is.
func (s *Service) Online(ctx context.Context, kind models.ActorKind, id int64) (bool, error) {
	if s.presence == nil {
		return false, nil
	}
	return s.presence.Online(ctx, presenceKind(kind), id)
}

// OnlineCustomers answers which of the customers are online (the list's
// dots), in one round trip when the store can (mail.Presence); best
// effort: on an error nobody is.
func (s *Service) OnlineCustomers(ctx context.Context, ids []int64) map[int64]bool {
	out := make(map[int64]bool, len(ids))
	if s.presence == nil || len(ids) == 0 {
		return out
	}
	if many, ok := s.presence.(interface {
		OnlineMany(ctx context.Context, kind models.ActorKind, ids []int64) (map[int64]bool, error)
	}); ok {
		on, err := many.OnlineMany(ctx, models.ActorCustomer, ids)
		if err != nil {
			return out
		}
		return on
	}
	for _, id := range ids {
		if on, err := s.presence.Online(ctx, models.ActorCustomer, id); err == nil && on {
			out[id] = true
		}
	}
	return out
}

// presenceKind: guests are customers' rows, so they share the customer key.
func presenceKind(k models.ActorKind) models.ActorKind {
	if k == models.ActorGuest {
		return models.ActorCustomer
	}
	return k
}
