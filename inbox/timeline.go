package inbox

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/models"
)

// System event names written to the timeline.
const (
	EventStatus     = "status"
	EventReopened   = "reopened"
	EventAssigned   = "assigned"
	EventUnassigned = "unassigned"
	EventFollowUp   = "follow_up"
)

// append writes a message to a locked conversation and updates what lists
// show: the staff values always, the public values only for what the
// customer may see (docs/design.md §3).
func (s *Service) append(ctx context.Context, tx *models.Tx, c *models.Conversation, m *models.Message) error {
	m.ConversationID = c.ID
	m.CreatedAt = s.now()
	if err := tx.InsertMessage(ctx, m); err != nil {
		return err
	}
	c.UpdatedAt = m.CreatedAt
	c.LastMessageAt = m.CreatedAt
	if m.Kind != models.KindSystem { // counts and previews are of messages, not events
		c.MessageCount++
		c.LastPreview = models.Preview(m.Body)
	}
	if m.Public {
		c.PublicLastAt = m.CreatedAt
		if m.Kind == models.KindReply {
			c.PublicMessages++
			c.PublicPreview = models.Preview(m.Body)
		}
	}
	return nil
}

// event writes a system event. Only resolved, closed and reopened events
// are public; assignments, escalations and reasons stay with staff.
func (s *Service) event(ctx context.Context, tx *models.Tx, c *models.Conversation, a models.Actor, name, body string, public bool) error {
	m := models.Message{Kind: models.KindSystem, AuthorType: a.Kind, AuthorID: actorID(a), AuthorName: a.Name,
		Body: body, Event: name, Public: public}
	return s.append(ctx, tx, c, &m)
}

// statusEvent records a transition from a status; public when the customer
// may see it. The transition alone says whether it reopened the
// conversation (models.Transition.Reopened).
func (s *Service) statusEvent(ctx context.Context, tx *models.Tx, c *models.Conversation, a models.Actor, from models.Status, t models.Transition, reason string) error {
	to := t.To
	body := fmt.Sprintf("Status changed from %s to %s", from.Label(), to.Label())
	if reason != "" {
		body += ": " + reason
	}
	public := to == models.StatusResolved || to == models.StatusClosed
	if public {
		// The customer sees the fact, never the staff's reason.
		if err := s.event(ctx, tx, c, a, EventStatus, body, false); err != nil {
			return err
		}
		return s.event(ctx, tx, c, a, EventStatus, fmt.Sprintf("Conversation %s", strings.ToLower(to.Label())), true)
	}
	if t.Reopened {
		if err := s.event(ctx, tx, c, a, EventStatus, body, false); err != nil {
			return err
		}
		return s.event(ctx, tx, c, a, EventReopened, "Conversation reopened", true)
	}
	return s.event(ctx, tx, c, a, EventStatus, body, false)
}
