// Package jobs runs Parley's background work on Asynq: the outbox relay
// that hands committed tasks to Redis, and the task handlers.
package jobs

import (
	"encoding/json"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/inbox"
)

// Task types, `domain:action`.
const (
	TypeNotifyNewMessage = inbox.TaskNotifyNewMessage
)

// NewMessagePayload names the message to notify about (ids only).
type NewMessagePayload struct {
	MessageID int64 `json:"message_id"`
}

// NewNotifyNewMessageTask builds the task for a message.
func NewNotifyNewMessageTask(messageID int64) (*asynq.Task, error) {
	b, err := json.Marshal(NewMessagePayload{MessageID: messageID})
	if err != nil {
		return nil, fmt.Errorf("notify payload: %w", err)
	}
	return asynq.NewTask(TypeNotifyNewMessage, b), nil
}
