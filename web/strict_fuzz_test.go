package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/models"
)

type fuzzBody struct {
	Kind string   `json:"kind"`
	Body string   `json:"body"`
	IDs  []int64  `json:"ids" max:"3"`
	Sub  *fuzzSub `json:"sub"`
}

type fuzzSub struct {
	N nullableID `json:"assigned_to"`
}

// FuzzDecodeStrict: whatever decodeBytes accepts is valid UTF-8, uses only
// the exact field names, each once, and lists within their cap.
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{`{"kind":"reply","body":"x"}`, `{"kind":"reply","Kind":"note"}`, `{"body":"a","body":"b"}`,
		`{"ids":[1,2,3,4]}`, `{"sub":{"assigned_to":null}}`, `{"body":"\ud800"}`, `{"body":"\ud83d\ude00"}`, "{\"body\":\"\xff\"}", `[]`, `{"kind":"x"} {}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var dst fuzzBody
		if err := decodeBytes(b, &dst); err != nil {
			return
		}
		if !utf8.Valid(b) {
			t.Fatalf("accepted invalid UTF-8 %q", b)
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatalf("accepted %q that is not an object: %v", b, err)
		}
		for k := range raw {
			if k != "kind" && k != "body" && k != "ids" && k != "sub" {
				t.Fatalf("accepted key %q in %q", k, b)
			}
		}
		if len(dst.IDs) > 3 {
			t.Fatalf("accepted %d ids", len(dst.IDs))
		}
		if strings.ContainsRune(dst.Body, utf8.RuneError) && !strings.Contains(string(b), "\uFFFD") && !strings.Contains(strings.ToLower(string(b)), `\ufffd`) {
			t.Fatalf("body %q gained a replacement character from %q", dst.Body, b)
		}
	})
}

// FuzzSettingsPatch: a settings PATCH that parses names only known
// settings, each once, with a value its definition accepts the type of.
func FuzzSettingsPatch(f *testing.F) {
	for _, s := range []string{`{"retention_days":5}`, `{"enable_customer_chat":true}`, `{"time_zone":"UTC"}`,
		`{"retention_days":"5"}`, `{"retention_days":1e3}`, `{"x":1}`, `{"retention_days":5,"retention_days":6}`, `null`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := parseSettingsPatch(b)
		if err != nil {
			return
		}
		if !utf8.Valid(b) {
			t.Fatalf("accepted invalid UTF-8 %q", b)
		}
		for name, v := range out {
			d, ok := models.SettingDefByName(name)
			if !ok {
				t.Fatalf("accepted unknown setting %q", name)
			}
			if d.Kind == models.KindBool && v != "true" && v != "false" {
				t.Fatalf("bool %s = %q", name, v)
			}
			if !utf8.ValidString(v) {
				t.Fatalf("value of %s not UTF-8", name)
			}
		}
	})
}

// FuzzAuditQuery: an audit query that parses has only known keys and a
// non-reversed, in-range date range or none.
func FuzzAuditQuery(f *testing.F) {
	for _, s := range []string{"actor=a&action=b&target=conversation:1&from=2025-01-01&to=2025-02-01T00:00:00Z&cursor=9",
		"target=x:", "from=0000-01-01", "cursor=01", "q=1", "actor=%ff", "actor=a&actor=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		flt, err := parseAuditFilter(raw)
		if err != nil {
			return
		}
		for _, s := range []string{flt.Actor, flt.Action, flt.SubjectType} {
			if !utf8.ValidString(s) {
				t.Fatalf("accepted invalid UTF-8 in %q", raw)
			}
		}
		if flt.Before < 0 || flt.SubjectID < 0 {
			t.Fatalf("negative id from %q", raw)
		}
		for _, tm := range []time.Time{flt.From, flt.To} {
			if !tm.IsZero() && (tm.Year() < 1970 || tm.Year() > 9999) {
				t.Fatalf("date out of range from %q", raw)
			}
		}
	})
}
