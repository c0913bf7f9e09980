package web

import (
	"encoding/json"
	"strings"
	"testing"
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
