package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/models"
)

// Guests (issue 7): a guest session needs no account. A guest's e-mail is
// an unverified contact field: never unique, never matched to an account
// (sign-in looks up password accounts only, and every read is scoped to
// the guest's own customer id). Guests get the guest limits of R11 and no
// CSV export (policy.csv); guests who never started a conversation are
// removed after a day (RemoveIdleGuests).

// Bounds on new guest sessions.
const (
	GuestSessionsPerAddress = 5 // per client address per GuestWindow
	GuestSessionsPerEmail   = 5 // per e-mail given per GuestWindow
	GuestWindow             = time.Hour
	GuestIdleAfter          = 24 * time.Hour
	defaultGuestName        = "Guest"
)

// GuestLogin starts a guest session. name and email are optional.
func (s *Accounts) GuestLogin(ctx context.Context, name, email, ip string) (Session, models.Customer, error) {
	n, err := text("name", name, maxNameRunes, false)
	if err != nil {
		return Session{}, models.Customer{}, err
	}
	if n == "" {
		n = defaultGuestName
	}
	if email != "" {
		if email, err = ValidEmail("email", email); err != nil {
			return Session{}, models.Customer{}, err
		}
	}
	if err := s.allowNew(ctx, "guest:ip:"+ip, GuestSessionsPerAddress, GuestWindow, "guest sessions from this address"); err != nil {
		return Session{}, models.Customer{}, err
	}
	if email != "" {
		if err := s.allowNew(ctx, "guest:email:"+accountKey(0, false, email), GuestSessionsPerEmail, GuestWindow, "guest sessions for this e-mail"); err != nil {
			return Session{}, models.Customer{}, err
		}
	}
	c := models.Customer{Email: email, Name: n, IsGuest: true, CreatedAt: models.Now(s.clock.Now())}
	if err := s.store.InsertCustomer(ctx, &c, ""); err != nil {
		return Session{}, models.Customer{}, err
	}
	sess, err := s.issue(ctx, models.ActorGuest, c.ID)
	return sess, c, err
}

// allowNew takes one hit of a creation limit (never given back).
func (s *Accounts) allowNew(ctx context.Context, key string, limit int, window time.Duration, what string) error {
	_, ok, retry, err := s.throttle.Take(ctx, key, limit, window)
	if err != nil {
		return fmt.Errorf("limit %s: %w", key, err)
	}
	if !ok {
		secs := max(int((retry+time.Second-1)/time.Second), 1)
		return &models.Error{Code: models.ERATELIMITED, RetryAfter: secs,
			Message: fmt.Sprintf("too many new %s; try again in %d minutes", what, (secs+59)/60)}
	}
	return nil
}

// RemoveIdleGuests deletes the guests created more than olderThan ago who
// never started a conversation, with their tokens, and says how many went
// (the jobs' cleanup calls it daily with GuestIdleAfter).
func (s *Service) RemoveIdleGuests(ctx context.Context, olderThan time.Duration) (int64, error) {
	cutoff := s.now().Add(-olderThan)
	var total int64
	for {
		ids, err := s.store.IdleGuests(ctx, cutoff, 500)
		if err != nil || len(ids) == 0 {
			return total, err
		}
		var n int64
		err = s.store.InTx(ctx, func(tx *models.Tx) error {
			var err error
			n, err = tx.RemoveGuests(ctx, ids)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if len(ids) < 500 {
			return total, nil
		}
		if n == 0 { // every one of them started a conversation meanwhile
			return total, nil
		}
	}
}
