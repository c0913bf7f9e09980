package inbox

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/models"
)

// TaskNotifyNewMessage is the outbox task type of R19; jobs defines the
// handler under the same name, which calls NotifyNewMessage.
const TaskNotifyNewMessage = "notify:new_message"

// NotificationNewMessage is the kind of a NEW_MESSAGE notification.
const NotificationNewMessage = "new_message"

// notify queues the NEW_MESSAGE notification of a reply in the same
// transaction (outbox), so a Redis outage loses nothing.
func (s *Service) notify(ctx context.Context, tx *models.Tx, m models.Message) error {
	if m.Kind != models.KindReply {
		return nil
	}
	return tx.InsertOutbox(ctx, TaskNotifyNewMessage, fmt.Sprintf(`{"message_id":%d}`, m.ID), s.now())
}
