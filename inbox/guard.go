package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/models"
)

// customerMay checks what a customer's send must pass before anything is
// stored: chat enabled (R9), not blocked (R13), the monthly cap (R10) and
// the rate limit (R11). newConversation picks the conversation limit.
func (s *Service) customerMay(ctx context.Context, a models.Actor, email string, newConversation bool) error {
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return err
	}
	if !settings.EnableCustomerChat {
		return models.Errorf(models.EFORBIDDEN, "customer chat is turned off for this store; your earlier messages are still here")
	}
	blocked, err := s.store.IsBlocked(ctx, a.ID, email, a.IP)
	if err != nil {
		return err
	}
	if blocked {
		return models.Errorf(models.EFORBIDDEN, models.MsgBlocked)
	}
	if max := settings.MaxCustomerMessagesPerMonth; max >= 0 {
		now := s.now()
		month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		n, err := s.store.CountCustomerMessagesSince(ctx, month)
		if err != nil {
			return err
		}
		if n >= max {
			return models.Errorf(models.EFORBIDDEN, "the store cannot take more messages this month; please try again later")
		}
	}
	return s.rateLimit(ctx, a, newConversation)
}

func (s *Service) rateLimit(ctx context.Context, a models.Actor, newConversation bool) error {
	if s.limiter == nil {
		return fmt.Errorf("rate limit: no limiter configured")
	}
	what, limit := "messages", s.limits.CustomerMessages
	switch {
	case newConversation && a.Kind == models.ActorGuest:
		what, limit = "conversations", s.limits.GuestConversations
	case newConversation:
		what, limit = "conversations", s.limits.CustomerConversations
	case a.Kind == models.ActorGuest:
		limit = s.limits.GuestMessages
	}
	key := fmt.Sprintf("rl:%s:%s:%d", what, a.Kind, a.ID)
	ok, retry, err := s.limiter.Allow(ctx, key, limit, s.limits.Window)
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
