package inbox

import (
	"context"

	"github.com/parleyhq/parley/models"
)

// StaffNames maps every staff member's id to their username, for pages
// that show who a conversation is assigned to. Staff only.
func (s *Service) StaffNames(ctx context.Context, a models.Actor) (map[int64]string, error) {
	if !a.IsStaff() {
		return nil, models.Errorf(models.EFORBIDDEN, "only staff see staff names")
	}
	staff, err := s.store.ListStaff(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(staff))
	for _, st := range staff {
		out[st.ID] = st.Username
	}
	return out, nil
}
