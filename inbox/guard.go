package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/models"
)

// customerMay checks what a customer's send must pass before anything is
// stored: chat enabled (R9), not blocked (R13), the monthly cap (R10) and
// the rate limit (R11). newConversation picks the conversation limit. The
// monthly cap is looked at here so a full month costs no rate-limit quota;
// the send's transaction then takes its slot with countInbound, the check
// that holds under concurrency. q is the store, or the send's transaction
// (Send checks after its locked read, saving a read of the conversation).
func (s *Service) customerMay(ctx context.Context, q models.Queries, a models.Actor, email string, newConversation bool) (monthlyCap, error) {
	var mc monthlyCap
	// The settings as stored now (a change applies to the next send) and
	// the blocks, in one statement.
	settings, blocked, err := q.SettingsAndBlocked(ctx, a.ID, email, a.IP)
	if err != nil {
		return mc, err
	}
	if !settings.EnableCustomerChat {
		return mc, models.Errorf(models.EFORBIDDEN, "customer chat is turned off for this store; your earlier messages are still here")
	}
	if blocked {
		return mc, models.Errorf(models.EFORBIDDEN, models.MsgBlocked)
	}
	mc = monthlyCap{loc: settings.Location(), max: settings.MaxCustomerMessagesPerMonth}
	if mc.max >= 0 {
		n, err := q.MonthlyCustomerMessages(ctx, models.MonthOf(s.now(), mc.loc))
		if err != nil {
			return mc, err
		}
		if n >= mc.max {
			return mc, errMonthFull()
		}
	}
	return mc, s.rateLimit(ctx, a, s.limitsFrom(settings), newConversation)
}

// monthlyCap is R10's cap as customerMay read it: at most max inbound
// customer messages (-1: no cap) per calendar month in the store's time zone.
type monthlyCap struct {
	loc *time.Location
	max int
}

func errMonthFull() error {
	return models.Errorf(models.EFORBIDDEN, "the store cannot take more messages this month; please try again later")
}

// countInbound counts a customer's message m in its month inside the send's
// transaction (R10): of concurrent sends only as many as the cap leaves
// room for pass, the others roll back with their message. Uncapped months
// are counted too, so a cap set mid-month starts from the true count. Call
// it last in the transaction: the month's row stays locked until commit.
func (s *Service) countInbound(ctx context.Context, tx *models.Tx, a models.Actor, mc monthlyCap, m models.Message) error {
	if !a.IsCustomer() {
		return nil
	}
	ok, err := tx.CountCustomerMessage(ctx, models.MonthOf(m.CreatedAt, mc.loc), mc.max)
	if err != nil {
		return err
	}
	if !ok {
		return errMonthFull()
	}
	return nil
}

// rateLimit applies R11's limits as the settings set them (limitsFrom).
func (s *Service) rateLimit(ctx context.Context, a models.Actor, limits Limits, newConversation bool) error {
	if s.limiter == nil {
		return fmt.Errorf("rate limit: no limiter configured")
	}
	key, limit := rateKey(a, limits, newConversation)
	what := "messages"
	if newConversation {
		what = "conversations"
	}
	ok, retry, err := s.limiter.Allow(ctx, key, limit, limits.Window)
	if err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	if !ok {
		secs := int((retry + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = 1
		}
		return &models.Error{Code: models.ERATELIMITED, RetryAfter: secs,
			Message: fmt.Sprintf("too many %s: at most %d per minute; try again in %d s", what, limit, secs)}
	}
	return nil
}

// rateKey is the limiter key and limit of an actor's sends (R11): the one
// place Send, Start and Quota take them from.
func rateKey(a models.Actor, limits Limits, newConversation bool) (string, int) {
	what, limit := "messages", limits.CustomerMessages
	switch {
	case newConversation && a.Kind == models.ActorGuest:
		what, limit = "conversations", limits.GuestConversations
	case newConversation:
		what, limit = "conversations", limits.CustomerConversations
	case a.Kind == models.ActorGuest:
		limit = limits.GuestMessages
	}
	return fmt.Sprintf("rl:%s:%s:%d", what, a.Kind, a.ID), limit
}
