package jobs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/inbox"
)

// Notifier handles notify:new_message and notify:escalation. Who is notified is the inbox's
// decision (R19, inbox.Recipients); the handler only drives it.
type Notifier struct {
	svc *inbox.Service
}

// NewNotifier builds the handler.
func NewNotifier(svc *inbox.Service) *Notifier {
	return &Notifier{svc: svc}
}

// ProcessTask implements asynq.Handler.
func (n *Notifier) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p NewMessagePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.MessageID <= 0 {
		return fmt.Errorf("notify payload %q: %v: %w", t.Payload(), err, asynq.SkipRetry)
	}
	var err error
	if t.Type() == inbox.TaskNotifyEscalation {
		_, err = n.svc.NotifyEscalation(ctx, p.MessageID)
	} else {
		_, err = n.svc.NotifyNewMessage(ctx, p.MessageID)
	}
	return err
}
