package models

import (
	"context"
	"fmt"
)

// ConversationsByID loads the conversations among ids that exist, in id
// order, in one query and without locking them.
func (q Queries) ConversationsByID(ctx context.Context, ids []int64) ([]Conversation, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := inList(ids)
	rows, err := q.q.QueryContext(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id IN (`+in+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("conversations by id: %w", translate(err))
	}
	return collectConversations(rows)
}
