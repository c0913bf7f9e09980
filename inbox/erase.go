package inbox

import (
	"context"

	"github.com/parleyhq/parley/models"
)

// EraseShopCustomer is the customer data erasure (docs/design.md R2: a
// system operation) of the customer with the shop's id.
func (s *Service) EraseShopCustomer(ctx context.Context, a models.Actor, externalID string) (models.Erasure, error) {
	if err := s.system(a); err != nil {
		return models.Erasure{}, err
	}
	if err := ValidExternalID("external_id", externalID); err != nil {
		return models.Erasure{}, err
	}
	id, err := s.store.CustomerIDByExternal(ctx, externalID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return models.Erasure{}, models.Errorf(models.ENOTFOUND, "customer %q not found", externalID)
	} else if err != nil {
		return models.Erasure{}, err
	}
	return s.EraseCustomer(ctx, a, id)
}

// EraseCustomer removes a customer and all their data: conversations,
// messages, attachments (rows, then files), notifications, tokens and
// sessions, orders and cart. One audit entry is kept, without content:
// who erased which customer id, when, and how much went.
func (s *Service) EraseCustomer(ctx context.Context, a models.Actor, customerID int64) (models.Erasure, error) {
	if err := s.system(a); err != nil {
		return models.Erasure{}, err
	}
	var e models.Erasure
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		var err error
		if e, err = tx.EraseCustomer(ctx, customerID); err != nil {
			if models.ErrorCode(err) == models.ENOTFOUND {
				return models.NotFound("customer", customerID)
			}
			return err
		}
		return s.audit(ctx, tx, a, "customer.erase", "customer", customerID, nil, e)
	})
	if err != nil {
		return models.Erasure{}, err
	}
	// Rows went in the transaction, files go after it commits (a file left
	// behind is unreachable, never a row pointing at nothing).
	s.removeFiles(ctx, e.StorageKeys)
	return e, nil
}
