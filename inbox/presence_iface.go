package inbox

import "context"

// Presence says whether a person is online (a short-TTL Redis key per
// person, parley:presence:<kind>:<id>; the presence code refreshes it).
// Automatic distribution (R17) hands conversations only to online agents.
// kind is "staff" or "customer".
type Presence interface {
	Online(ctx context.Context, kind string, id int64) (bool, error)
}

// WithPresence gives the service who is online.
func WithPresence(p Presence) Option { return func(s *Service) { s.presence = p } }
