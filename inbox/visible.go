package inbox

import (
	"context"

	"github.com/parleyhq/parley/models"
)

// CheckVisible answers nil when every id is a conversation the actor may
// see, else not_found naming the ids that are unknown or outside the
// actor's scope (R6a: the two look the same). The ids are cleaned first (1
// to MaxBulk, positive, deduplicated) and read in one query.
func (s *Service) CheckVisible(ctx context.Context, a models.Actor, ids []int64) error {
	ids, err := cleanIDs(ids)
	if err != nil {
		return err
	}
	convs, err := s.store.ConversationsByID(ctx, ids)
	if err != nil {
		return err
	}
	seen := make(map[int64]bool, len(convs))
	for _, c := range convs {
		if s.visible(a, c) == nil {
			seen[c.ID] = true
		}
	}
	var missing []int64
	for _, id := range ids {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		e := models.NotFound("conversation", missing[0])
		e.IDs = missing
		return e
	}
	return &models.Error{Code: models.ENOTFOUND, Message: "some conversations were not found", IDs: missing}
}
