package inbox

import (
	"context"
	"log/slog"
	"maps"
	"slices"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// The event types (DESIGN §6): signals that something changed, carrying
// ids and the minimum to render; the database stays the source of truth.
const (
	EventMessageCreated      = "message.created"
	EventConversationUpdated = "conversation.updated"
	EventNotificationCreated = "notification.created"
	EventPresence            = "presence"
	EventTyping              = "typing"
)

// Event is one signal. Every conversation event names its conversation
// and carries what deciding its audience needs (the conversation's
// customer, assignee and status when it happened, and whether it is a
// private note); a notification event names its one recipient. Its JSON
// is how it travels between nodes; what a stream sends is Signal.
type Event struct {
	Type           string           `json:"type"`
	ConversationID int64            `json:"conversation_id,omitempty"`
	MessageID      int64            `json:"message_id,omitempty"`
	CustomerID     int64            `json:"customer_id,omitempty"`
	AssignedTo     *int64           `json:"assigned_to,omitempty"`
	Status         models.Status    `json:"status,omitempty"`
	Private        bool             `json:"private,omitempty"` // a note or anything else customers never see (R8)
	RecipientKind  models.ActorKind `json:"recipient_kind,omitempty"`
	RecipientID    int64            `json:"recipient_id,omitempty"` // notification.created: the one person it is for
	Data           map[string]any   `json:"data,omitempty"`
	StaffData      map[string]any   `json:"staff_data,omitempty"` // added to Data for staff only (who is typing)
}

// Signal is what a stream sends of an event: its type, ids and data, not
// its audience.
type Signal struct {
	Type           string         `json:"type"`
	ConversationID int64          `json:"conversation_id,omitempty"`
	MessageID      int64          `json:"message_id,omitempty"`
	Status         models.Status  `json:"status,omitempty"`
	Data           map[string]any `json:"data,omitempty"`
}

// Signal is e as a stream sends it to staff (forStaff) or to a customer.
func (e Event) Signal(forStaff bool) Signal {
	data := e.Data
	if forStaff && len(e.StaffData) > 0 {
		data = make(map[string]any, len(e.Data)+len(e.StaffData))
		maps.Copy(data, e.Data)
		maps.Copy(data, e.StaffData)
	}
	return Signal{Type: e.Type, ConversationID: e.ConversationID, MessageID: e.MessageID, Status: e.Status, Data: data}
}

// Publisher shares events with every node's streams (the live package's
// Redis stream in production).
type Publisher interface {
	Publish(ctx context.Context, e Event) error
}

// WithPublisher gives the service its event publisher; without one no
// event leaves the service.
func WithPublisher(p Publisher) Option { return func(s *Service) { s.publisher = p } }

// MaySee answers whether actor a may receive event e — the same reading
// rule as every page (R6, R6a): a conversation event only to who may read
// the conversation as it was when the event happened, never a private one
// to a customer (R8); a notification only to its recipient.
func (s *Service) MaySee(a models.Actor, e Event) bool {
	if e.RecipientKind != "" && (e.RecipientID != a.ID || presenceKind(e.RecipientKind) != presenceKind(a.Kind)) {
		return false
	}
	if e.ConversationID == 0 { // a notification, or a customer's presence (all staff)
		return e.RecipientKind != "" || (e.Private && a.IsStaff() && slices.Contains(models.StaffRoles, a.Role))
	}
	if e.Private && !a.IsStaff() {
		return false
	}
	c := models.Conversation{ID: e.ConversationID, CustomerID: e.CustomerID, AssignedTo: e.AssignedTo, Status: e.Status}
	return s.can(a, policies.Read, &c)
}

// publish shares events once their transaction has committed. The
// database stays the truth: an event that cannot be published is logged
// and the pages catch up on their next fetch (a stream that misses it
// resumes past it or is told to reset).
func (s *Service) publish(ctx context.Context, events ...Event) {
	if s.publisher == nil {
		return
	}
	ctx = context.WithoutCancel(ctx) // committed: the caller leaving must not lose the signal
	for _, e := range events {
		if err := s.publisher.Publish(ctx, e); err != nil {
			slog.WarnContext(ctx, "live event not published", "type", e.Type, "conversation", e.ConversationID, "err", err)
		}
	}
}

// messageEvent is message m of conversation c created: a private one
// (a note, a staff-only event) reaches staff only (R8).
func messageEvent(c models.Conversation, m models.Message) Event {
	e := conversationEvent(EventMessageCreated, c)
	e.MessageID, e.Private = m.ID, !m.Public
	e.Data = map[string]any{"kind": m.Kind, "author_type": m.AuthorType}
	return e
}

// sent is what a new message publishes: the message, and its
// conversation's new activity — private too when the message is, so a
// customer's stream does not even hint at a note (R8).
func sent(c models.Conversation, m models.Message) []Event {
	u := conversationEvent(EventConversationUpdated, c)
	u.Private = !m.Public
	return []Event{messageEvent(c, m), u}
}

// conversationEvent is an event about c as it is now.
func conversationEvent(typ string, c models.Conversation) Event {
	return Event{Type: typ, ConversationID: c.ID, CustomerID: c.CustomerID, AssignedTo: c.AssignedTo, Status: c.Status}
}

// changed is what a change of conversation before publishes, after being
// the conversation now (nil: deleted): the conversation as it is now, and
// — when someone may have lost sight of it (its assignee changed, or it is
// gone) — as it was, so the pages of those who could read it learn it
// left them.
func changed(before models.Conversation, after *models.Conversation) []Event {
	if after == nil {
		e := conversationEvent(EventConversationUpdated, before)
		e.Data = map[string]any{"deleted": true}
		return []Event{e}
	}
	out := []Event{conversationEvent(EventConversationUpdated, *after)}
	if !sameAssignee(before.AssignedTo, after.AssignedTo) {
		out = append(out, conversationEvent(EventConversationUpdated, before))
	}
	return out
}

// snapshot reads conversations before a change that publishes
// (publishChanges); nothing without a publisher, and nothing on an error
// (the events then carry only what is known after).
func (s *Service) snapshot(ctx context.Context, ids []int64) map[int64]models.Conversation {
	if s.publisher == nil || len(ids) == 0 {
		return nil
	}
	cs, err := s.store.ConversationsByID(ctx, ids)
	if err != nil {
		slog.WarnContext(ctx, "live events: conversations before a change", "err", err)
		return nil
	}
	out := make(map[int64]models.Conversation, len(cs))
	for _, c := range cs {
		out[c.ID] = c
	}
	return out
}

// publishChanges publishes the changes of ids after a commit, against
// their snapshot from before.
func (s *Service) publishChanges(ctx context.Context, before map[int64]models.Conversation, ids []int64) {
	if s.publisher == nil {
		return
	}
	after := s.snapshot(ctx, ids)
	var events []Event
	for _, id := range ids {
		b, had := before[id]
		a, has := after[id]
		switch {
		case has && had:
			events = append(events, changed(b, &a)...)
		case has:
			events = append(events, conversationEvent(EventConversationUpdated, a))
		case had:
			events = append(events, changed(b, nil)...)
		}
	}
	s.publish(ctx, events...)
}
