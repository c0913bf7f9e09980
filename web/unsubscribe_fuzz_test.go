package web_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/web"
)

// FuzzParseUnsubscribe: whatever the query, an accepted one is exactly a
// positive plain-decimal id and 64 lowercase hex digits.
func FuzzParseUnsubscribe(f *testing.F) {
	f.Add("c=1&t=" + strings.Repeat("a", 64))
	f.Add("c=01&t=" + strings.Repeat("a", 64))
	f.Add("c=1&t=x&c=2")
	f.Add("t=" + strings.Repeat("0", 64) + "&c=9223372036854775807")
	f.Fuzz(func(t *testing.T, q string) {
		id, tok, ok := web.ParseUnsubscribe(q)
		if !ok {
			return
		}
		if id <= 0 || len(tok) != 64 || strings.Trim(tok, "0123456789abcdef") != "" {
			t.Fatalf("accepted %q as %d %q", q, id, tok)
		}
		if !strings.Contains(q, strconv.FormatInt(id, 10)) {
			t.Fatalf("id %d not in %q", id, q)
		}
	})
}
