package web

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzParseBulk: whatever parseBulk accepts is valid UTF-8 JSON with an
// action and exactly one of ids (positive, without repeats) or a filter
// whose every value is a non-empty string.
func FuzzParseBulk(f *testing.F) {
	for _, s := range []string{`{"action":"close","ids":[1,2]}`, `{"action":"close","filter":{"status":["OPEN","CLOSED"],"q":"x"}}`,
		`{"action":"assign","assigned_to":null,"filter":{}}`, `{"action":"close","ids":[1],"filter":{}}`, `{"action":"close","filter":{"status":""}}`,
		`{"action":"close","Filter":{}}`, `{"action":"close","filter":{"a":1}}`, "{\"action\":\"\xff\",\"ids\":[1]}", `{"action":"close","ids":[0]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cmd, err := parseBulk(b)
		if err != nil {
			return
		}
		if !utf8.Valid(b) || !json.Valid(b) {
			t.Fatalf("accepted %q", b)
		}
		if cmd.action == "" || (cmd.ids == nil) == (cmd.filter == nil) {
			t.Fatalf("accepted %q as %+v", b, cmd)
		}
		seen := map[int64]bool{}
		for _, id := range cmd.ids {
			if id <= 0 || seen[id] {
				t.Fatalf("accepted id %d in %q", id, b)
			}
			seen[id] = true
		}
		for k, vs := range cmd.filter {
			for _, v := range vs {
				if v == "" || !utf8.ValidString(v) || !utf8.ValidString(k) {
					t.Fatalf("accepted filter %q=%q in %q", k, v, b)
				}
			}
		}
	})
}
