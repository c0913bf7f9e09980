package inbox

import (
	"context"
	"fmt"
	"slices"
	"strings"

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

// checkBulkAction refuses an unknown action, and assign without an
// assignee (withAssignee: the caller gave assigned_to).
func checkBulkAction(action string, withAssignee bool) error {
	if !slices.Contains(BulkActions, action) {
		return models.Errorf(models.EINVALID, "unknown bulk action %q (use %s)", action, strings.Join(BulkActions, ", "))
	}
	if action == BulkAssign && !withAssignee {
		return models.Errorf(models.EINVALID, "assign needs assigned_to")
	}
	if action != BulkAssign && withAssignee {
		return models.Errorf(models.EINVALID, "assigned_to goes with the assign action")
	}
	return nil
}

// bulkCommit runs one checked action over checked ids in its own
// transaction, then removes the files of deleted rows.
func (s *Service) bulkCommit(ctx context.Context, a models.Actor, action string, ids []int64, to *int64) error {
	var files []string
	before := s.snapshot(ctx, ids)
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		var err error
		files, err = s.bulkTx(ctx, tx, a, action, ids, to)
		return err
	})
	if err != nil {
		if action == BulkDelete {
			return fmt.Errorf("delete: %w", err)
		}
		return fmt.Errorf("bulk %s: %w", action, err)
	}
	s.removeFiles(ctx, files) // R12: the files go with their rows
	s.publishChanges(ctx, before, ids)
	return nil
}

// bulkTx applies one action to the conversations inside tx, all or
// nothing: the first refusal names its conversation and the caller rolls
// back. It answers the attachment files of deleted rows, to remove after
// commit. The selected-rows actions and every batch of a bulk job run
// through it, so both follow the same rules.
func (s *Service) bulkTx(ctx context.Context, tx *models.Tx, a models.Actor, action string, ids []int64, to *int64) ([]string, error) {
	switch action {
	case BulkDelete:
		return s.deleteTx(ctx, tx, a, ids)
	case BulkClose, BulkResolve:
		target := models.StatusClosed
		if action == BulkResolve {
			target = models.StatusResolved
		}
		return nil, s.bulkEach(ctx, tx, a, ids, func(tx *models.Tx, c models.Conversation) error {
			if c.Status == target {
				return nil // already there: nothing to do, not a failure
			}
			_, err := s.changeStatus(ctx, tx, a, c, target, "")
			return err
		})
	case BulkReopen:
		return nil, s.bulkEach(ctx, tx, a, ids, func(tx *models.Tx, c models.Conversation) error {
			if !c.Status.IsTerminal() {
				return nil // already open in some way: nothing to do
			}
			_, err := s.changeStatus(ctx, tx, a, c, models.StatusOpen, "")
			return err
		})
	case BulkTake:
		return nil, s.bulkIDs(tx, ids, func(tx *models.Tx, id int64) error {
			_, err := s.take(ctx, tx, a, id)
			return err
		})
	case BulkMarkRead, BulkMarkUnread:
		read := action == BulkMarkRead
		return nil, s.bulkEach(ctx, tx, a, ids, func(tx *models.Tx, c models.Conversation) error {
			if !a.IsStaff() {
				return models.Errorf(models.EFORBIDDEN, "only staff mark conversations read for staff")
			}
			return tx.SetReadByStaff(ctx, c.ID, read)
		})
	case BulkAssign:
		return nil, s.bulkIDs(tx, ids, func(tx *models.Tx, id int64) error {
			_, err := s.assign(ctx, tx, a, id, to)
			return err
		})
	}
	return nil, models.Errorf(models.EINVALID, "unknown bulk action %q", action)
}

// BulkAssignTo gives many conversations to one staff member (nil
// unassigns), all or nothing: chat admins and above (R6).
func (s *Service) BulkAssignTo(ctx context.Context, a models.Actor, ids []int64, to *int64) ([]int64, error) {
	ids, err := cleanIDs(ids)
	if err != nil {
		return nil, err
	}
	if err := s.bulkCommit(ctx, a, BulkAssign, ids, to); err != nil {
		return nil, err
	}
	return ids, nil
}

// bulkEach locks the visible conversations and applies f to each.
func (s *Service) bulkEach(ctx context.Context, tx *models.Tx, a models.Actor, ids []int64, f func(*models.Tx, models.Conversation) error) error {
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
}

// bulkIDs applies f to each id (f loads and checks).
func (s *Service) bulkIDs(tx *models.Tx, ids []int64, f func(*models.Tx, int64) error) error {
	for _, id := range ids {
		if err := f(tx, id); err != nil {
			return naming(err, id)
		}
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
