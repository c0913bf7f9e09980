// Package benchapi is what the HTTP benchmarks share: customers created
// through the integration API and signed in with identity tokens, staff
// signed in, JSON requests, and percentiles of latencies.
package benchapi

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Customer is a signed-in customer with one conversation.
type Customer struct {
	Token string
	Conv  int64
}

// NewCustomer creates customer ext through the integration API (key),
// signs them in with an identity token (secret: the node's
// PARLEY_IDENTITY_SECRET) and starts their conversation.
func NewCustomer(ctx context.Context, cl *http.Client, base, key, secret, ext string) (Customer, error) {
	cust := fmt.Sprintf(`{"email":"%s@bench.example","name":"Bench %s"}`, ext, ext)
	if code, err := Request(ctx, cl, http.MethodPut, base+"/api/v1/integration/customers/"+ext, key, cust, nil); err != nil || code != http.StatusOK {
		return Customer{}, fmt.Errorf("PUT customer %s: %d %v", ext, code, err)
	}
	jti := make([]byte, 12)
	_, _ = rand.Read(jti)
	tok := SignIdentity(secret, map[string]any{"sub": ext, "exp": time.Now().Add(5 * time.Minute).Unix(), "jti": hex.EncodeToString(jti)})
	var login struct {
		Token string `json:"token"`
	}
	b, _ := json.Marshal(map[string]string{"token": tok})
	if code, err := Request(ctx, cl, http.MethodPost, base+"/api/v1/auth/identity", "", string(b), &login); err != nil || code != http.StatusOK || login.Token == "" {
		return Customer{}, fmt.Errorf("identity sign-in %s: %d %v", ext, code, err)
	}
	var started struct {
		Conversation struct {
			ID int64 `json:"id"`
		} `json:"conversation"`
	}
	if code, err := Request(ctx, cl, http.MethodPost, base+"/api/v1/conversations", login.Token, `{"subject":"Benchmark","body":"first message","accept_privacy_consent":true}`, &started); err != nil || code != http.StatusCreated {
		return Customer{}, fmt.Errorf("start %s: %d %v", ext, code, err)
	}
	return Customer{Token: login.Token, Conv: started.Conversation.ID}, nil
}

// StaffToken signs a staff member in (POST /api/v1/staff/auth/login).
func StaffToken(ctx context.Context, cl *http.Client, base, user, password string) (string, error) {
	b, _ := json.Marshal(map[string]string{"username": user, "password": password})
	var s struct {
		Token string `json:"token"`
	}
	if code, err := Request(ctx, cl, http.MethodPost, base+"/api/v1/staff/auth/login", "", string(b), &s); err != nil || code != http.StatusOK || s.Token == "" {
		return "", fmt.Errorf("staff sign-in %s: %d %v", user, code, err)
	}
	return s.Token, nil
}

// SignIdentity signs a shop's identity token (HS256) of claims.
func SignIdentity(secret string, claims map[string]any) string {
	enc := base64.RawURLEncoding
	h := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	b, _ := json.Marshal(claims)
	p := enc.EncodeToString(b)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(h + "." + p))
	return h + "." + p + "." + enc.EncodeToString(mac.Sum(nil))
}

// Request sends a JSON request (with token as bearer, if any) and decodes
// a 2xx answer into out; it answers the status.
func Request(ctx context.Context, cl *http.Client, method, url, token, body string, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewBufferString(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := cl.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode < 300 {
		return res.StatusCode, json.NewDecoder(res.Body).Decode(out)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, nil
}

// Percentile is the p-th percentile of sorted durations (nearest rank),
// rounded to 10 µs.
func Percentile(d []time.Duration, p int) time.Duration {
	i := (len(d)*p + 99) / 100
	if i > 0 {
		i--
	}
	return d[i].Round(10 * time.Microsecond)
}

// Each runs f(0) … f(n-1) on workers goroutines; the first error stops
// the others from starting more, and the errors are answered joined.
func Each(n, workers int, f func(i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					errs[w] = err
					next.Store(int64(n)) // stop the others too
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// NewCustomers makes n customers (external ids prefix-00000 …) with
// NewCustomer on conns connections.
func NewCustomers(ctx context.Context, cl *http.Client, base, key, secret, prefix string, n, conns int) ([]Customer, error) {
	custs := make([]Customer, n)
	err := Each(n, conns, func(i int) error {
		c, err := NewCustomer(ctx, cl, base, key, secret, fmt.Sprintf("%s-%05d", prefix, i))
		custs[i] = c
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	return custs, nil
}
