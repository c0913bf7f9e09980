package inbox

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/models"
)

// TaskNotifyNewMessage is the outbox task type of R19; jobs defines the
// handler under the same name, which calls NotifyNewMessage.
const TaskNotifyNewMessage = "notify:new_message"

// TaskNotifyEscalation is the outbox task of an escalation (R19, R21);
// its handler calls NotifyEscalation.
const TaskNotifyEscalation = "notify:escalation"

// Notification kinds.
const (
	NotificationNewMessage = "new_message"
	NotificationEscalation = "escalation"
)

// notify queues the NEW_MESSAGE notification of a reply in the same
// transaction (outbox), so a Redis outage loses nothing.
func (s *Service) notify(ctx context.Context, tx *models.Tx, m models.Message) error {
	if m.Kind != models.KindReply {
		return nil
	}
	return tx.InsertOutbox(ctx, TaskNotifyNewMessage, fmt.Sprintf(`{"message_id":%d}`, m.ID), s.now())
}

// notifyEscalation queues the escalation notification of a conversation
// just escalated in this transaction: its newest status event is the
// escalation's.
func (s *Service) notifyEscalation(ctx context.Context, tx *models.Tx, c models.Conversation) error {
	id, err := tx.LastEventID(ctx, c.ID, EventStatus)
	if err != nil {
		return err
	}
	return tx.InsertOutbox(ctx, TaskNotifyEscalation, fmt.Sprintf(`{"message_id":%d}`, id), s.now())
}
