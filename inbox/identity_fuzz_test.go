package inbox_test

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// FuzzParseIdentity: no input makes the identity-token parser panic, and
// whatever it accepts is HS256-signed with the secret, unexpired, short
// lived, with a valid sub and a jti.
func FuzzParseIdentity(f *testing.F) {
	secret := []byte("fuzz-secret-fuzz-secret-fuzz-secret!")
	now := time.Unix(1_800_000_000, 0)
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		s, _ := jwt.NewWithClaims(m, c).SignedString(key)
		return s
	}
	good := jwt.MapClaims{"sub": "c-1", "email": "a@example.com", "name": "A", "exp": now.Add(time.Minute).Unix(), "jti": "j1"}
	f.Add(sign(jwt.SigningMethodHS256, secret, good))
	f.Add(sign(jwt.SigningMethodHS512, secret, good))
	f.Add(sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good))
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.")
	f.Add("")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := inbox.ParseIdentity(secret, token, now)
		if err != nil {
			if models.ErrorCode(err) != models.EUNAUTHORIZED {
				t.Fatalf("refusal %v is not unauthorized", err)
			}
			return
		}
		parsed, perr := jwt.Parse(token, func(*jwt.Token) (any, error) { return secret, nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(func() time.Time { return now }), jwt.WithLeeway(inbox.IdentitySkew))
		if perr != nil || parsed.Method.Alg() != "HS256" {
			t.Fatalf("accepted a token that is not HS256-signed with the secret: %q (%v)", token, perr)
		}
		if c.Subject == "" || c.ID == "" || c.ExpiresAt == nil || c.ExpiresAt.Time.After(now.Add(inbox.IdentityMaxLifetime+inbox.IdentitySkew)) {
			t.Fatalf("accepted incomplete or long-lived claims %+v", c)
		}
		if err := inbox.ValidExternalID("sub", c.Subject); err != nil {
			t.Fatalf("accepted sub %q: %v", c.Subject, err)
		}
	})
}
