package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// Notifier handles notify:new_message (R19): a staff reply notifies the
// customer; a customer message notifies the assignee, or every staff
// member who may see it when unassigned. Notifications are unique per
// recipient and message, so a retried task adds nothing.
type Notifier struct {
	store *models.Store
	pol   *policies.Enforcer
}

// NewNotifier builds the handler.
func NewNotifier(store *models.Store, pol *policies.Enforcer) *Notifier {
	return &Notifier{store: store, pol: pol}
}

// ProcessTask implements asynq.Handler.
func (n *Notifier) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p NewMessagePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.MessageID <= 0 {
		return fmt.Errorf("notify payload %q: %v: %w", t.Payload(), err, asynq.SkipRetry)
	}
	m, err := n.store.MessageByID(ctx, p.MessageID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return nil // deleted since (R2, retention): nothing to tell
	}
	if err != nil {
		return err
	}
	if !m.Public {
		return nil // R8: notes never notify customers, and staff see them in place
	}
	c, err := n.store.Conversation(ctx, m.ConversationID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	now := models.Now(time.Now())
	note := models.Notification{ConversationID: c.ID, MessageID: m.ID, Kind: "new_message", CreatedAt: now}
	if m.AuthorType == models.ActorStaff {
		note.RecipientType, note.RecipientID = models.ActorCustomer, c.CustomerID
		_, err := n.store.InsertNotification(ctx, note)
		return err
	}
	staff, err := n.store.ListStaff(ctx)
	if err != nil {
		return err
	}
	for _, s := range staff {
		a := models.Actor{Kind: models.ActorStaff, ID: s.ID, Role: s.Role}
		if !s.Active || !n.pol.Can(a, "conversation", policies.Read, &c) {
			continue
		}
		// Assigned: only the assignee (and chat admins, who see all) hear of it.
		if c.AssignedTo != nil && *c.AssignedTo != s.ID && !n.pol.Can(a, "conversation", policies.Assign, &c) {
			continue
		}
		note.RecipientType, note.RecipientID = models.ActorStaff, s.ID
		if _, err := n.store.InsertNotification(ctx, note); err != nil {
			return err
		}
	}
	return nil
}
