package inbox

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// Recipient is one person a notification goes to: in-app always, by e-mail
// when Email is set (and, at send time, they are offline, have not read it
// and take e-mails).
type Recipient struct {
	models.Actor
	Email bool
}

// Recipients is R19's rule for who hears of a new message, without I/O:
//   - notes and system events notify nobody (R8: staff see notes in place,
//     and customers never hear of them);
//   - a staff reply notifies the customer, in-app and by e-mail;
//   - a customer message notifies, in-app, the active staff who may read the
//     conversation: when it is assigned only the assignee and those who may
//     assign it (chat admins and up); when unassigned everyone who may see
//     it. By e-mail: the assignee; when unassigned, the agents and chat
//     admins who may see it (admins and owners only in-app).
//
// can answers whether a staff member may do an action on the conversation.
func Recipients(m models.Message, c models.Conversation, staff []models.Staff,
	can func(models.Actor, policies.Action, *models.Conversation) bool) []Recipient {
	if !m.Public || m.Kind != models.KindReply {
		return nil
	}
	if m.AuthorType == models.ActorStaff {
		return []Recipient{{Actor: models.Actor{Kind: models.ActorCustomer, ID: c.CustomerID, Role: models.RoleCustomer}, Email: true}}
	}
	if m.AuthorType != models.ActorCustomer && m.AuthorType != models.ActorGuest {
		return nil
	}
	var out []Recipient
	for _, s := range staff {
		a := models.Actor{Kind: models.ActorStaff, ID: s.ID, Role: s.Role, Name: s.Username}
		if !s.Active || !can(a, policies.Read, &c) {
			continue
		}
		if c.AssignedTo != nil {
			mine := *c.AssignedTo == s.ID
			if !mine && !can(a, policies.Assign, &c) {
				continue
			}
			out = append(out, Recipient{Actor: a, Email: mine})
			continue
		}
		out = append(out, Recipient{Actor: a, Email: s.Role == models.RoleAgent || s.Role == models.RoleChatAdmin})
	}
	return out
}

// EscalationRecipients is R19/R21's rule for an escalation: the active
// holders of financial.manage (in-app and by e-mail), but not whoever
// escalated it.
func EscalationRecipients(c models.Conversation, by models.Actor, staff []models.Staff,
	holds func(models.Actor) bool) []Recipient {
	var out []Recipient
	for _, s := range staff {
		a := models.Actor{Kind: models.ActorStaff, ID: s.ID, Role: s.Role, Name: s.Username}
		if !s.Active || (by.Kind == models.ActorStaff && by.ID == s.ID) || !holds(a) {
			continue
		}
		out = append(out, Recipient{Actor: a, Email: true})
	}
	return out
}

// EmailWindow is how long a NEW_MESSAGE e-mail waits after its message:
// the burst window (more messages of the conversation to the same person
// within it make one e-mail) and the time the person has to read it in-app.
const EmailWindow = 2 * time.Minute

// WithEmailWindow changes the burst window (PARLEY_MAIL_WINDOW; end-to-end
// tests use a short one).
func WithEmailWindow(d time.Duration) Option { return func(s *Service) { s.window = d } }

func (s *Service) emailWindow() time.Duration {
	if s.window > 0 {
		return s.window
	}
	return EmailWindow
}

// MaxEmailAge: a message older than this when it is notified is history
// (the demo seeder's backdated threads, a backlog replayed after an outage
// of more than an hour) and is notified in-app only.
const MaxEmailAge = time.Hour

// NotifyNewMessage writes the NEW_MESSAGE notifications of a message (R19)
// in one transaction (one INSERT per 500 recipients). It is idempotent: a
// notification is unique per recipient and message, so running it again (a
// retried or re-sent task) adds nothing. A message deleted since (R2, retention) is nothing to tell.
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
	return s.writeNotifications(ctx, Recipients(m, c, staff, s.can), c, m, NotificationNewMessage)
}

// NotifyEscalation writes the escalation notifications of a conversation's
// escalation event (R19, R21) to the financial.manage holders; idempotent
// like NotifyNewMessage.
func (s *Service) NotifyEscalation(ctx context.Context, eventID int64) (int, error) {
	m, err := s.store.MessageByID(ctx, eventID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	c, err := s.store.Conversation(ctx, m.ConversationID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	staff, err := s.store.ListStaff(ctx)
	if err != nil {
		return 0, err
	}
	by := models.Actor{Kind: m.AuthorType}
	if m.AuthorID != nil {
		by.ID = *m.AuthorID
	}
	holds := func(a models.Actor) bool {
		return s.pol.Can(a, policies.ObjFinancial, policies.ManageFinancial, nil) && s.can(a, policies.Read, &c)
	}
	return s.writeNotifications(ctx, EscalationRecipients(c, by, staff, holds), c, m, NotificationEscalation)
}

// NotifyNewMessages is NotifyNewMessage for several messages at once (the
// worker's batch of tasks that arrived together): one read of the
// messages, one of their conversations, one of the staff, and one
// transaction for all their notifications — all of them or none. Messages
// gone since are skipped, as NotifyNewMessage skips one. It reports how
// many notifications it added.
func (s *Service) NotifyNewMessages(ctx context.Context, ids []int64) (int, error) {
	ms, err := s.store.MessagesByID(ctx, ids)
	if err != nil {
		return 0, err
	}
	ms = slices.DeleteFunc(ms, func(m models.Message) bool { return !m.Public || m.Kind != models.KindReply })
	var convIDs []int64
	needStaff := false
	for _, m := range ms {
		convIDs = append(convIDs, m.ConversationID)
		needStaff = needStaff || m.AuthorType != models.ActorStaff
	}
	slices.Sort(convIDs)
	cs, err := s.store.ConversationsByID(ctx, slices.Compact(convIDs))
	if err != nil {
		return 0, err
	}
	byID := make(map[int64]models.Conversation, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
	}
	var staff []models.Staff
	if needStaff {
		if staff, err = s.store.ListStaff(ctx); err != nil {
			return 0, err
		}
	}
	now := s.now()
	var ns []models.Notification
	for _, m := range ms {
		c, ok := byID[m.ConversationID]
		if !ok {
			continue
		}
		ns = append(ns, s.notifications(Recipients(m, c, staff, s.can), c, m, NotificationNewMessage, now)...)
	}
	// In the order of the unique key, so two batches sharing rows (a
	// re-sent task) take their locks in the same order.
	slices.SortFunc(ns, func(a, b models.Notification) int {
		return cmp.Or(cmp.Compare(a.RecipientType, b.RecipientType), cmp.Compare(a.RecipientID, b.RecipientID), cmp.Compare(a.MessageID, b.MessageID))
	})
	return s.insertNotifications(ctx, ns, byID, fmt.Sprintf("notify %d messages", len(ids)))
}

func (s *Service) writeNotifications(ctx context.Context, to []Recipient, c models.Conversation, m models.Message, kind string) (int, error) {
	return s.insertNotifications(ctx, s.notifications(to, c, m, kind, s.now()), map[int64]models.Conversation{c.ID: c}, fmt.Sprintf("notify message %d", m.ID))
}

// notifications are the rows of a message's notifications to its
// recipients; those who are told by e-mail too get it after the burst
// window, unless the message is history (MaxEmailAge).
func (s *Service) notifications(to []Recipient, c models.Conversation, m models.Message, kind string, now time.Time) []models.Notification {
	ns := make([]models.Notification, len(to))
	for i, r := range to {
		ns[i] = models.Notification{RecipientType: r.Kind, RecipientID: r.ID,
			ConversationID: c.ID, MessageID: m.ID, Kind: kind, CreatedAt: now}
		if r.Email && now.Sub(m.CreatedAt) < MaxEmailAge {
			due := now.Add(s.emailWindow())
			ns[i].EmailDueAt = &due
		}
	}
	return ns
}

// insertNotifications writes ns, then tells each recipient's open pages
// (notification.created: the bell, the pop-up naming the conversation).
// A re-run that adds nothing tells nobody again.
func (s *Service) insertNotifications(ctx context.Context, ns []models.Notification, convs map[int64]models.Conversation, what string) (int, error) {
	if len(ns) == 0 {
		return 0, nil
	}
	// One transaction: all of them or none, and InTx retries a deadlock
	// (a re-sent task inserting the same rows as the original).
	var added int
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		var err error
		added, err = tx.InsertNotifications(ctx, ns)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	if added > 0 {
		events := make([]Event, 0, len(ns))
		for _, n := range ns {
			events = append(events, notificationEvent(n, convs[n.ConversationID]))
		}
		s.publish(ctx, events...)
	}
	return added, nil
}

// notificationEvent is notification n of conversation c, for its
// recipient only: what the pop-up shows (the conversation's subject).
func notificationEvent(n models.Notification, c models.Conversation) Event {
	e := conversationEvent(EventNotificationCreated, c)
	e.MessageID, e.RecipientKind, e.RecipientID = n.MessageID, n.RecipientType, n.RecipientID
	e.Data = map[string]any{"kind": n.Kind, "subject": c.Subject}
	return e
}
