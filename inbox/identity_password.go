package inbox

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"time"

	"github.com/parleyhq/parley/models"
)

// Customer sign-up with e-mail and password (when the owner allows it:
// settings.CustomerSignup) and password reset by an e-mailed link. E-mail
// addresses are unique among password accounts only (models login_email).

// Bounds of sign-up and reset.
const (
	SignupsPerAddress     = 10 // per client address per hour
	ResetsPerAddress      = 20 // reset requests per client address per hour
	ResetsPerAccount      = 3  // links made per account per hour (more are silently skipped)
	ResetLinkLifetime     = time.Hour
	PasswordResetPrefix   = "pr_"
	maxPasswordResetToken = 100
)

// ResetMailer sends a password-reset link; the mail package implements it
// (until then the command logs the link in embedded mode). The link is the
// mailer's to build from the token: it knows the public address.
type ResetMailer interface {
	SendPasswordReset(ctx context.Context, r PasswordReset) error
}

// PasswordReset is one reset link to send.
type PasswordReset struct {
	Email     string
	Name      string
	Token     string // single use, valid until ExpiresAt
	ExpiresAt time.Time
	Location  *time.Location // the store's time zone, which the e-mail quotes times in
}

// SetResetMailer wires the mailer of password-reset links.
func (s *Accounts) SetResetMailer(m ResetMailer) { s.resetMailer = m }

// Signup registers a customer with e-mail and password and signs them in,
// when the store allows sign-up.
func (s *Accounts) Signup(ctx context.Context, email, password, name, ip string) (Session, models.Customer, error) {
	st, err := s.store.Settings(ctx)
	if err != nil {
		return Session{}, models.Customer{}, err
	}
	if !st.CustomerSignup {
		return Session{}, models.Customer{}, models.Errorf(models.EFORBIDDEN, "this store does not offer sign-up; sign in through the shop")
	}
	if email, err = ValidEmail("email", email); err != nil {
		return Session{}, models.Customer{}, err
	}
	if name, err = text("name", name, maxNameRunes, false); err != nil {
		return Session{}, models.Customer{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return Session{}, models.Customer{}, err
	}
	if err := s.allowNew(ctx, "signup:ip:"+ip, SignupsPerAddress, time.Hour, "sign-ups from this address"); err != nil {
		return Session{}, models.Customer{}, err
	}
	c, err := s.CreateCustomer(ctx, email, name, hash)
	if err != nil {
		return Session{}, models.Customer{}, err
	}
	sess, err := s.issue(ctx, models.ActorCustomer, c.ID)
	return sess, c, err
}

// RequestPasswordReset mails a single-use reset link to the password
// account with that e-mail. The answer is the same whether the account
// exists or not (no account enumeration); only the client address's own
// request rate can refuse it.
func (s *Accounts) RequestPasswordReset(ctx context.Context, email, ip string) error {
	if err := s.allowNew(ctx, "reset:ip:"+ip, ResetsPerAddress, time.Hour, "password-reset requests from this address"); err != nil {
		return err
	}
	email, err := ValidEmail("email", email)
	if err != nil {
		return err
	}
	c, _, err := s.store.CustomerCredentials(ctx, email)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	now := models.Now(s.clock.Now())
	if n, err := s.store.CountPasswordResets(ctx, c.ID, now.Add(-time.Hour)); err != nil {
		return err
	} else if n >= ResetsPerAccount {
		return nil
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("reset token: %w", err)
	}
	token := PasswordResetPrefix + base64.RawURLEncoding.EncodeToString(raw)
	r := PasswordReset{Email: c.Email, Name: c.Name, Token: token, ExpiresAt: now.Add(ResetLinkLifetime), Location: time.UTC}
	if st, err := s.store.Settings(ctx); err == nil {
		r.Location = st.Location()
	}
	if err := s.store.InsertPasswordReset(ctx, c.ID, apiKeyHash(token), now, r.ExpiresAt); err != nil {
		return err
	}
	if s.resetMailer == nil {
		slog.WarnContext(ctx, "password reset requested but no mailer is configured", "customer", c.ID)
		return nil
	}
	if err := s.resetMailer.SendPasswordReset(ctx, r); err != nil {
		// Not the caller's business (and telling would enumerate accounts).
		slog.ErrorContext(ctx, "password reset mail", "customer", c.ID, "err", err)
	}
	return nil
}

// ResetPassword sets a new password with a reset link's token: the token
// is single use and expires; every other link and every session of the
// account end.
func (s *Accounts) ResetPassword(ctx context.Context, token, password string) error {
	bad := models.Errorf(models.EINVALID, "this password-reset link is invalid, used or expired; ask for a new one")
	if len(token) > maxPasswordResetToken || len(token) <= len(PasswordResetPrefix) || token[:len(PasswordResetPrefix)] != PasswordResetPrefix {
		return bad
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	now := models.Now(s.clock.Now())
	return s.store.InTx(ctx, func(tx *models.Tx) error {
		id, err := tx.UsePasswordReset(ctx, apiKeyHash(token), now)
		if models.ErrorCode(err) == models.ENOTFOUND {
			return bad
		} else if err != nil {
			return err
		}
		if err := tx.SetCustomerPassword(ctx, id, hash, now); err != nil {
			return err
		}
		return tx.RevokeTokensOf(ctx, models.ActorCustomer, id, now)
	})
}
