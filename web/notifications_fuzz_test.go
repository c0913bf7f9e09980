package web

import (
	"strconv"
	"testing"
)

// FuzzParseLimit: ?limit= is refused or a plain decimal from 1 to
// MaxNotifications; nothing else is accepted.
func FuzzParseLimit(f *testing.F) {
	for _, s := range []string{"", "limit=1", "limit=100", "limit=101", "limit=01", "limit=1&limit=2", "x=1", "limit=%31", "limit=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		n, err := parseLimit(q)
		if err != nil {
			return
		}
		if n < 1 || n > MaxNotifications {
			t.Fatalf("%q gave limit %d", q, n)
		}
		if q != "" && n != 20 && !containsDecimal(q, n) {
			t.Fatalf("%q gave %d", q, n)
		}
	})
}

func containsDecimal(q string, n int) bool {
	s := strconv.Itoa(n)
	for i := 0; i+len(s) <= len(q); i++ {
		if q[i:i+len(s)] == s {
			return true
		}
	}
	return false
}
