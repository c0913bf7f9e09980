package inbox

import (
	"context"

	"github.com/parleyhq/parley/models"
)

// HistoryPage is how many messages a thread shows at first and each
// "older" page adds.
const HistoryPage = 50

// Page is a run of a thread's timeline in timeline order (oldest first)
// and the cursor of the run before it ("" at the beginning).
type Page struct {
	Messages []models.Message
	Older    string
}

// OpenRecent is Open with only the newest HistoryPage messages: the thread
// as the API and the portal first show it. It marks the thread read for
// the reader's side (R1); customers see public messages only (R8).
func (s *Service) OpenRecent(ctx context.Context, a models.Actor, id int64) (models.Conversation, Page, error) {
	c, err := s.load(ctx, s.store.Queries, a, id, false)
	if err != nil {
		return c, Page{}, err
	}
	if err := s.MarkRead(ctx, a, id); err != nil {
		return c, Page{}, err
	}
	if a.IsStaff() {
		c.IsReadByAdmin = true
	} else {
		c.IsReadByUser = true
	}
	p, err := s.page(ctx, a, id, 0)
	return c, p, err
}

// History is the page of a thread before cursor (a Page.Older), for
// readers of the thread only: outside their scope it does not exist (R6a),
// and customers see public messages only (R8). A cursor not made by
// Parley is invalid.
func (s *Service) History(ctx context.Context, a models.Actor, id int64, cursor string) (Page, error) {
	if _, err := s.load(ctx, s.store.Queries, a, id, false); err != nil {
		return Page{}, err
	}
	var before int64
	if cursor != "" {
		_, mid, err := models.DecodeCursor(cursor)
		if err != nil {
			return Page{}, err
		}
		before = mid
	}
	return s.page(ctx, a, id, before)
}

func (s *Service) page(ctx context.Context, a models.Actor, id, before int64) (Page, error) {
	ms, err := s.store.MessagesBefore(ctx, id, !a.IsStaff(), before, HistoryPage+1)
	if err != nil {
		return Page{}, err
	}
	var p Page
	if len(ms) > HistoryPage {
		ms = ms[:HistoryPage]
		oldest := ms[len(ms)-1]
		p.Older = models.EncodeCursor(oldest.CreatedAt, oldest.ID)
	}
	for i, j := 0, len(ms)-1; i < j; i, j = i+1, j-1 {
		ms[i], ms[j] = ms[j], ms[i]
	}
	p.Messages = make([]models.Message, 0, len(ms))
	for _, m := range ms {
		if m.Public || a.IsStaff() { // R8 holds even if a query were wrong
			p.Messages = append(p.Messages, m)
		}
	}
	return p, nil
}

// OwnOrders lists the calling customer's own orders, newest first (R4: the
// orders a new conversation may link). Staff and guests have none here.
func (s *Service) OwnOrders(ctx context.Context, a models.Actor) ([]models.Order, error) {
	if a.Kind != models.ActorCustomer {
		return nil, nil
	}
	return s.store.CustomerOrders(ctx, a.ID, 200)
}

// NearCutoff reports whether the oldest message of a thread the actor may
// read will be purged within RetentionWarnDays (R14's near-cutoff
// warning), and the retention in days (0: kept forever).
func (s *Service) NearCutoff(ctx context.Context, a models.Actor, id int64) (int, bool, error) {
	st, err := s.store.Settings(ctx)
	if err != nil || st.RetentionDays <= 0 {
		return 0, false, err
	}
	if _, err := s.load(ctx, s.store.Queries, a, id, false); err != nil {
		return 0, false, err
	}
	first, err := s.store.MessagesAfter(ctx, id, !a.IsStaff(), 0, 1)
	if err != nil || len(first) == 0 {
		return st.RetentionDays, false, err
	}
	cut := s.now().AddDate(0, 0, -st.RetentionDays)
	return st.RetentionDays, first[0].CreatedAt.Before(cut.AddDate(0, 0, RetentionWarnDays)), nil
}
