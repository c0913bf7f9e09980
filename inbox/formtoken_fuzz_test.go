package inbox

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzFormToken: no input makes the reply form's token check panic; a
// token it accepts is exactly one the secret signed for that staff member
// and conversation, in its one spelling, and not expired; anything not
// starting with Parley's prefix is left to GoAdmin.
func FuzzFormToken(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	acc := &Accounts{secret: []byte("fuzz-secret"), clock: fixedClock(now)}
	good := acc.NewFormToken(7, 9)
	f.Add(good)
	f.Add(good + "0")
	f.Add(strings.Replace(good, "pf1.1", "pf1.01", 1))
	f.Add("pf1.")
	f.Add("pf1...")
	f.Add("")
	f.Add("6f0c3d2a-1111-2222-3333-444455556666")
	f.Fuzz(func(t *testing.T, token string) {
		nonce, state := acc.verifyFormToken(7, 9, token, now)
		switch {
		case !strings.HasPrefix(token, formTokenPrefix):
			if state != FormTokenForeign {
				t.Fatalf("%q: %v, want foreign", token, state)
			}
		case state == FormTokenFresh:
			// Accepted: the one spelling the secret signs, and recent.
			parts := strings.Split(strings.TrimPrefix(token, formTokenPrefix), ".")
			secs, err := strconv.ParseInt(parts[0], 10, 64)
			if len(parts) != 3 || err != nil || strconv.FormatInt(secs, 10) != parts[0] || parts[1] != nonce ||
				strings.ToLower(nonce) != nonce || parts[2] != acc.formMAC(7, 9, parts[0], nonce) ||
				now.Sub(time.Unix(secs, 0)) > FormTokenTTL {
				t.Fatalf("accepted %q (nonce %q)", token, nonce)
			}
		case state != FormTokenInvalid:
			t.Fatalf("%q: %v", token, state)
		}
	})
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }
