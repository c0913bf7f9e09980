package inbox

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// BlockInput names what to block: a customer, an e-mail or an IP (R13).
type BlockInput struct {
	CustomerID *int64
	Email      string
	IP         string
	Reason     string
}

// Block refuses a customer's or guest's sends from now on (R13).
func (s *Service) Block(ctx context.Context, a models.Actor, in BlockInput) (models.Block, error) {
	var b models.Block
	if !s.pol.Can(a, "block", policies.Block, nil) {
		return b, models.Errorf(models.EFORBIDDEN, "you may not block customers")
	}
	in.Email = strings.TrimSpace(in.Email)
	in.IP = strings.TrimSpace(in.IP)
	if in.CustomerID == nil && in.Email == "" && in.IP == "" {
		return b, models.Errorf(models.EINVALID, "name a customer, an e-mail or an IP to block")
	}
	if in.IP != "" && net.ParseIP(in.IP) == nil {
		return b, models.Errorf(models.EINVALID, "%q is not an IP address", in.IP)
	}
	if in.Email != "" && !strings.Contains(in.Email, "@") {
		return b, models.Errorf(models.EINVALID, "%q is not an e-mail address", in.Email)
	}
	if in.CustomerID != nil {
		if _, err := s.store.Customer(ctx, *in.CustomerID); err != nil {
			return b, models.NotFound("customer", *in.CustomerID)
		}
	}
	b = models.Block{CustomerID: in.CustomerID, Email: in.Email, IP: in.IP, Reason: in.Reason, CreatedBy: a.ID, CreatedAt: s.now()}
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		if err := tx.InsertBlock(ctx, &b); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "customer.block", "block", b.ID, nil, b)
	})
	if err != nil {
		return models.Block{}, fmt.Errorf("block: %w", err)
	}
	return b, nil
}

// Unblock lifts a block.
func (s *Service) Unblock(ctx context.Context, a models.Actor, blockID int64) error {
	if !s.pol.Can(a, "block", policies.Block, nil) {
		return models.Errorf(models.EFORBIDDEN, "you may not unblock customers")
	}
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		b, err := tx.Block(ctx, blockID)
		if err != nil {
			return models.NotFound("block", blockID)
		}
		if _, err := tx.DeleteBlock(ctx, blockID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "customer.unblock", "block", blockID, b, nil)
	})
	if err != nil {
		return fmt.Errorf("unblock %d: %w", blockID, err)
	}
	return nil
}
