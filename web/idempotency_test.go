package web_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// doKey sends a JSON body with an Idempotency-Key.
func (e *env) doKey(t testing.TB, method, url, token, key, body string) response {
	t.Helper()
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return response{Code: w.Code, Header: w.Header(), Body: w.Body.String()}
}

// Item 11: a retried POST with the same Idempotency-Key answers the first
// answer and never adds a second message.
func TestIdempotentRetry(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, aliceTok := e.customer(t, "alice@example.com")
		_, agentTok := e.staff(t, "agent1", models.RoleAdmin)
		conv := e.start(t, alice, 0, "hello")
		msgs := idURL(custConvs, conv.ID, "/messages")
		before := messageCount(t, e, conv.ID)

		first := e.doKey(t, "POST", msgs, aliceTok, "k-1", `{"body":"only once"}`)
		if first.Code != http.StatusCreated || first.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("first: %d %v %s", first.Code, first.Header, first.Body)
		}
		again := e.doKey(t, "POST", msgs, aliceTok, "k-1", `{"body":"only once"}`)
		if again.Code != http.StatusCreated || again.Header.Get("Idempotent-Replayed") != "true" || again.Body != first.Body {
			t.Fatalf("replay: %d %v\n%s\nwant\n%s", again.Code, again.Header, again.Body, first.Body)
		}
		if n := messageCount(t, e, conv.ID); n != before+1 {
			t.Fatalf("%d messages added, want 1", n-before)
		}
		other := e.doKey(t, "POST", msgs, aliceTok, "k-1", `{"body":"something else"}`)
		if other.Code != http.StatusConflict || !strings.Contains(other.Body, `"conflict"`) {
			t.Errorf("same key, other body: %d %s", other.Code, other.Body)
		}
		// Keys are scoped by actor and path: staff's k-1 is another request.
		staffSend := e.doKey(t, "POST", idURL(staffConvsURL, conv.ID, "/messages"), agentTok, "k-1", `{"body":"from staff"}`)
		if staffSend.Code != http.StatusCreated || staffSend.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("staff with the same key: %d %s", staffSend.Code, staffSend.Body)
		}
		// Start conversation, both sides.
		start := fmt.Sprintf(`{"customer_id":%d,"subject":"outreach","body":"hi"}`, alice.ID)
		s1 := e.doKey(t, "POST", staffConvsURL, agentTok, "start-1", start)
		s2 := e.doKey(t, "POST", staffConvsURL, agentTok, "start-1", start)
		if s1.Code != http.StatusCreated || s2.Code != http.StatusCreated || s2.Body != s1.Body || s2.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("staff start: %d %d\n%s\n%s", s1.Code, s2.Code, s1.Body, s2.Body)
		}
		c1 := e.doKey(t, "POST", custConvs, aliceTok, "start-1", `{"subject":"new","body":"b"}`)
		c2 := e.doKey(t, "POST", custConvs, aliceTok, "start-1", `{"subject":"new","body":"b"}`)
		if c1.Code != http.StatusCreated || c2.Body != c1.Body || c2.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("customer start: %d %d\n%s\n%s", c1.Code, c2.Code, c1.Body, c2.Body)
		}
		// A failed request keeps no key: its retry runs again.
		if r := e.doKey(t, "POST", msgs, aliceTok, "k-bad", `{"body":" "}`); r.Code != http.StatusBadRequest {
			t.Fatalf("blank: %d", r.Code)
		}
		if r := e.doKey(t, "POST", msgs, aliceTok, "k-bad", `{"body":"fixed"}`); r.Code != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("retry of a failed request: %d %v %s", r.Code, r.Header, r.Body)
		}
		if r := e.doKey(t, "POST", msgs, aliceTok, "bad key with spaces", `{"body":"x"}`); r.Code != http.StatusBadRequest {
			t.Errorf("malformed key: %d", r.Code)
		}

		// A replay costs no rate-limit quota.
		for i := 0; ; i++ {
			r := e.doKey(t, "POST", msgs, aliceTok, "", fmt.Sprintf(`{"body":"filler %d"}`, i))
			if r.Code == http.StatusTooManyRequests {
				break
			}
			if r.Code != http.StatusCreated || i > 1000 {
				t.Fatalf("filler %d: %d %s", i, r.Code, r.Body)
			}
		}
		if r := e.doKey(t, "POST", msgs, aliceTok, "k-1", `{"body":"only once"}`); r.Code != http.StatusCreated || r.Body != first.Body {
			t.Errorf("replay once rate limited: %d %s", r.Code, r.Body)
		}
	})
}

// Concurrent duplicates: one message; every answer is the message or
// "in progress" (409, Retry-After: 1).
func TestIdempotentConcurrentDuplicates(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, aliceTok := e.customer(t, "alice@example.com")
		conv := e.start(t, alice, 0, "hello")
		msgs := idURL(custConvs, conv.ID, "/messages")
		before := messageCount(t, e, conv.ID)
		for round := range 5 {
			key := fmt.Sprintf("race-%d", round)
			var wg sync.WaitGroup
			answers := make([]response, 6)
			for i := range answers {
				wg.Go(func() { answers[i] = e.doKey(t, "POST", msgs, aliceTok, key, `{"body":"racing"}`) })
			}
			wg.Wait()
			created := ""
			for _, r := range answers {
				switch r.Code {
				case http.StatusCreated:
					if created != "" && r.Body != created {
						t.Errorf("two different answers:\n%s\n%s", created, r.Body)
					}
					created = r.Body
				case http.StatusConflict:
					if r.Header.Get("Retry-After") != "1" {
						t.Errorf("in-progress 409 without Retry-After: 1: %v", r.Header)
					}
				default:
					t.Errorf("answer %d %s", r.Code, r.Body)
				}
			}
			if created == "" {
				t.Errorf("round %d: no request created the message", round)
			}
		}
		if n := messageCount(t, e, conv.ID); n != before+5 {
			t.Errorf("%d messages for 5 keys", n-before)
		}
	})
}

// A process that claimed a key and died before its transaction committed
// leaves the key in progress for the lease only; a process that died after
// commit (answer lost) leaves the answer for the retry.
func TestIdempotentAfterCrash(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, aliceTok := e.customer(t, "alice@example.com")
		conv := e.start(t, alice, 0, "hello")
		msgs := idURL(custConvs, conv.ID, "/messages")
		body := `{"body":"after a crash"}`
		sum := sha256.Sum256([]byte(body))
		before := messageCount(t, e, conv.ID)

		// Died after claiming, before commit: the claim is all that remains.
		_, _, _, err := e.svc.Claim(context.Background(), inbox.Idempotent{
			Scope: fmt.Sprintf("customer:%d POST %s", alice.ID, msgs), Key: "crash-1", Hash: hex.EncodeToString(sum[:]), Status: 201})
		if err != nil {
			t.Fatal(err)
		}
		r := e.doKey(t, "POST", msgs, aliceTok, "crash-1", body)
		if r.Code != http.StatusConflict || r.Header.Get("Retry-After") != "1" {
			t.Fatalf("retry while the claim is fresh: %d %v %s", r.Code, r.Header, r.Body)
		}
		e.clock.Advance(inbox.IdempotencyLease + time.Second)
		r = e.doKey(t, "POST", msgs, aliceTok, "crash-1", body)
		if r.Code != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("retry after the lease: %d %s", r.Code, r.Body)
		}
		if n := messageCount(t, e, conv.ID); n != before+1 {
			t.Fatalf("%d messages, want 1", n-before)
		}

		// Connections cut right after the request was sent: whether or not
		// the send committed, the retry ends with exactly one message.
		srv := httptest.NewServer(e.h)
		defer srv.Close()
		before = messageCount(t, e, conv.ID)
		const cuts = 8
		for i := range cuts {
			key := fmt.Sprintf("cut-%d", i)
			b := fmt.Sprintf(`{"body":"cut %d"}`, i)
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nIdempotency-Key: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
				msgs, aliceTok, key, len(b), b)
			if i%2 == 1 { // half of them die once the server answered
				_, _ = http.ReadResponse(bufio.NewReader(conn), nil)
			}
			conn.Close()
			for {
				r := e.doKey(t, "POST", msgs, aliceTok, key, b)
				if r.Code == http.StatusConflict && r.Header.Get("Retry-After") == "1" {
					time.Sleep(20 * time.Millisecond)
					continue
				}
				if r.Code != http.StatusCreated || !bytes.Contains([]byte(r.Body), []byte(fmt.Sprintf("cut %d", i))) {
					t.Fatalf("retry %d: %d %s", i, r.Code, r.Body)
				}
				break
			}
		}
		if n := messageCount(t, e, conv.ID); n != before+cuts {
			t.Errorf("%d messages for %d keys", n-before, cuts)
		}
	})
}
