package inbox

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// Recipients is R19's rule for who hears of a new message, without I/O:
//   - notes and system events notify nobody (R8: staff see notes in place);
//   - a staff reply notifies the customer;
//   - a customer message notifies the active staff who may read the
//     conversation: when it is assigned, only the assignee and those who may
//     assign it (chat admins and up); when unassigned, everyone who may see it.
//
// can answers whether a staff member may do an action on the conversation.
func Recipients(m models.Message, c models.Conversation, staff []models.Staff,
	can func(models.Actor, policies.Action, *models.Conversation) bool) []models.Actor {
	if !m.Public || m.Kind != models.KindReply {
		return nil
	}
	if m.AuthorType == models.ActorStaff {
		return []models.Actor{{Kind: models.ActorCustomer, ID: c.CustomerID}}
	}
	var out []models.Actor
	for _, s := range staff {
		a := models.Actor{Kind: models.ActorStaff, ID: s.ID, Role: s.Role, Name: s.Username}
		if !s.Active || !can(a, policies.Read, &c) {
			continue
		}
		if c.AssignedTo != nil && *c.AssignedTo != s.ID && !can(a, policies.Assign, &c) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// NotifyNewMessage writes the NEW_MESSAGE notifications of a message (R19)
// in one transaction. It is idempotent: a notification is unique per
// recipient and message, so running it again (a retried or re-sent task)
// adds nothing. A message deleted since (R2, retention) is nothing to tell.
// It reports how many notifications it added.
func (s *Service) NotifyNewMessage(ctx context.Context, messageID int64) (int, error) {
	m, err := s.store.MessageByID(ctx, messageID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if !m.Public || m.Kind != models.KindReply {
		return 0, nil
	}
	c, err := s.store.Conversation(ctx, m.ConversationID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var staff []models.Staff
	if m.AuthorType != models.ActorStaff {
		if staff, err = s.store.ListStaff(ctx); err != nil {
			return 0, err
		}
	}
	to := Recipients(m, c, staff, s.can)
	added := 0
	err = s.store.InTx(ctx, func(tx *models.Tx) error {
		added = 0
		now := s.now()
		for _, a := range to {
			ok, err := tx.InsertNotification(ctx, models.Notification{RecipientType: a.Kind, RecipientID: a.ID,
				ConversationID: c.ID, MessageID: m.ID, Kind: NotificationNewMessage, CreatedAt: now})
			if err != nil {
				return err
			}
			if ok {
				added++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("notify message %d: %w", messageID, err)
	}
	return added, nil
}
