package inbox

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// StartInput is a new conversation. CustomerID is read only for staff
// (R5); a customer always starts their own.
type StartInput struct {
	CustomerID int64
	Subject    string
	Body       string
	OrderID    *int64
	// Channel is where a customer starts it (models.ChannelPortal,
	// ChannelWidget, ChannelAPI; "" is the API); staff starts are "staff".
	Channel string
	// AcceptConsent is the customer's acceptance of the privacy notice,
	// needed when ConsentFor says so (R18).
	AcceptConsent bool
}

// Start opens a conversation with its first message: a customer's (OPEN)
// or a staff member's proactive outreach (AWAITING_USER, R5).
func (s *Service) Start(ctx context.Context, a models.Actor, in StartInput) (models.Conversation, models.Message, error) {
	var c models.Conversation
	var m models.Message
	subject, err := models.NormalizeSubject(in.Subject)
	if err != nil {
		return c, m, err
	}
	if err := models.ValidateBody(in.Body); err != nil {
		return c, m, err
	}
	if !s.pol.Can(a, "conversation", policies.Start, nil) {
		return c, m, models.Errorf(models.EFORBIDDEN, "you may not start conversations")
	}
	event := models.EventStaffStart
	if a.IsCustomer() {
		event, in.CustomerID = models.EventCustomerStart, a.ID
	} else if !a.IsStaff() && a.Kind != models.ActorSystem {
		return c, m, models.Errorf(models.EFORBIDDEN, "you may not start conversations")
	}
	customer, err := s.store.Customer(ctx, in.CustomerID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return c, m, models.NotFound("customer", in.CustomerID)
	} else if err != nil {
		return c, m, err
	}
	if in.OrderID != nil {
		// R4; the same answer whether the order is unknown or someone
		// else's, so nothing leaks.
		o, err := s.store.Order(ctx, *in.OrderID)
		if models.ErrorCode(err) == models.ENOTFOUND || (err == nil && o.CustomerID != customer.ID) {
			return c, m, models.Errorf(models.EINVALID, "order %d is not one of this customer's orders", *in.OrderID)
		} else if err != nil {
			return c, m, err
		}
	}
	channel, err := startChannel(a, in.Channel)
	if err != nil {
		return c, m, err
	}
	consent, err := s.consentBeforeStart(ctx, a, channel, in.AcceptConsent)
	if err != nil {
		return c, m, err
	}
	var mc monthlyCap
	if a.IsCustomer() {
		if mc, err = s.customerMay(ctx, s.store.Queries, a, customer.Email, true); err != nil {
			return c, m, err
		}
	}
	t, err := models.Next("", event)
	if err != nil {
		return c, m, err
	}
	now := s.now()
	c = models.Conversation{CustomerID: customer.ID, CustomerName: customer.Name, CustomerEmail: customer.Email,
		Subject: subject, OrderID: in.OrderID, Status: t.To, IsReadByAdmin: a.IsStaff(), IsReadByUser: a.IsCustomer(),
		CreatedAt: now, UpdatedAt: now, LastMessageAt: now, PublicLastAt: now}
	m = models.Message{Kind: models.KindReply, AuthorType: a.Kind, AuthorID: actorID(a), AuthorName: a.Name, Body: in.Body, Public: true}
	if a.IsCustomer() {
		m.IP = a.IP // R13: staff may block the address later
	}
	base, first := c, m // InTx may run the function again
	err = s.store.InTx(ctx, func(tx *models.Tx) error {
		c, m = base, first
		if err := tx.InsertConversation(ctx, &c); err != nil {
			return err
		}
		if err := s.append(ctx, tx, &c, &m); err != nil {
			return err
		}
		if err := tx.SaveConversation(ctx, c); err != nil {
			return err
		}
		if err := tx.SetConversationChannel(ctx, c.ID, channel); err != nil {
			return err
		}
		if consent != nil {
			if err := tx.InsertConsent(ctx, *consent); err != nil {
				return err
			}
		}
		if err := s.started(ctx, tx, a, c); err != nil {
			return err
		}
		if a.IsStaff() {
			if err := s.audit(ctx, tx, a, "conversation.start", "conversation", c.ID, nil,
				auditView{Status: c.Status, Subject: c.Subject, CustomerID: c.CustomerID}); err != nil {
				return err
			}
		}
		if err := s.notify(ctx, tx, m); err != nil {
			return err
		}
		if err := s.countInbound(ctx, tx, a, mc, m); err != nil {
			return err
		}
		return s.completeIdempotent(ctx, tx, c, m)
	})
	if err != nil {
		return models.Conversation{}, models.Message{}, fmt.Errorf("start conversation: %w", err)
	}
	s.publish(ctx, conversationEvent(EventConversationUpdated, c), messageEvent(c, m))
	return c, m, nil
}
