package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
)

// TestSignup: only when the owner allows it; e-mail unique among password
// accounts only (a guest or an identity customer with the address does
// not block it).
func TestSignup(t *testing.T) {
	eachIdent(t, func(t *testing.T, e *env, _ string) {
		ctx := context.Background()
		body := map[string]string{"email": "Erin@Example.com", "password": "long enough pw", "name": "Erin"}
		e.run(t, []scenario{{Name: "closed", Method: "POST", URL: "/api/v1/auth/signup", Body: body, ExpectedStatus: 403}})
		if err := e.st.PutSetting(ctx, models.SettingCustomerSignup, "true", models.Now(time.Now())); err != nil {
			t.Fatal(err)
		}
		e.do(t, "POST", "/api/v1/auth/guest", "", map[string]string{"email": "erin@example.com"})
		e.do(t, "POST", "/api/v1/auth/identity", "", map[string]string{
			"token": signIdentity(t, jwtHS256, identitySecret, identityClaims(e, "erin-sso", "erin@example.com", "Erin SSO"))})
		e.run(t, []scenario{
			{Name: "short password", Method: "POST", URL: "/api/v1/auth/signup", Body: map[string]string{"email": "x@example.com", "password": "short"}, ExpectedStatus: 400},
			{Name: "bad e-mail", Method: "POST", URL: "/api/v1/auth/signup", Body: map[string]string{"email": "x", "password": "long enough pw"}, ExpectedStatus: 400},
			{Name: "open", Method: "POST", URL: "/api/v1/auth/signup", Body: body, ExpectedStatus: 201,
				Check: func(t *testing.T, r response) {
					if r.str("customer.email") != "erin@example.com" || r.str("token") == "" {
						t.Errorf("signup: %s", r.Body)
					}
				}},
			{Name: "taken", Method: "POST", URL: "/api/v1/auth/signup", Body: map[string]string{"email": "erin@EXAMPLE.com", "password": "other long pw"}, ExpectedStatus: 409},
		})
		tok := e.customerLoginWith(t, "erin@example.com", "long enough pw")
		if me := e.do(t, "GET", "/api/v1/me", tok, nil); me.str("name") != "Erin" {
			t.Errorf("me after sign-up: %s", me.Body)
		}
	})
}

// TestPasswordReset: always 202; a single-use expiring link for password
// accounts only; the new password works, the old one and old sessions end.
func TestPasswordReset(t *testing.T) {
	eachIdent(t, func(t *testing.T, e *env, _ string) {
		mail := &resetMailbox{}
		e.acc.SetResetMailer(mail)
		_, oldTok := e.customer(t, "fay@example.com")
		e.do(t, "POST", "/api/v1/auth/guest", "", map[string]string{"email": "gus@example.com"})
		for _, email := range []string{"nobody@example.com", "gus@example.com", "FAY@example.com"} {
			r := e.do(t, "POST", "/api/v1/auth/password-reset", "", map[string]string{"email": email})
			if r.Code != 202 {
				t.Fatalf("reset for %s: %d %s", email, r.Code, r.Body)
			}
		}
		sent := mail.all()
		if len(sent) != 1 || sent[0].Email != "fay@example.com" {
			t.Fatalf("mails sent: %+v", sent)
		}
		token := sent[0].Token
		e.run(t, []scenario{
			{Name: "bad token", Method: "POST", URL: "/api/v1/auth/password-reset/confirm", Body: map[string]string{"token": "pr_nope", "password": "a new password"}, ExpectedStatus: 400},
			{Name: "short password", Method: "POST", URL: "/api/v1/auth/password-reset/confirm", Body: map[string]string{"token": token, "password": "short"}, ExpectedStatus: 400},
			{Name: "confirm", Method: "POST", URL: "/api/v1/auth/password-reset/confirm", Body: map[string]string{"token": token, "password": "a new password"}, ExpectedStatus: 204},
			{Name: "reuse", Method: "POST", URL: "/api/v1/auth/password-reset/confirm", Body: map[string]string{"token": token, "password": "another password"}, ExpectedStatus: 400},
			{Name: "old session ended", Method: "GET", URL: "/api/v1/me", Token: oldTok, ExpectedStatus: 401},
			{Name: "old password", Method: "POST", URL: "/api/v1/auth/login", Body: map[string]string{"email": "fay@example.com", "password": password}, ExpectedStatus: 401},
		})
		e.customerLoginWith(t, "fay@example.com", "a new password")

		// A link expires after an hour.
		e.do(t, "POST", "/api/v1/auth/password-reset", "", map[string]string{"email": "fay@example.com"})
		late := mail.all()[1].Token
		e.clock.Advance(61 * time.Minute)
		if r := e.do(t, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": late, "password": "late password"}); r.Code != 400 {
			t.Errorf("expired link: %d %s", r.Code, r.Body)
		}
	})
}

func (e *env) customerLoginWith(t *testing.T, email, pw string) string {
	t.Helper()
	r := e.do(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": pw})
	if r.Code != 200 {
		t.Fatalf("login of %s: %d %s", email, r.Code, r.Body)
	}
	return r.str("token")
}
