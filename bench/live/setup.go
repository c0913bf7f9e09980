package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// customer is a signed-in customer with one conversation.
type customer struct {
	token string
	conv  int64
}

// newCustomer creates customer ext through the integration API, signs them
// in with an identity token and starts their conversation (as bench/send).
func newCustomer(ctx context.Context, cl *http.Client, base, key, secret, ext string) (customer, error) {
	cust := fmt.Sprintf(`{"email":"%s@bench.example","name":"Bench %s"}`, ext, ext)
	if code, err := request(ctx, cl, http.MethodPut, base+"/api/v1/integration/customers/"+ext, key, cust, nil); err != nil || code != http.StatusOK {
		return customer{}, fmt.Errorf("PUT customer %s: %d %v", ext, code, err)
	}
	jti := make([]byte, 12)
	_, _ = rand.Read(jti)
	tok := signIdentity(secret, map[string]any{"sub": ext, "exp": time.Now().Add(5 * time.Minute).Unix(), "jti": hex.EncodeToString(jti)})
	var login struct {
		Token string `json:"token"`
	}
	b, _ := json.Marshal(map[string]string{"token": tok})
	if code, err := request(ctx, cl, http.MethodPost, base+"/api/v1/auth/identity", "", string(b), &login); err != nil || code != http.StatusOK || login.Token == "" {
		return customer{}, fmt.Errorf("identity sign-in %s: %d %v", ext, code, err)
	}
	var started struct {
		Conversation struct {
			ID int64 `json:"id"`
		} `json:"conversation"`
	}
	if code, err := request(ctx, cl, http.MethodPost, base+"/api/v1/conversations", login.Token, `{"subject":"Benchmark","body":"first message","accept_privacy_consent":true}`, &started); err != nil || code != http.StatusCreated {
		return customer{}, fmt.Errorf("start %s: %d %v", ext, code, err)
	}
	return customer{token: login.Token, conv: started.Conversation.ID}, nil
}

// staffToken signs a staff member in (POST /api/v1/staff/auth/login).
func staffToken(ctx context.Context, cl *http.Client, base, user, password string) (string, error) {
	b, _ := json.Marshal(map[string]string{"username": user, "password": password})
	var s struct {
		Token string `json:"token"`
	}
	if code, err := request(ctx, cl, http.MethodPost, base+"/api/v1/staff/auth/login", "", string(b), &s); err != nil || code != http.StatusOK || s.Token == "" {
		return "", fmt.Errorf("staff sign-in %s: %d %v", user, code, err)
	}
	return s.Token, nil
}

func signIdentity(secret string, claims map[string]any) string {
	enc := base64.RawURLEncoding
	h := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	b, _ := json.Marshal(claims)
	p := enc.EncodeToString(b)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(h + "." + p))
	return h + "." + p + "." + enc.EncodeToString(mac.Sum(nil))
}

// request sends a JSON request and decodes a 2xx answer into out.
func request(ctx context.Context, cl *http.Client, method, url, token, body string, out any) (int, error) {
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
