package inbox

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// The back office's plain tables, read-only: customers (search), orders,
// blocks, and the audit log. Who may list what is Casbin's: the customer
// directory, orders and blocks are chat admins' and up (customers.list) —
// an agent reaches a customer through the conversations they may see; the
// audit log is admins' and up (audit.read).

func (s *Service) mayListCustomers(a models.Actor) error {
	if !s.pol.Can(a, policies.ObjCustomer, policies.ListCustomers, nil) {
		return models.Errorf(models.EFORBIDDEN, "you may not list customers")
	}
	return nil
}

// MaxSearchLen bounds a search text in code points.
const MaxSearchLen = 200

// CustomerSearch finds customers by the start of their name or e-mail, or
// by an order number (exact), case-insensitive; with no text it lists them
// newest first, a page before the id given. Search shows the first
// DirectoryPageSize matches only.
func (s *Service) CustomerSearch(ctx context.Context, a models.Actor, text string, before int64) ([]models.Customer, error) {
	if err := s.mayListCustomers(a); err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	if !utf8.ValidString(text) || utf8.RuneCountInString(text) > MaxSearchLen {
		return nil, models.Errorf(models.EINVALID, "search text must be valid text of at most %d characters", MaxSearchLen)
	}
	if text == "" {
		return s.store.ListCustomers(ctx, before, models.DirectoryPageSize)
	}
	return s.store.SearchCustomers(ctx, text, models.DirectoryPageSize)
}

// DirectoryCustomer loads one customer of the directory (the "Message"
// form names them).
func (s *Service) DirectoryCustomer(ctx context.Context, a models.Actor, id int64) (models.Customer, error) {
	if err := s.mayListCustomers(a); err != nil {
		return models.Customer{}, err
	}
	c, err := s.store.Customer(ctx, id)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return c, models.NotFound("customer", id)
	}
	return c, err
}

// Orders lists orders newest first (read-only), optionally one by number or
// one customer's.
func (s *Service) Orders(ctx context.Context, a models.Actor, number string, customerID, before int64) ([]models.OrderRow, error) {
	if err := s.mayListCustomers(a); err != nil {
		return nil, err
	}
	number = strings.TrimSpace(number)
	if !utf8.ValidString(number) || len(number) > 100 {
		return nil, models.Errorf(models.EINVALID, "an order number is at most 100 characters")
	}
	return s.store.ListOrders(ctx, number, customerID, before, models.DirectoryPageSize)
}

// Blocks lists the blocks in force newest first (R13).
func (s *Service) Blocks(ctx context.Context, a models.Actor, before int64) ([]models.BlockRow, error) {
	if err := s.mayListCustomers(a); err != nil {
		return nil, err
	}
	return s.store.ListBlocks(ctx, before, models.DirectoryPageSize)
}

// Audit lists audit entries newest first (R20), filtered.
func (s *Service) Audit(ctx context.Context, a models.Actor, f models.AuditFilter) ([]models.AuditEntry, error) {
	if !s.pol.Can(a, policies.ObjAudit, policies.ReadAudit, nil) {
		return nil, models.Errorf(models.EFORBIDDEN, "you may not read the audit log")
	}
	for _, v := range []string{f.Actor, f.Action, f.SubjectType} {
		if !utf8.ValidString(v) || len(v) > 255 {
			return nil, models.Errorf(models.EINVALID, "audit filters are text of at most 255 bytes")
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return nil, models.Errorf(models.EINVALID, "the start of the date range must come before its end")
	}
	return s.store.SearchAudit(ctx, f, models.DirectoryPageSize)
}

// AuditActions lists the actions recorded, for the audit filter.
func (s *Service) AuditActions(ctx context.Context, a models.Actor) ([]string, error) {
	if !s.pol.Can(a, policies.ObjAudit, policies.ReadAudit, nil) {
		return nil, models.Errorf(models.EFORBIDDEN, "you may not read the audit log")
	}
	return s.store.AuditActions(ctx)
}
