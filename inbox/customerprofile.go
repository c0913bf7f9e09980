package inbox

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// Bounds of the customer panel.
const (
	ProfileOrders        = 20
	ProfileConversations = 50
	MaxCustomerNoteRunes = 5000
)

// CustomerProfile is what staff see of a customer next to a thread and at
// GET /api/v1/staff/customers/{id}: the conversations are only those the
// viewer may see (R6a).
type CustomerProfile struct {
	Customer      models.Customer
	Details       models.CustomerDetails
	Note          *models.CustomerNote
	Cart          *models.Cart
	Orders        []models.Order
	Conversations []models.Conversation // newest activity first, in the viewer's scope
	More          bool                  // more conversations than listed
}

// CustomerProfile loads a customer for staff.
func (s *Service) CustomerProfile(ctx context.Context, a models.Actor, customerID int64) (CustomerProfile, error) {
	var p CustomerProfile
	if !a.IsStaff() || !s.pol.Can(a, policies.ObjCustomer, policies.Read, nil) {
		return p, models.Errorf(models.EFORBIDDEN, "you may not see customers")
	}
	// The customer, their note and their cart in one statement.
	panel, err := s.store.CustomerPanel(ctx, customerID)
	if err != nil {
		if models.ErrorCode(err) == models.ENOTFOUND {
			return p, models.NotFound("customer", customerID)
		}
		return p, err
	}
	p.Customer, p.Details, p.Note, p.Cart = panel.Customer, panel.Details, panel.Note, panel.Cart
	if p.Cart != nil {
		if p.Cart.Items, err = s.store.CartLines(ctx, panel.CartID); err != nil {
			return p, err
		}
	}
	if p.Orders, err = s.store.CustomerOrders(ctx, customerID, ProfileOrders); err != nil {
		return p, err
	}
	page, err := s.List(ctx, a, models.ConversationFilter{CustomerID: &customerID, Limit: ProfileConversations})
	if err != nil {
		return p, err
	}
	for _, c := range page.Items {
		if s.visible(a, c) == nil { // the list is scoped; check each row anyway
			p.Conversations = append(p.Conversations, c)
		}
	}
	p.More = page.NextCursor != ""
	return p, nil
}

// SaveCustomerNote replaces the staff's note on a customer (empty removes
// it); audited (R20). Customers never see it.
func (s *Service) SaveCustomerNote(ctx context.Context, a models.Actor, customerID int64, body string) (models.CustomerNote, error) {
	n := models.CustomerNote{CustomerID: customerID, Body: strings.TrimSpace(body), UpdatedBy: a.ID, UpdatedAt: s.now()}
	if !a.IsStaff() || !s.pol.Can(a, policies.ObjCustomer, policies.Read, nil) {
		return n, models.Errorf(models.EFORBIDDEN, "you may not write notes on customers")
	}
	if !utf8.ValidString(body) {
		return n, models.Errorf(models.EINVALID, "the note is not valid UTF-8 text")
	}
	if k := utf8.RuneCountInString(n.Body); k > MaxCustomerNoteRunes {
		return n, models.Errorf(models.ETOOLARGE, "the note is %d characters long; the limit is %d", k, MaxCustomerNoteRunes)
	}
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		if _, err := tx.Customer(ctx, customerID); err != nil {
			if models.ErrorCode(err) == models.ENOTFOUND {
				return models.NotFound("customer", customerID)
			}
			return err
		}
		before, ok, err := tx.CustomerNote(ctx, customerID)
		if err != nil {
			return err
		}
		var old any
		if ok {
			old = map[string]string{"note": before.Body}
		}
		if err := tx.SaveCustomerNote(ctx, n); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "customer.note", "customer", customerID, old, map[string]string{"note": n.Body})
	})
	if err != nil {
		return n, fmt.Errorf("note on customer %d: %w", customerID, err)
	}
	return n, nil
}
