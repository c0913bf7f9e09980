package inbox

import (
	"context"

	"github.com/parleyhq/parley/models"
)

// List page sizes.
const (
	DefaultPageSize = 25
	MaxPageSize     = 100
)

// List lists the conversations in the actor's scope (R6a), newest activity
// first, one keyset page at a time; with f.Count it also counts the
// matches (up to models.CountCap). Customers list by what they can see and
// cannot search message bodies (notes are in them).
func (s *Service) List(ctx context.Context, a models.Actor, f models.ConversationFilter) (models.ConversationPage, error) {
	f, err := s.scopeFilter(a, f)
	if err != nil {
		return models.ConversationPage{}, err
	}
	return s.store.ListConversations(ctx, s.pol.ScopeBranches(a), f)
}

// Awaiting counts the unread AWAITING_ADMIN conversations in the actor's
// scope, up to models.CountCap (capped: more): the Inbox menu badge.
func (s *Service) Awaiting(ctx context.Context, a models.Actor) (int, bool, error) {
	if !a.IsStaff() {
		return 0, false, models.Errorf(models.EFORBIDDEN, "staff only")
	}
	unread := true
	f := models.ConversationFilter{Statuses: []models.Status{models.StatusAwaitingAdmin}, Unread: &unread}
	return s.store.CountConversations(ctx, s.pol.ScopeBranches(a), f)
}

func (s *Service) scopeFilter(a models.Actor, f models.ConversationFilter) (models.ConversationFilter, error) {
	switch {
	case f.Limit == 0:
		f.Limit = DefaultPageSize
	case f.Limit < 0 || f.Limit > MaxPageSize:
		return f, models.Errorf(models.EINVALID, "limit must be between 1 and %d", MaxPageSize)
	}
	f.Public = !a.IsStaff() && a.Kind != models.ActorSystem
	if f.Public && (f.Query != "" || f.Customer != "") {
		return f, models.Errorf(models.EINVALID, "search is for staff")
	}
	return f, nil
}
