package main

import (
	"context"
	"log/slog"
	"net/url"

	"github.com/parleyhq/parley/inbox"
)

// devResetMailer writes password-reset links to the log in embedded mode,
// until the mailer of the notifications issue sends them.
type devResetMailer struct{ log *slog.Logger }

var _ inbox.ResetMailer = devResetMailer{}

// ResetPath is where a reset link leads (the customer pages' reset form).
const ResetPath = "/dashboard/password-reset"

func (m devResetMailer) SendPasswordReset(ctx context.Context, r inbox.PasswordReset) error {
	m.log.InfoContext(ctx, "dev mail: password reset link", "to", r.Email,
		"link", ResetPath+"?token="+url.QueryEscape(r.Token), "expires", r.ExpiresAt)
	return nil
}

// wireIdentity configures signed identity and, in embedded mode, the dev
// reset mailer. In --demo mode without PARLEY_IDENTITY_SECRET, a secret is
// generated once in the data dir (rt.cfg.IdentitySecret), so the demo
// storefront can sign its customers in.
func wireIdentity(rt *runtime) error {
	if rt.cfg.IdentitySecret == "" && rt.cfg.Demo && !rt.cfg.production() {
		v, err := keptValue(rt.cfg.DataDir, "identity-secret", 32)
		if err != nil {
			return err
		}
		rt.cfg.IdentitySecret = v
	}
	if rt.cfg.IdentitySecret != "" {
		if err := rt.acc.SetIdentitySecret([]byte(rt.cfg.IdentitySecret)); err != nil {
			return err
		}
	}
	if !rt.cfg.production() {
		rt.acc.SetResetMailer(devResetMailer{log: rt.log})
	}
	return nil
}
