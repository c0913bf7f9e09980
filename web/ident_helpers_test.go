package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/golang-jwt/jwt/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/web"
)

// identitySecret is the shop's identity secret in these tests.
var identitySecret = []byte("0123456789abcdef0123456789abcdef-shop")

// openAPI loads the embedded description once per test binary.
var openAPI = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(web.OpenAPIDocument)
	if err != nil {
		return nil, err
	}
	return legacy.NewRouter(doc)
})

// identEnv is env with every answer validated against the OpenAPI
// description, an integration key and signed identity enabled.
func identEnv(t *testing.T, st *models.Store) (*env, string) {
	t.Helper()
	e := newEnv(t, st)
	if err := e.acc.SetIdentitySecret(identitySecret); err != nil {
		t.Fatal(err)
	}
	validateAnswers(t, e)
	key, _, err := e.acc.CreateAPIKey(context.Background(), models.System, "shop")
	if err != nil {
		t.Fatal(err)
	}
	return e, key
}

func eachIdent(t *testing.T, f func(t *testing.T, e *env, key string)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		e, key := identEnv(t, st)
		f(t, e, key)
	})
}

// validateAnswers wraps the router: every request must match a described
// route and every answer must validate against the description.
func validateAnswers(t *testing.T, e *env) {
	t.Helper()
	router, err := openAPI()
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	inner := e.h
	e.h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		inner.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())

		vr := r.Clone(context.Background())
		vr.Body = io.NopCloser(bytes.NewReader(body))
		route, params, err := router.FindRoute(vr)
		if err != nil {
			if rec.Code != http.StatusNotFound && rec.Code != http.StatusMethodNotAllowed {
				t.Errorf("OpenAPI: %s %s (answered %d) is not described: %v", r.Method, r.URL.Path, rec.Code, err)
			}
			return
		}
		in := &openapi3filter.RequestValidationInput{Request: vr, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
			Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("OpenAPI: the answer to %s %s (%d) does not match its description: %v\nbody: %s", r.Method, r.URL.Path, rec.Code, err, rec.Body)
		}
	})
}

// signIdentity signs an identity token as the shop would.
func signIdentity(t testing.TB, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var jtiSeq struct {
	sync.Mutex
	n int
}

// identityClaims are valid claims for sub, expiring in 2 minutes.
func identityClaims(e *env, sub, email, name string) jwt.MapClaims {
	jtiSeq.Lock()
	jtiSeq.n++
	n := jtiSeq.n
	jtiSeq.Unlock()
	now := e.clock.Now()
	return jwt.MapClaims{"sub": sub, "email": email, "name": name, "exp": now.Add(2 * time.Minute).Unix(),
		"iat": now.Unix(), "jti": "jti-" + sub + "-" + itoa(int64(n)) + "-" + itoa(now.UnixNano())}
}

// resetMailbox captures password-reset mails.
type resetMailbox struct {
	mu   sync.Mutex
	sent []inbox.PasswordReset
}

func (m *resetMailbox) SendPasswordReset(_ context.Context, r inbox.PasswordReset) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, r)
	return nil
}

func (m *resetMailbox) all() []inbox.PasswordReset {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]inbox.PasswordReset(nil), m.sent...)
}

var jwtHS256 = jwt.SigningMethodHS256

// customerLogin signs an existing password account in through the API.
func (e *env) customerLogin(t *testing.T, email string) string {
	t.Helper()
	r := e.do(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
	if r.Code != 200 {
		t.Fatalf("login of %s: %d %s", email, r.Code, r.Body)
	}
	return r.str("token")
}

// openSQLite is a fresh SQLite store, for tests whose subject is not the database.
func openSQLite(t *testing.T) *models.Store {
	t.Helper()
	return storetest.Open(t, storetest.Backends()[0])
}
