package inbox

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// Send adds a reply (either side) or a private note (staff) to a
// conversation and moves its status by the machine of docs/design.md §3. It answers
// the message and the conversation it landed in: a customer writing to a
// CLOSED thread lands in its follow-up.
func (s *Service) Send(ctx context.Context, a models.Actor, conversationID int64, kind, body string, opts ...SendOption) (models.Message, models.Conversation, error) {
	var m models.Message
	var landed models.Conversation
	var o sendOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.lastSeen != nil && *o.lastSeen <= 0 {
		return m, landed, models.Errorf(models.EINVALID, "last_seen_message_id must be the id of a message")
	}
	if kind == "" {
		kind = models.KindReply
	}
	if kind != models.KindReply && kind != models.KindNote {
		return m, landed, models.Errorf(models.EINVALID, "kind must be %q or %q", models.KindReply, models.KindNote)
	}
	if err := models.ValidateBody(body); err != nil {
		return m, landed, err
	}
	// One read of the conversation: the locked one. Its visibility and the
	// actor's right to write are checked before anything else, so a refusal
	// for chat, block or rate limit never tells anyone a thread outside
	// their scope exists; then a customer's checks (R9, R13, R10, R11) run
	// once, even if the transaction is retried (a retry must not take a
	// second rate-limit slot).
	var mc monthlyCap
	checked := !a.IsCustomer()
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		c, err := s.load(ctx, tx.Queries, a, conversationID, true)
		if err != nil {
			return err
		}
		if err := s.mayWrite(a, c, kind); err != nil {
			return err
		}
		if err := stale(ctx, tx.Queries, a, c, o.lastSeen); err != nil {
			return err
		}
		if !checked {
			if mc, err = s.customerMay(ctx, tx.Queries, a, c.CustomerEmail, false); err != nil {
				return err
			}
			checked = true
		}
		if m, landed, err = s.send(ctx, tx, a, c, kind, body); err != nil {
			return err
		}
		if err := s.countInbound(ctx, tx, a, mc, m); err != nil {
			return err
		}
		return s.completeIdempotent(ctx, tx, landed, m)
	})
	if err != nil {
		return models.Message{}, models.Conversation{}, fmt.Errorf("send to conversation %d: %w", conversationID, err)
	}
	s.publish(ctx, sent(landed, m)...)
	return m, landed, nil
}

func (s *Service) mayWrite(a models.Actor, c models.Conversation, kind string) error {
	act := policies.Reply
	if kind == models.KindNote {
		act = policies.Note
	}
	if !s.can(a, act, &c) {
		return models.Errorf(models.EFORBIDDEN, "you may not %s in conversation %d", map[string]string{models.KindReply: "reply", models.KindNote: "add notes"}[kind], c.ID)
	}
	return nil
}

// send writes the message into a locked, visible conversation.
func (s *Service) send(ctx context.Context, tx *models.Tx, a models.Actor, c models.Conversation, kind, body string) (models.Message, models.Conversation, error) {
	ev := models.EventNote
	switch {
	case kind == models.KindNote:
	case a.IsCustomer():
		ev = models.EventCustomerMessage
	default:
		ev = models.EventStaffReply
	}
	t, err := models.Next(c.Status, ev)
	if err != nil {
		return models.Message{}, c, err
	}
	if t.FollowUp {
		if c, err = s.followUp(ctx, tx, a, c); err != nil {
			return models.Message{}, c, err
		}
		if t, err = models.Next(c.Status, ev); err != nil {
			return models.Message{}, c, err
		}
	}
	before := viewOf(c)
	from := c.Status
	if from != t.To {
		c.Status = t.To
		if err := s.statusEvent(ctx, tx, &c, a, from, t, ""); err != nil {
			return models.Message{}, c, err
		}
	}
	m := models.Message{Kind: kind, AuthorType: a.Kind, AuthorID: actorID(a), AuthorName: a.Name, Body: body,
		Public: kind == models.KindReply}
	if a.IsCustomer() {
		m.IP = a.IP // R13: staff may block the address later
	}
	if err := s.append(ctx, tx, &c, &m); err != nil {
		return m, c, err
	}
	// R1: the sender's side has read it; a reply is news to the other side.
	if a.IsCustomer() {
		c.IsReadByUser, c.IsReadByAdmin = true, false
	} else {
		c.IsReadByAdmin = true
		if m.Public {
			c.IsReadByUser = false
		}
	}
	first := firstResponse(a, &c, m)
	if err := tx.SaveConversation(ctx, c); err != nil {
		return m, c, err
	}
	if first {
		if err := s.countFirstResponse(ctx, tx, a, c); err != nil {
			return m, c, err
		}
	}
	if a.IsStaff() {
		// R20: a reply can move the status; record it before and after.
		after := struct {
			auditView
			MessageID int64 `json:"message_id"`
		}{viewOf(c), m.ID}
		if err := s.audit(ctx, tx, a, "message."+kind, "conversation", c.ID, before, after); err != nil {
			return m, c, err
		}
	}
	return m, c, s.notify(ctx, tx, m)
}

// followUp finds or creates the open follow-up of a closed conversation
// (OPEN, unassigned, same subject, customer and order).
func (s *Service) followUp(ctx context.Context, tx *models.Tx, a models.Actor, closed models.Conversation) (models.Conversation, error) {
	f, ok, err := tx.OpenFollowUp(ctx, closed.ID)
	if err != nil || ok {
		return f, err
	}
	t, err := models.Next("", models.EventCustomerStart)
	if err != nil {
		return f, err
	}
	now := s.now()
	follow := closed.ID
	f = models.Conversation{CustomerID: closed.CustomerID, CustomerName: closed.CustomerName, CustomerEmail: closed.CustomerEmail,
		Subject: closed.Subject, OrderID: closed.OrderID, Status: t.To, FollowUpOf: &follow,
		CreatedAt: now, UpdatedAt: now, LastMessageAt: now, PublicLastAt: now}
	if err := tx.InsertConversation(ctx, &f); err != nil {
		return f, err
	}
	if err := s.started(ctx, tx, a, f); err != nil {
		return f, err
	}
	return f, s.event(ctx, tx, &f, models.System, EventFollowUp, fmt.Sprintf("Follow-up of closed conversation #%d", closed.ID), false)
}

// SendOption refines one send.
type SendOption func(*sendOptions)

type sendOptions struct {
	lastSeen *int64
}

// LastSeen is the stale-reply guard (issue 9): id is the newest message
// the sender's page showed. When the conversation has a newer public
// reply — the customer wrote again, or another agent already answered —
// the send is refused with conflict, and sending anyway is a send without
// it (or with the new id). Without this option there is no check.
func LastSeen(id int64) SendOption { return func(o *sendOptions) { o.lastSeen = &id } }

// stale answers conflict when c has a public reply newer than lastSeen
// (nil: no check). It runs under the conversation's lock, so a reply that
// commits first is seen by the second.
func stale(ctx context.Context, q models.Queries, a models.Actor, c models.Conversation, lastSeen *int64) error {
	if lastSeen == nil {
		return nil
	}
	latest, ok, err := q.LatestMessage(ctx, c.ID, true)
	if err != nil || !ok || latest.ID <= *lastSeen {
		return err
	}
	who := "the customer"
	switch {
	case latest.AuthorType == models.ActorCustomer || latest.AuthorType == models.ActorGuest:
	case a.IsCustomer():
		who = "the store" // customers are not told staff names here
	case latest.AuthorName != "":
		who = latest.AuthorName
	default:
		who = "staff"
	}
	return models.Errorf(models.ECONFLICT, "%s wrote in this conversation after the message you last saw: read it, then send again", who)
}
