package inbox_test

import (
	"testing"

	"github.com/parleyhq/parley/models"
)

// TestStaffNames: staff read every staff member's username; a customer is
// refused.
func TestStaffNames(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		names, err := e.svc.StaffNames(e.ctx, e.agent)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []models.Actor{e.owner, e.admin, e.chatAdmin, e.agent, e.agent2} {
			if names[a.ID] != a.Name {
				t.Errorf("names[%d] = %q, want %q", a.ID, names[a.ID], a.Name)
			}
		}
		if _, err := e.svc.StaffNames(e.ctx, e.MustCustomer()); models.ErrorCode(err) != models.EFORBIDDEN {
			t.Errorf("customer: %v, want forbidden", err)
		}
	})
}
