package inbox

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzStreamTicket: no input makes the ticket parser panic, and the only
// tickets it accepts are the ones the secret signed, in their one
// spelling (strict base64, no padding, nothing around them).
func FuzzStreamTicket(f *testing.F) {
	acc := &Accounts{secret: []byte("fuzz-secret")}
	body := bytes.Repeat([]byte{7}, ticketBody)
	enc := base64.RawURLEncoding
	good := ticketPrefix + enc.EncodeToString(body) + "." + enc.EncodeToString(acc.ticketMAC(body))
	f.Add(good)
	f.Add(good + "=")
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Add("st_.")
	f.Add("")
	f.Add("pt_abc")
	f.Fuzz(func(t *testing.T, ticket string) {
		got, ok := acc.parseTicket(ticket)
		if !ok {
			return
		}
		if len(got) != ticketBody {
			t.Fatalf("%q: body of %d bytes", ticket, len(got))
		}
		again := ticketPrefix + enc.EncodeToString(got) + "." + enc.EncodeToString(acc.ticketMAC(got))
		if again != ticket {
			t.Fatalf("accepted %q, which is not the signed spelling %q", ticket, again)
		}
	})
}
