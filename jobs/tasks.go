// Package jobs runs Parley's background work on Asynq: the outbox relay
// that hands committed tasks to Redis, and the task handlers.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
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

// instanceID is the database's instance id (models.Queries.InstanceID),
// read when first needed and kept; a failed read is tried again the next
// time. Task ids carry it.
type instanceID struct {
	mu sync.Mutex
	id string
}

func (i *instanceID) load(ctx context.Context, store *models.Store) (string, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.id == "" {
		id, err := store.InstanceID(ctx)
		if err != nil {
			return "", err
		}
		i.id = id
	}
	return i.id, nil
}

// get answers the id read so far ("" before the first load).
func (i *instanceID) get() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.id
}
