package inbox

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// BulkCSVHeader is the first row of an export of several conversations:
// the conversation's id, subject and status, then the columns of a
// one-conversation export (CSVHeader).
var BulkCSVHeader = append([]string{"conversation_id", "subject", "status"}, CSVHeader...)

// BulkExport is an authorized CSV export of several conversations (R15),
// ready to be written.
type BulkExport struct {
	parts []*Export
	// Filename is the download's name.
	Filename string
}

// ExportMany authorizes one CSV export of up to MaxBulk conversations for
// staff (R15: what they may read, notes marked as notes), all or nothing:
// one conversation outside the caller's scope is not found, named, and
// nothing is exported. Each conversation's export is audited (R20).
func (s *Service) ExportMany(ctx context.Context, a models.Actor, ids []int64) (*BulkExport, error) {
	if !a.IsStaff() {
		return nil, models.Errorf(models.EFORBIDDEN, "only staff export several conversations at once")
	}
	ids, err := cleanIDs(ids)
	if err != nil {
		return nil, err
	}
	x := &BulkExport{Filename: fmt.Sprintf("conversations-%d.csv", len(ids))}
	err = s.store.InTx(ctx, func(tx *models.Tx) error {
		convs, err := s.lockVisible(ctx, tx, a, ids)
		if err != nil {
			return err
		}
		byID := make(map[int64]models.Conversation, len(convs))
		for _, c := range convs {
			byID[c.ID] = c
		}
		for _, id := range ids {
			c := byID[id]
			if !s.can(a, policies.Export, &c) {
				return &models.Error{Code: models.EFORBIDDEN, IDs: []int64{c.ID}, Message: fmt.Sprintf("you may not download conversation %d", c.ID)}
			}
			if err := s.audit(ctx, tx, a, "conversation.export", "conversation", c.ID,
				nil, auditView{Status: c.Status, AssignedTo: c.AssignedTo, Subject: c.Subject, CustomerID: c.CustomerID}); err != nil {
				return err
			}
			x.parts = append(x.parts, &Export{svc: s, conversation: c, staff: true})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("export conversations: %w", err)
	}
	return x, nil
}

// Write streams the export: one header row, then each conversation's
// timeline oldest first, in the order the ids were given.
func (x *BulkExport) Write(ctx context.Context, w io.Writer) error {
	cw := NewCSVWriter(w)
	if err := cw.Write(BulkCSVHeader); err != nil {
		return err
	}
	for _, e := range x.parts {
		c := e.conversation
		prefix := []string{strconv.FormatInt(c.ID, 10), c.Subject, string(c.Status)}
		if err := e.rows(ctx, func(row []string) error { return cw.Write(append(prefix[:3:3], row...)) }, cw.Flush); err != nil {
			return err
		}
	}
	return cw.Flush()
}
