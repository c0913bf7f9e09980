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
// first. Customers list by what they can see.
func (s *Service) List(ctx context.Context, a models.Actor, f models.ConversationFilter) (models.ConversationPage, error) {
	f, err := s.scopeFilter(a, f)
	if err != nil {
		return models.ConversationPage{}, err
	}
	return s.store.ListConversations(ctx, s.pol.ScopeBranches(a), f)
}

// ListPage lists one numbered page with its total, for the admin list;
// sort must be one of models.ConversationSorts.
func (s *Service) ListPage(ctx context.Context, a models.Actor, f models.ConversationFilter, sort string, desc bool) ([]models.Conversation, int, error) {
	f, err := s.scopeFilter(a, f)
	if err != nil {
		return nil, 0, err
	}
	if f.Offset < 0 {
		return nil, 0, models.Errorf(models.EINVALID, "page out of range")
	}
	return s.store.ListConversationsPage(ctx, s.pol.ScopeBranches(a), f, sort, desc)
}

func (s *Service) scopeFilter(a models.Actor, f models.ConversationFilter) (models.ConversationFilter, error) {
	switch {
	case f.Limit == 0:
		f.Limit = DefaultPageSize
	case f.Limit < 0 || f.Limit > MaxPageSize:
		return f, models.Errorf(models.EINVALID, "limit must be between 1 and %d", MaxPageSize)
	}
	f.Public = !a.IsStaff() && a.Kind != models.ActorSystem
	return f, nil
}
