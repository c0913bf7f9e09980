package inbox

import (
	"context"

	"github.com/parleyhq/parley/models"
)

// Profile returns a signed-in staff member's own account (the back
// office's profile page).
func (s *Accounts) Profile(ctx context.Context, a models.Actor) (models.Staff, error) {
	if !a.IsStaff() {
		return models.Staff{}, models.Errorf(models.EFORBIDDEN, "only staff have a profile")
	}
	return s.store.StaffMember(ctx, a.ID)
}

// Me returns a signed-in customer's or guest's own record (GET /me).
func (s *Accounts) Me(ctx context.Context, a models.Actor) (models.Customer, error) {
	if !a.IsCustomer() {
		return models.Customer{}, models.Errorf(models.EFORBIDDEN, "only customers have a customer record")
	}
	return s.store.Customer(ctx, a.ID)
}
