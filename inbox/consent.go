package inbox

import (
	"context"
	"slices"

	"github.com/parleyhq/parley/models"
)

// MsgConsentRequired is the refusal of a start without the privacy consent
// the store asks for (R18); pages show the notice instead.
const MsgConsentRequired = "please accept the privacy notice before starting a conversation"

// Consent is the privacy notice as a customer must see it before their
// first conversation on a channel (R18).
type Consent struct {
	Required bool
	Text     string
	URL      string
	Version  string
}

// ConsentFor says whether the actor must accept the privacy notice before
// starting a conversation on channel: only customers and guests, only when
// the store asks for it on that channel, and only until they accepted the
// current text.
func (s *Service) ConsentFor(ctx context.Context, a models.Actor, channel string) (Consent, error) {
	st, err := s.store.Settings(ctx)
	if err != nil {
		return Consent{}, err
	}
	c := Consent{Text: st.PrivacyConsentText, URL: st.PrivacyConsentURL, Version: st.ConsentVersion()}
	if !a.IsCustomer() || !st.ConsentRequired(channel) {
		return c, nil
	}
	ok, err := s.store.HasConsent(ctx, a.ID, c.Version)
	if err != nil {
		return c, err
	}
	c.Required = !ok
	return c, nil
}

// startChannel is the channel a start is recorded under: staff always
// start on "staff"; customers name theirs (the API's default is "api") and
// may not claim "staff".
func startChannel(a models.Actor, ch string) (string, error) {
	if a.IsStaff() || a.Kind == models.ActorSystem {
		return models.ChannelStaff, nil
	}
	if ch == "" {
		return models.ChannelAPI, nil
	}
	if !slices.Contains([]string{models.ChannelPortal, models.ChannelWidget, models.ChannelAPI}, ch) {
		return "", models.Errorf(models.EINVALID, "channel must be portal, widget or api")
	}
	return ch, nil
}

// consentBeforeStart refuses a customer's start that needs the privacy
// consent and did not accept it; the returned consent is recorded in the
// start's transaction (recordConsent).
func (s *Service) consentBeforeStart(ctx context.Context, a models.Actor, channel string, accepted bool) (*models.Consent, error) {
	if !a.IsCustomer() {
		return nil, nil
	}
	c, err := s.ConsentFor(ctx, a, channel)
	if err != nil || !c.Required {
		return nil, err
	}
	if !accepted {
		return nil, models.Errorf(models.EFORBIDDEN, MsgConsentRequired)
	}
	return &models.Consent{CustomerID: a.ID, Channel: channel, Version: c.Version, AcceptedAt: s.now()}, nil
}

// PageSettings are the store settings the customer pages show: whether chat
// is on (R9), retention (R14) and the time zone. Nothing in them is secret.
func (s *Service) PageSettings(ctx context.Context) (models.Settings, error) {
	return s.store.Settings(ctx)
}
