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
		s.publish(ctx, readEvent(a, c))
	}
	if a.IsCustomer() && !c.IsReadByUser {
		if err := s.store.MarkRead(ctx, id, false); err != nil {
			return Thread{}, err
		}
		c.IsReadByUser = true
		s.publish(ctx, readEvent(a, c))
	}
	if err := s.readNotifications(ctx, a, id); err != nil { // R19
		return Thread{}, err
	}
	msgs, err := s.store.Messages(ctx, id, !a.IsStaff())
	if err != nil {
		return Thread{}, err
	}
	return Thread{Conversation: c, Messages: msgs}, nil
}

// View shows a conversation to its reader like Open, without marking it
// read: a page reached by a cross-site link (webmail) shows the thread, and
// the page itself then marks it read with a same-origin MarkRead.
func (s *Service) View(ctx context.Context, a models.Actor, id int64) (Thread, error) {
	c, err := s.load(ctx, s.store.Queries, a, id, false)
	if err != nil {
		return Thread{}, err
	}
	msgs, err := s.store.Messages(ctx, id, !a.IsStaff())
	if err != nil {
		return Thread{}, err
	}
	return Thread{Conversation: c, Messages: msgs}, nil
}

// MarkRead marks a conversation the actor may see read for the actor's
// side (R1).
func (s *Service) MarkRead(ctx context.Context, a models.Actor, id int64) error {
	c, err := s.load(ctx, s.store.Queries, a, id, false)
	if err != nil {
		return err
	}
	if err := s.readNotifications(ctx, a, id); err != nil { // R19
		return err
	}
	staff := a.IsStaff() && !c.IsReadByAdmin
	if !staff && !(a.IsCustomer() && !c.IsReadByUser) {
		return nil
	}
	if err := s.store.MarkRead(ctx, id, staff); err != nil {
		return err
	}
	s.publish(ctx, readEvent(a, c))
	return nil
}

// Get loads a conversation the actor may see without marking it read.
func (s *Service) Get(ctx context.Context, a models.Actor, id int64) (models.Conversation, error) {
	return s.load(ctx, s.store.Queries, a, id, false)
}
