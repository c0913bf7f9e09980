package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parleyhq/parley/models"
)

// Signed identity (issue 7): the shop signs a short-lived JWT for its
// signed-in customer — HS256 with PARLEY_IDENTITY_SECRET, claims sub (the
// shop's customer id), email, name, exp at most IdentityMaxLifetime ahead
// and a single-use jti — and Parley exchanges it for a customer session.
// Customers are matched by sub only, never by e-mail.

// Bounds of identity tokens.
const (
	IdentityMaxLifetime = 5 * time.Minute
	// IdentitySkew is the clock difference tolerated between the shop and
	// Parley (on exp, iat and nbf).
	IdentitySkew      = 30 * time.Second
	MaxIdentityToken  = 4096
	MinIdentitySecret = 32
)

// SetIdentitySecret enables signed identity with the shop's shared secret
// (at least MinIdentitySecret bytes; shorter ones leave it disabled).
func (s *Accounts) SetIdentitySecret(secret []byte) error {
	if len(secret) < MinIdentitySecret {
		return fmt.Errorf("identity secret: at least %d bytes, got %d", MinIdentitySecret, len(secret))
	}
	s.identitySecret = append([]byte(nil), secret...)
	return nil
}

// IdentityClaims are what a valid identity token says.
type IdentityClaims struct {
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
	jwt.RegisteredClaims
}

// identityRefused is the 401 of a token that cannot sign anyone in; the
// reason helps the shop's developers and tells an attacker nothing new.
func identityRefused(reason string) *models.Error {
	return models.Errorf(models.EUNAUTHORIZED, "identity token refused: %s", reason)
}

// ParseIdentity checks an identity token against secret at time now: HS256
// only (alg none and every other algorithm are refused), signature, exp
// required and at most IdentityMaxLifetime ahead, sub a valid external id,
// jti present, e-mail (when given) an address, name a line of text.
func ParseIdentity(secret []byte, token string, now time.Time) (IdentityClaims, error) {
	var c IdentityClaims
	if len(secret) < MinIdentitySecret {
		return c, identityRefused("signed identity is not configured")
	}
	if token == "" || len(token) > MaxIdentityToken {
		return c, identityRefused("malformed token")
	}
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(IdentitySkew),
		jwt.WithTimeFunc(func() time.Time { return now }),
		jwt.WithStrictDecoding())
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenExpired):
		return c, identityRefused("expired")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return c, identityRefused("bad signature or algorithm (HS256 only)")
	default:
		return c, identityRefused("malformed or invalid token")
	}
	if c.ExpiresAt.Time.After(now.Add(IdentityMaxLifetime + IdentitySkew)) {
		return c, identityRefused(fmt.Sprintf("exp lies more than %s ahead", IdentityMaxLifetime))
	}
	if err := ValidExternalID("sub", c.Subject); err != nil {
		return c, identityRefused("sub must be the shop's customer id (letters, digits, . _ ~ : @ + -)")
	}
	if c.ID == "" || len(c.ID) > 191 || strings.ContainsFunc(c.ID, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
		return c, identityRefused("jti must be a unique id of 1 to 191 visible characters")
	}
	if c.Email != "" {
		if c.Email, err = ValidEmail("email", c.Email); err != nil {
			return c, identityRefused("email is not an e-mail address")
		}
	}
	if c.Name, err = text("name", c.Name, maxNameRunes, false); err != nil {
		return c, identityRefused("name is not a line of text")
	}
	return c, nil
}

// IdentityLogin exchanges a signed identity token for a customer session:
// the token's jti is recorded until it expires (a replay is refused), and
// the customer with the shop's id sub is found, or created when new, with
// the e-mail and name the shop signed. It is the one exchange behind
// POST /api/v1/auth/identity and /dashboard/messages?identity=….
func (s *Accounts) IdentityLogin(ctx context.Context, token, ip string) (Session, models.Customer, error) {
	now := models.Now(s.clock.Now())
	c, err := ParseIdentity(s.identitySecret, token, now)
	if err != nil {
		return Session{}, models.Customer{}, err
	}
	var id int64
	err = s.store.InTx(ctx, func(tx *models.Tx) error {
		if err := tx.UseIdentityJTI(ctx, c.ID, models.Now(c.ExpiresAt.Time.Add(IdentitySkew))); err != nil {
			if models.ErrorCode(err) == models.ECONFLICT {
				return identityRefused("already used (jti must be single-use)")
			}
			return err
		}
		var err error
		id, err = tx.UpsertIdentityCustomer(ctx, c.Subject, c.Email, c.Name, now)
		return err
	})
	if err != nil {
		return Session{}, models.Customer{}, err
	}
	_ = s.store.ForgetIdentityJTIs(ctx, now) // best effort: expired ids are refused by exp anyway
	sess, err := s.issue(ctx, models.ActorCustomer, id)
	if err != nil {
		return Session{}, models.Customer{}, err
	}
	cu, err := s.store.Customer(ctx, id)
	return sess, cu, err
}
