package inbox

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// More bulk actions of the inbox list (BulkDelete, BulkClose and
// BulkResolve are in status.go). Each runs all or nothing in one
// transaction; a refusal names the conversation it stopped at.
const (
	BulkReopen     = "reopen"
	BulkTake       = "take"
	BulkMarkRead   = "mark_read"
	BulkMarkUnread = "mark_unread"
	BulkAssign     = "assign" // with an assignee: BulkAssignTo
)

// BulkActions lists every action Bulk and BulkAssignTo run.
var BulkActions = []string{BulkResolve, BulkClose, BulkReopen, BulkAssign, BulkTake, BulkMarkRead, BulkMarkUnread, BulkDelete}

// bulkMore runs the actions added for the list of issue 6; ok is false for
// an action it does not know.
func (s *Service) bulkMore(ctx context.Context, a models.Actor, action string, ids []int64) (done []int64, ok bool, err error) {
	switch action {
	case BulkReopen:
		return ids, true, s.bulkEach(ctx, a, action, ids, func(tx *models.Tx, c models.Conversation) error {
			if !c.Status.IsTerminal() {
				return nil // already open in some way: nothing to do
			}
			_, err := s.changeStatus(ctx, tx, a, c, models.StatusOpen, "")
			return err
		})
	case BulkTake:
		return ids, true, s.bulkIDs(ctx, action, ids, func(tx *models.Tx, id int64) error {
			_, err := s.take(ctx, tx, a, id)
			return err
		})
	case BulkMarkRead, BulkMarkUnread:
		read := action == BulkMarkRead
		return ids, true, s.bulkEach(ctx, a, action, ids, func(tx *models.Tx, c models.Conversation) error {
			if !a.IsStaff() {
				return models.Errorf(models.EFORBIDDEN, "only staff mark conversations read for staff")
			}
			return tx.SetReadByStaff(ctx, c.ID, read)
		})
	case BulkAssign:
		return nil, true, models.Errorf(models.EINVALID, "assign needs assigned_to")
	}
	return nil, false, nil
}

// BulkAssignTo gives many conversations to one staff member (nil
// unassigns), all or nothing: chat admins and above (R6).
func (s *Service) BulkAssignTo(ctx context.Context, a models.Actor, ids []int64, to *int64) ([]int64, error) {
	ids, err := cleanIDs(ids)
	if err != nil {
		return nil, err
	}
	err = s.bulkIDs(ctx, BulkAssign, ids, func(tx *models.Tx, id int64) error {
		_, err := s.assign(ctx, tx, a, id, to)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// bulkEach locks the visible conversations and applies f to each.
func (s *Service) bulkEach(ctx context.Context, a models.Actor, action string, ids []int64, f func(*models.Tx, models.Conversation) error) error {
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		convs, err := s.lockVisible(ctx, tx, a, ids)
		if err != nil {
			return err
		}
		for _, c := range convs {
			if err := f(tx, c); err != nil {
				return naming(err, c.ID)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bulk %s: %w", action, err)
	}
	return nil
}

// bulkIDs applies f to each id in one transaction (f loads and checks).
func (s *Service) bulkIDs(ctx context.Context, action string, ids []int64, f func(*models.Tx, int64) error) error {
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		for _, id := range ids {
			if err := f(tx, id); err != nil {
				return naming(err, id)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bulk %s: %w", action, err)
	}
	return nil
}

// naming makes a domain error carry the conversation it is about.
func naming(err error, id int64) error {
	if e := models.AsError(err); e != nil && len(e.IDs) == 0 {
		return &models.Error{Code: e.Code, Message: e.Message, IDs: []int64{id}}
	}
	return err
}

// MayAssign reports whether a may assign conversations to others (the
// list shows "Assign to…" only then; every assignment is checked again).
func (s *Service) MayAssign(a models.Actor) bool {
	return a.IsStaff() && s.can(a, policies.Assign, nil)
}
