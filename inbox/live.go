package inbox

import (
	"context"
	"strconv"
	"time"

	"github.com/parleyhq/parley/models"
)

// Typing and viewing (issue 9): a page says its person is typing in, or
// viewing, a conversation; the service checks they may read it and tells
// the others who may. Nothing is stored: these are signals, and a page
// forgets one it has not heard again within a few seconds.

// SignalEvery is how often one person's typing or viewing signal of one
// conversation is passed on; more frequent reports are accepted and
// dropped (a page sends one per few seconds, several tabs more).
const SignalEvery = 2 * time.Second

// Viewing states a page reports.
const (
	Viewing = "viewing" // the page is open (repeated while it stays open)
	Left    = "left"    // the page was closed or navigated away
)

// ReportTyping tells who else may read conversation id that a is writing in it:
// a staff member's reply reaches the customer as "the store is typing"
// (no name), a note (private) staff only; a customer's typing reaches
// staff only. It reports whether the signal was passed on.
func (s *Service) ReportTyping(ctx context.Context, a models.Actor, id int64, private bool) (bool, error) {
	c, err := s.load(ctx, s.store.Queries, a, id, false)
	if err != nil {
		return false, err
	}
	if !s.throttle(ctx, a, "typing", id) {
		return false, nil
	}
	e := conversationEvent(EventTyping, c)
	e.Private = private || !a.IsStaff() // the customer's own typing is nobody else's on their side
	e.Data = map[string]any{"side": side(a)}
	if a.IsStaff() {
		e.StaffData = map[string]any{"staff_id": a.ID, "name": a.Name} // the customer sees "the store"
	}
	s.publish(ctx, e)
	return true, nil
}

// ReportViewing tells the other staff who may read conversation id that staff
// member a has it open (state Viewing, repeated) or left it (Left).
// Customers are never told who is looking.
func (s *Service) ReportViewing(ctx context.Context, a models.Actor, id int64, state string) (bool, error) {
	if !a.IsStaff() {
		return false, models.Errorf(models.EFORBIDDEN, "only staff report viewing")
	}
	if state != Viewing && state != Left {
		return false, models.Errorf(models.EINVALID, "state must be %q or %q", Viewing, Left)
	}
	c, err := s.load(ctx, s.store.Queries, a, id, false)
	if err != nil {
		return false, err
	}
	if state == Viewing && !s.throttle(ctx, a, "viewing", id) {
		return false, nil
	}
	e := conversationEvent(EventPresence, c)
	e.Private = true
	e.Data = map[string]any{"state": state, "staff_id": a.ID, "name": a.Name}
	s.publish(ctx, e)
	return true, nil
}

// CameOnline and WentOffline tell staff that a customer's page opened
// (their first open stream) or that their presence mark lapsed: the
// online dot beside their conversations. Staff's own presence is not
// published.
func (s *Service) CameOnline(ctx context.Context, a models.Actor) {
	if a.IsCustomer() {
		s.publish(ctx, customerPresence(a.ID, true))
	}
}

// WentOffline publishes that customer a is offline if their presence mark
// has lapsed (another page of theirs may still keep it alive).
func (s *Service) WentOffline(ctx context.Context, a models.Actor) {
	if !a.IsCustomer() {
		return
	}
	if on, err := s.Online(ctx, a.Kind, a.ID); err == nil && !on {
		s.publish(ctx, customerPresence(a.ID, false))
	}
}

func customerPresence(id int64, online bool) Event {
	return Event{Type: EventPresence, CustomerID: id, Private: true,
		Data: map[string]any{"customer_id": id, "online": online}}
}

// readEvent is conversation c read by a's side: a staff read is the
// customer's "seen", a customer's read updates their own unread badges.
func readEvent(a models.Actor, c models.Conversation) Event {
	e := conversationEvent(EventConversationUpdated, c)
	e.Data = map[string]any{"read_by": side(a)}
	return e
}

// throttle lets one signal of a kind per person and conversation through
// per SignalEvery; without a limiter (or with Redis down) all pass.
func (s *Service) throttle(ctx context.Context, a models.Actor, kind string, id int64) bool {
	if s.limiter == nil {
		return true
	}
	key := "signal:" + kind + ":" + string(presenceKind(a.Kind)) + ":" + strconv.FormatInt(a.ID, 10) + ":" + strconv.FormatInt(id, 10)
	ok, _, err := s.limiter.Allow(ctx, key, 1, SignalEvery)
	return ok || err != nil
}

// side names who an actor speaks for on a conversation page.
func side(a models.Actor) string {
	if a.IsStaff() {
		return "staff"
	}
	return "customer"
}
