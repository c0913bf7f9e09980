package web_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
)

// Every failed authentication is the same 401 with the same message; a
// token of one side is no good on the other.
func TestAuthentication(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		cust, custTok := e.customer(t, "c1@example.com")
		staff, staffTok := e.staff(t, "agent1", models.RoleAgent)
		_, revoked := e.customer(t, "gone@example.com")
		if r := e.do(t, "POST", "/api/v1/auth/logout", revoked, nil); r.Code != http.StatusNoContent {
			t.Fatalf("logout: %d %s", r.Code, r.Body)
		}
		unauthorized := func(name, method, url, token string) scenario {
			return scenario{Name: name, Method: method, URL: url, Token: token, ExpectedStatus: http.StatusUnauthorized,
				ExpectedCode: "unauthorized", ExpectedMessage: models.MsgUnauthorized}
		}
		e.run(t, []scenario{
			{Name: "customer me", Method: "GET", URL: "/api/v1/me", Token: custTok, ExpectedStatus: http.StatusOK,
				Check: func(t *testing.T, r response) {
					if r.num("id") != cust.ID || r.str("email") != "c1@example.com" || r.str("name") != "Name of c1@example.com" {
						t.Errorf("me: %s", r.Body)
					}
				}},
			{Name: "staff me", Method: "GET", URL: "/api/v1/staff/me", Token: staffTok, ExpectedStatus: http.StatusOK,
				Check: func(t *testing.T, r response) {
					if r.num("id") != staff.ID || r.str("username") != "agent1" || r.str("role") != "agent" {
						t.Errorf("staff me: %s", r.Body)
					}
				}},
			unauthorized("no token", "GET", "/api/v1/me", ""),
			unauthorized("garbage token", "GET", "/api/v1/me", "garbage"),
			unauthorized("well-formed unknown token", "GET", "/api/v1/me", "pt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
			unauthorized("revoked token", "GET", "/api/v1/me", revoked),
			unauthorized("revoked token lists", "GET", "/api/v1/conversations", revoked),
			unauthorized("customer token on staff me", "GET", "/api/v1/staff/me", custTok),
			unauthorized("customer token on staff list", "GET", staffConvs, custTok),
			unauthorized("customer token on staff delete", "DELETE", staffConvs+"/1", custTok),
			unauthorized("customer token on staff logout", "POST", "/api/v1/staff/auth/logout", custTok),
			unauthorized("staff token on customer me", "GET", "/api/v1/me", staffTok),
			unauthorized("staff token on customer list", "GET", "/api/v1/conversations", staffTok),
			unauthorized("staff token on customer logout", "POST", "/api/v1/auth/logout", staffTok),
			unauthorized("no token on staff", "GET", staffConvs, ""),
			{Name: "wrong password", Method: "POST", URL: "/api/v1/auth/login", Body: map[string]string{"email": "c1@example.com", "password": "nope nope"},
				ExpectedStatus: http.StatusUnauthorized, ExpectedMessage: models.MsgUnauthorized},
			{Name: "unknown customer", Method: "POST", URL: "/api/v1/auth/login", Body: map[string]string{"email": "who@example.com", "password": password},
				ExpectedStatus: http.StatusUnauthorized, ExpectedMessage: models.MsgUnauthorized},
			{Name: "customer credentials on staff login", Method: "POST", URL: "/api/v1/staff/auth/login", Body: map[string]string{"username": "c1@example.com", "password": password},
				ExpectedStatus: http.StatusUnauthorized, ExpectedMessage: models.MsgUnauthorized},
			{Name: "login with unknown field", Method: "POST", URL: "/api/v1/auth/login", Body: map[string]string{"email": "c1@example.com", "password": password, "admin": "1"},
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
		})
		// Other schemes and headers without a token are the same 401.
		for _, h := range []string{"Basic dXNlcjpwYXNz", "Bearer", "Bearer ", custTok, "Token " + custTok} {
			req := e.doAuth(t, "GET", "/api/v1/me", h, nil)
			if req.Code != http.StatusUnauthorized || req.str("error.message") != models.MsgUnauthorized {
				t.Errorf("Authorization %q: %d %s", h, req.Code, req.Body)
			}
		}
	})
}

// Tokens expire: after their lifetime they are the same 401.
func TestExpiredToken(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		_, custTok := e.customer(t, "c1@example.com")
		_, staffTok := e.staff(t, "agent1", models.RoleAgent)
		e.run(t, []scenario{
			{Name: "fresh customer token", Method: "GET", URL: "/api/v1/me", Token: custTok, ExpectedStatus: http.StatusOK},
			{Name: "fresh staff token", Method: "GET", URL: "/api/v1/staff/me", Token: staffTok, ExpectedStatus: http.StatusOK},
		})
		e.clock.Advance(time.Hour + time.Second)
		e.run(t, []scenario{
			{Name: "expired customer token", Method: "GET", URL: "/api/v1/me", Token: custTok,
				ExpectedStatus: http.StatusUnauthorized, ExpectedMessage: models.MsgUnauthorized},
			{Name: "expired staff token", Method: "GET", URL: "/api/v1/staff/me", Token: staffTok,
				ExpectedStatus: http.StatusUnauthorized, ExpectedMessage: models.MsgUnauthorized},
		})
	})
}

// Login throttling (in Accounts) answers 429 with Retry-After.
func TestLoginThrottle(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.acc.PerAccount = 3
		if _, err := e.acc.CreateCustomer(t.Context(), "slow@example.com", "Slow", mustHash(t)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.acc.CreateStaff(t.Context(), models.System, "slowstaff", models.RoleAgent, "", mustHash(t)); err != nil {
			t.Fatal(err)
		}
		wrong := map[string]string{"email": "slow@example.com", "password": "wrong password"}
		wrongStaff := map[string]string{"username": "slowstaff", "password": "wrong password"}
		throttled := func(t *testing.T, r response) {
			secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
			if err != nil || secs < 1 {
				t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
			}
			if r.num("error.retry_after") != int64(secs) {
				t.Errorf("error.retry_after %v, header %d", r.get("error.retry_after"), secs)
			}
		}
		var sc []scenario
		for i := 1; i <= 3; i++ {
			sc = append(sc,
				scenario{Name: "customer attempt " + strconv.Itoa(i), Method: "POST", URL: "/api/v1/auth/login", Body: wrong, ExpectedStatus: http.StatusUnauthorized},
				scenario{Name: "staff attempt " + strconv.Itoa(i), Method: "POST", URL: "/api/v1/staff/auth/login", Body: wrongStaff, ExpectedStatus: http.StatusUnauthorized})
		}
		sc = append(sc,
			scenario{Name: "customer throttled", Method: "POST", URL: "/api/v1/auth/login", Body: wrong,
				ExpectedStatus: http.StatusTooManyRequests, ExpectedCode: "rate_limited", Check: throttled},
			scenario{Name: "customer throttled even with the right password", Method: "POST", URL: "/api/v1/auth/login",
				Body:           map[string]string{"email": "slow@example.com", "password": password},
				ExpectedStatus: http.StatusTooManyRequests, ExpectedCode: "rate_limited", Check: throttled},
			scenario{Name: "staff throttled", Method: "POST", URL: "/api/v1/staff/auth/login", Body: wrongStaff,
				ExpectedStatus: http.StatusTooManyRequests, ExpectedCode: "rate_limited", Check: throttled})
		e.run(t, sc)
	})
}
