package main

import (
	"context"
	"net/url"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/mail"
	"github.com/parleyhq/parley/web"
)

// resetMailer e-mails password-reset links through Parley's SMTP client
// (the in-process server and dev mailbox in embedded mode).
type resetMailer struct {
	m    *mail.Mailer
	base string // the public URL
}

var _ inbox.ResetMailer = resetMailer{}

// ResetPath is where a reset link leads (the customer pages' reset form).
const ResetPath = web.PortalResetPath

func (r resetMailer) SendPasswordReset(ctx context.Context, p inbox.PasswordReset) error {
	return r.m.SendResetLink(ctx, p.Email, p.Name, r.base+ResetPath+"?token="+url.QueryEscape(p.Token), p.ExpiresAt.In(p.Location))
}

// wireIdentity configures signed identity and the reset mailer. In --demo mode without PARLEY_IDENTITY_SECRET, a secret is
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
	rt.acc.SetResetMailer(resetMailer{m: &mail.Mailer{Client: rt.mailer, From: rt.mailFrom(), Name: "Parley"}, base: rt.publicURL()})
	return nil
}
