package web_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestIdentityToken: a shop-signed token signs its customer in once;
// expired, forged, alg none, wrong-algorithm, too long-lived, incomplete
// and replayed tokens are 401.
func TestIdentityToken(t *testing.T) {
	eachIdent(t, func(t *testing.T, e *env, _ string) {
		good := identityClaims(e, "shop-42", "dana@example.com", "Dana")
		tok := signIdentity(t, jwtHS256, identitySecret, good)
		with := func(change func(c jwt.MapClaims)) jwt.MapClaims {
			c := identityClaims(e, "shop-42", "dana@example.com", "Dana")
			change(c)
			return c
		}
		now := e.clock.Now()
		none, err := jwt.NewWithClaims(jwt.SigningMethodNone, identityClaims(e, "shop-42", "", "")).SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		// An "HS256" header over a body signed with another algorithm's
		// parts, and the classic confusion: HS384/HS512 with the same secret.
		refused := map[string]string{
			"expired":          signIdentity(t, jwtHS256, identitySecret, with(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() })),
			"no exp":           signIdentity(t, jwtHS256, identitySecret, with(func(c jwt.MapClaims) { delete(c, "exp") })),
			"exp too far":      signIdentity(t, jwtHS256, identitySecret, with(func(c jwt.MapClaims) { c["exp"] = now.Add(time.Hour).Unix() })),
			"forged":           signIdentity(t, jwtHS256, []byte("another-secret-another-secret-0000"), with(func(jwt.MapClaims) {})),
			"alg none":         none,
			"HS512":            signIdentity(t, jwt.SigningMethodHS512, identitySecret, with(func(jwt.MapClaims) {})),
			"ES256":            signIdentity(t, jwt.SigningMethodES256, ec, with(func(jwt.MapClaims) {})),
			"no jti":           signIdentity(t, jwtHS256, identitySecret, with(func(c jwt.MapClaims) { delete(c, "jti") })),
			"no sub":           signIdentity(t, jwtHS256, identitySecret, with(func(c jwt.MapClaims) { delete(c, "sub") })),
			"bad sub":          signIdentity(t, jwtHS256, identitySecret, with(func(c jwt.MapClaims) { c["sub"] = "a/b" })),
			"issued in future": signIdentity(t, jwtHS256, identitySecret, with(func(c jwt.MapClaims) { c["iat"] = now.Add(time.Hour).Unix() })),
			"tampered":         tok[:len(tok)-3] + "AAA",
			"garbage":          "not.a.token",
			"empty":            "",
		}
		for name, bad := range refused {
			r := e.do(t, "POST", "/api/v1/auth/identity", "", map[string]string{"token": bad})
			if r.Code != 401 || r.str("error.code") != "unauthorized" {
				t.Errorf("%s: %d %s", name, r.Code, r.Body)
			}
		}
		r := e.do(t, "POST", "/api/v1/auth/identity", "", map[string]string{"token": tok})
		if r.Code != 200 || r.str("customer.email") != "dana@example.com" || !strings.HasPrefix(r.str("token"), "pt_") {
			t.Fatalf("good token: %d %s", r.Code, r.Body)
		}
		if me := e.do(t, "GET", "/api/v1/me", r.str("token"), nil); me.Code != 200 || me.str("name") != "Dana" {
			t.Fatalf("me with the session: %d %s", me.Code, me.Body)
		}
		if again := e.do(t, "POST", "/api/v1/auth/identity", "", map[string]string{"token": tok}); again.Code != 401 {
			t.Fatalf("replayed token: %d %s", again.Code, again.Body)
		}
		// A new token for the same sub is the same customer, with the
		// e-mail and name the shop signed now.
		r2 := e.do(t, "POST", "/api/v1/auth/identity", "", map[string]string{
			"token": signIdentity(t, jwtHS256, identitySecret, identityClaims(e, "shop-42", "dana@new.example", "Dana N"))})
		if r2.Code != 200 || r2.num("customer.id") != r.num("customer.id") || r2.str("customer.email") != "dana@new.example" {
			t.Fatalf("second token of the same sub: %d %s", r2.Code, r2.Body)
		}
	})
}

// TestIdentityMatchesBySubOnly: a token carrying a password account's
// e-mail under another sub signs in a different customer, who sees none of
// the account's conversations.
func TestIdentityMatchesBySubOnly(t *testing.T) {
	eachIdent(t, func(t *testing.T, e *env, _ string) {
		alice, aliceTok := e.customer(t, "alice@example.com")
		conv := e.do(t, "POST", "/api/v1/conversations", aliceTok, map[string]any{"subject": "Alice's", "body": "private"})
		r := e.do(t, "POST", "/api/v1/auth/identity", "", map[string]string{
			"token": signIdentity(t, jwtHS256, identitySecret, identityClaims(e, "mallory-1", "alice@example.com", "Not Alice"))})
		if r.Code != 200 {
			t.Fatalf("identity: %d %s", r.Code, r.Body)
		}
		if r.num("customer.id") == alice.ID {
			t.Fatal("an identity token was matched to a password account by e-mail")
		}
		tok := r.str("token")
		if l := e.do(t, "GET", "/api/v1/conversations", tok, nil); len(l.list("items")) != 0 {
			t.Errorf("the identity customer lists someone's conversations: %s", l.Body)
		}
		if g := e.do(t, "GET", idURL("/api/v1/conversations", conv.num("conversation.id"), ""), tok, nil); g.Code != 404 {
			t.Errorf("alice's conversation: %d", g.Code)
		}
		// And alice still signs in with her password.
		e.customerLogin(t, "alice@example.com")
	})
}

// TestIdentityDisabledWithoutSecret: without PARLEY_IDENTITY_SECRET every
// token is 401.
func TestIdentityDisabledWithoutSecret(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		validateAnswers(t, e)
		tok := signIdentity(t, jwtHS256, identitySecret, identityClaims(e, "x", "", ""))
		if r := e.do(t, "POST", "/api/v1/auth/identity", "", map[string]string{"token": tok}); r.Code != 401 {
			t.Fatalf("identity without a secret: %d %s", r.Code, r.Body)
		}
		if _, _, err := e.acc.IdentityLogin(context.Background(), tok, ""); err == nil {
			t.Fatal("IdentityLogin without a secret succeeded")
		}
	})
}
