package inbox

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/parleyhq/parley/models"
)

// AutoCloseResult counts what an auto-close run closed (or would close).
type AutoCloseResult struct {
	DryRun           bool
	ClosedAssigned   int // assigned, AWAITING_USER or RESOLVED, idle auto_close_after_days
	ClosedUnassigned int // unassigned, idle auto_close_unassigned_after_days
}

// autoCloseRule is one of R16's two rules.
type autoCloseRule struct {
	assigned bool
	statuses []models.Status
	days     int
}

func autoCloseRules(st models.Settings) []autoCloseRule {
	return []autoCloseRule{
		{assigned: true, statuses: []models.Status{models.StatusAwaitingUser, models.StatusResolved}, days: st.AutoCloseAfterDays},
		// Any unassigned thread but ESCALATED (never) and CLOSED (already).
		{assigned: false, statuses: []models.Status{models.StatusOpen, models.StatusAwaitingAdmin, models.StatusAwaitingUser, models.StatusResolved},
			days: st.AutoCloseUnassignedAfterDays},
	}
}

// AutoClose closes idle conversations (R16), as the system: idle means no
// public message either way since the cut-off — notes and events (staff-only
// or public, such as "resolved") do not count. Assigned threads close from AWAITING_USER or RESOLVED
// after auto_close_after_days, unassigned ones from any status but
// ESCALATED after auto_close_unassigned_after_days (0 turns a rule off);
// ESCALATED never closes by itself. Each close is one short transaction
// that checks the conversation again under its lock, so a message that
// arrives meanwhile keeps it open; each writes the timeline events and an
// audit entry. A customer writing afterwards lands in a follow-up (R: CLOSED).
func (s *Service) AutoClose(ctx context.Context, dryRun bool) (AutoCloseResult, error) {
	res := AutoCloseResult{DryRun: dryRun}
	st, err := s.store.Settings(ctx)
	if err != nil {
		return res, err
	}
	now := s.now()
	for _, r := range autoCloseRules(st) {
		if r.days <= 0 {
			continue
		}
		before := models.Now(now.In(st.Location()).AddDate(0, 0, -r.days))
		reason := fmt.Sprintf("closed automatically after %d days without messages", r.days)
		var after int64
		for {
			ids, err := s.store.IdleConversations(ctx, r.statuses, r.assigned, before, after, 200)
			if err != nil {
				return res, err
			}
			for _, id := range ids {
				closed := true
				if !dryRun {
					if closed, err = s.autoCloseOne(ctx, id, r, before, reason); err != nil {
						return res, fmt.Errorf("auto-close %d: %w", id, err)
					}
				}
				if closed && r.assigned {
					res.ClosedAssigned++
				} else if closed {
					res.ClosedUnassigned++
				}
			}
			if len(ids) < 200 {
				break
			}
			after = ids[len(ids)-1]
		}
	}
	return res, nil
}

func (s *Service) autoCloseOne(ctx context.Context, id int64, r autoCloseRule, before time.Time, reason string) (bool, error) {
	closed := false
	var out models.Conversation
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		closed = false
		c, err := tx.LockConversation(ctx, id)
		if models.ErrorCode(err) == models.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if !slices.Contains(r.statuses, c.Status) || c.IsAssigned() != r.assigned {
			return nil // it moved meanwhile
		}
		// Idle by its newest public reply, either side: public status
		// events (resolved, reopened) move public_last_at but are not
		// messages (R16).
		if m, ok, err := tx.LatestMessage(ctx, c.ID, true); err != nil {
			return err
		} else if ok && !m.CreatedAt.Before(before) {
			return nil
		}
		if out, err = s.changeStatus(ctx, tx, models.System, c, models.StatusClosed, reason); err != nil {
			return err
		}
		closed = true
		return nil
	})
	if closed && err == nil {
		s.publish(ctx, conversationEvent(EventConversationUpdated, out))
	}
	return closed, err
}
