package inbox

import (
	"context"
	"time"

	"github.com/parleyhq/parley/models"
)

// Back-office (GoAdmin) sessions and GoAdmin's derived configuration rows.
// GoAdmin writes the session rows itself; Parley reads, expires and ends
// them here, so their SQL lives in one place (models/adminsession.go).

// AdminSession returns the live back-office session sid names. A session
// older than ttl is deleted and answered unauthorized, like an unknown sid
// (GoAdmin never checks expiry itself).
func (s *Accounts) AdminSession(ctx context.Context, sid string, ttl time.Duration) (models.AdminSession, error) {
	if sid == "" || len(sid) > 100 {
		return models.AdminSession{}, models.Errorf(models.EUNAUTHORIZED, models.MsgUnauthorized)
	}
	as, err := s.store.AdminSession(ctx, sid)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return models.AdminSession{}, models.Errorf(models.EUNAUTHORIZED, models.MsgUnauthorized)
	}
	if err != nil {
		return models.AdminSession{}, err
	}
	if s.clock.Now().Sub(as.CreatedAt) > ttl {
		if err := s.store.DeleteAdminSession(ctx, sid); err != nil {
			return models.AdminSession{}, err
		}
		return models.AdminSession{}, models.Errorf(models.EUNAUTHORIZED, models.MsgUnauthorized)
	}
	return as, nil
}

// EndAdminSession ends one back-office session (sign-out, a deactivated
// user's live session, a sign-in that named the wrong user).
func (s *Accounts) EndAdminSession(ctx context.Context, sid string) error {
	return s.store.DeleteAdminSession(ctx, sid)
}

// FormTokenLive reports whether a back-office form's single-use token is
// still unused: a second post of the same form (back button, double click)
// is told apart from a real refusal.
func (s *Accounts) FormTokenLive(ctx context.Context, token string) (bool, error) {
	if token == "" || len(token) > 100 {
		return false, nil
	}
	return s.store.LiveFormToken(ctx, token)
}

// ResetAdminSite clears GoAdmin's goadmin_site rows and runs start (which
// starts GoAdmin, re-inserting them) under a database-wide lock, so the
// configuration in code wins over what an earlier run stored and two nodes
// starting at once do not both insert the rows.
func (s *Accounts) ResetAdminSite(ctx context.Context, start func() error) error {
	return s.store.Exclusive(ctx, "parley:goadmin_site", func() error {
		if err := s.store.ClearAdminSite(ctx); err != nil {
			return err
		}
		return start()
	})
}

// SetAdminPermissions writes GoAdmin's permission row of each staff role
// (slug "parley_<role>") from the back office's route table: paths maps a
// role to its newline-separated GoAdmin path patterns.
func (s *Accounts) SetAdminPermissions(ctx context.Context, paths map[string]string) error {
	return s.store.InTx(ctx, func(tx *models.Tx) error {
		for role, p := range paths {
			if err := tx.SetAdminPermissionPaths(ctx, "parley_"+role, p); err != nil {
				return err
			}
		}
		return nil
	})
}
