package inbox

import (
	"context"

	"github.com/parleyhq/parley/models"
)

// Thread is a conversation with the timeline its reader may see.
type Thread struct {
	Conversation models.Conversation
	Messages     []models.Message
}

// Open shows a conversation to its reader and marks it read for the
// reader's side (R1). Customers see only public messages (R8).
func (s *Service) Open(ctx context.Context, a models.Actor, id int64) (Thread, error) {
	c, err := s.load(ctx, s.store.Queries, a, id, false)
	if err != nil {
		return Thread{}, err
	}
	if a.IsStaff() && !c.IsReadByAdmin {
		if err := s.store.MarkRead(ctx, id, true); err != nil {
			return Thread{}, err
		}
		c.IsReadByAdmin = true
	}
	if a.IsCustomer() && !c.IsReadByUser {
		if err := s.store.MarkRead(ctx, id, false); err != nil {
			return Thread{}, err
		}
		c.IsReadByUser = true
	}
	msgs, err := s.store.Messages(ctx, id, !a.IsStaff())
	if err != nil {
		return Thread{}, err
	}
	return Thread{Conversation: c, Messages: msgs}, nil
}

// Get loads a conversation the actor may see without marking it read.
func (s *Service) Get(ctx context.Context, a models.Actor, id int64) (models.Conversation, error) {
	return s.load(ctx, s.store.Queries, a, id, false)
}
