package inbox

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// Delete removes CLOSED conversations with everything in them (R2), all
// or nothing: one non-CLOSED conversation among them and nothing is
// deleted, the answer a conflict naming it.
func (s *Service) Delete(ctx context.Context, a models.Actor, ids ...int64) error {
	ids, err := cleanIDs(ids)
	if err != nil {
		return err
	}
	var files []string
	before := s.snapshot(ctx, ids)
	err = s.store.InTx(ctx, func(tx *models.Tx) error {
		var err error
		files, err = s.deleteTx(ctx, tx, a, ids)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	s.removeFiles(ctx, files) // R12: the files go with their rows
	s.publishChanges(ctx, before, ids)
	return nil
}

// deleteTx is Delete inside tx (R2): it answers the attachment files to
// remove once the transaction commits.
func (s *Service) deleteTx(ctx context.Context, tx *models.Tx, a models.Actor, ids []int64) ([]string, error) {
	convs, err := s.lockVisible(ctx, tx, a, ids)
	if err != nil {
		return nil, err
	}
	var open []int64
	var openDesc string
	for _, c := range convs {
		if s.can(a, policies.Delete, &c) {
			continue
		}
		asClosed := c
		asClosed.Status = models.StatusClosed
		if c.Status == models.StatusClosed || !s.can(a, policies.Delete, &asClosed) {
			return nil, &models.Error{Code: models.EFORBIDDEN, IDs: []int64{c.ID}, Message: "you may not delete conversations"}
		}
		open = append(open, c.ID)
		openDesc = fmt.Sprintf("%s (%s)", nameIDs([]int64{c.ID}), c.Status)
	}
	if len(open) == 1 {
		return nil, &models.Error{Code: models.ECONFLICT, IDs: open, Message: openDesc + " is not closed; only closed conversations can be deleted"}
	}
	if len(open) > 1 {
		return nil, &models.Error{Code: models.ECONFLICT, IDs: open, Message: nameIDs(open) + " are not closed; only closed conversations can be deleted"}
	}
	files, err := tx.AttachmentKeysOfConversations(ctx, ids)
	if err != nil {
		return nil, err
	}
	n, err := tx.DeleteClosedConversations(ctx, ids)
	if err != nil {
		return nil, err
	}
	if n != len(ids) {
		// A concurrent reply reopened one after we looked.
		return nil, &models.Error{Code: models.ECONFLICT, IDs: ids, Message: "a conversation changed while deleting; nothing was deleted"}
	}
	for _, c := range convs {
		if err := s.audit(ctx, tx, a, "conversation.delete", "conversation", c.ID,
			auditView{Status: c.Status, AssignedTo: c.AssignedTo, Subject: c.Subject, CustomerID: c.CustomerID}, nil); err != nil {
			return nil, err
		}
	}
	return files, nil
}
