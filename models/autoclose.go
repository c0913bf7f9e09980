package models

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// IdleConversations lists, in id order after afterID, conversations in one
// of the statuses with no public reply (either side) since `before`,
// assigned or not (R16).
func (q Queries) IdleConversations(ctx context.Context, statuses []Status, assigned bool, before time.Time, afterID int64, limit int) ([]int64, error) {
	in := strings.TrimSuffix(strings.Repeat("?,", len(statuses)), ",")
	args := make([]any, 0, len(statuses)+3)
	for _, s := range statuses {
		args = append(args, s)
	}
	cond := "assigned_to IS NULL"
	if assigned {
		cond = "assigned_to IS NOT NULL"
	}
	// Idle = no public message either way since before (R16). public_last_at
	// also moves with public status events (resolved, closed, reopened), so
	// a thread whose public_last_at is recent is still idle when its newest
	// public reply is old: those few recent ones are checked against their
	// messages (messages_conversation).
	args = append(args, Now(before), KindReply, true, Now(before), afterID, limit)
	rows, err := q.q.QueryContext(ctx, `SELECT id FROM conversations c WHERE status IN (`+in+`)
		AND (public_last_at < ? OR NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id
			AND m.kind = ? AND m.is_public = ? AND m.created_at >= ?))
		AND `+cond+` AND id > ? ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("idle conversations: %w", translate(err))
	}
	return collectIDs(rows)
}

// UnassignedWaiting lists unassigned conversations waiting on the store
// (OPEN, AWAITING_ADMIN), oldest first: what distribution hands out (R17).
func (q Queries) UnassignedWaiting(ctx context.Context, limit int) ([]int64, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id FROM conversations WHERE assigned_to IS NULL AND status IN (?, ?)
		ORDER BY id LIMIT ?`, StatusOpen, StatusAwaitingAdmin, limit)
	if err != nil {
		return nil, fmt.Errorf("waiting conversations: %w", translate(err))
	}
	return collectIDs(rows)
}

// OpenAssignedCounts counts each staff member's open assigned
// conversations (not RESOLVED, not CLOSED).
func (q Queries) OpenAssignedCounts(ctx context.Context, staff []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(staff) == 0 {
		return out, nil
	}
	in, args := inList(staff)
	args = append(args, StatusResolved, StatusClosed)
	rows, err := q.q.QueryContext(ctx, `SELECT assigned_to, COUNT(*) FROM conversations WHERE assigned_to IN (`+in+`)
		AND status NOT IN (?, ?) GROUP BY assigned_to`, args...)
	if err != nil {
		return nil, fmt.Errorf("open assigned counts: %w", translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

func collectIDs(rows interface {
	Next() bool
	Scan(...any) error
	Close() error
	Err() error
}) ([]int64, error) {
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
