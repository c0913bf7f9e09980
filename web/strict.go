package web

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley/models"
)

// decodeBytes decodes a request body into dst strictly. encoding/json
// matches keys case-insensitively and lets the last duplicate win, and
// replaces invalid UTF-8 with U+FFFD: a body of {"kind":"reply","Kind":"note"}
// would store a note. So before decoding, the raw body must be valid UTF-8
// without lone surrogate escapes, and a pass over its tokens refuses any key
// that is not exactly a field's JSON name, any duplicate key, and any array
// longer than its field's `max` tag (before anything is allocated for it).
func decodeBytes(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return models.Errorf(models.EINVALID, "request body must be a JSON object")
	}
	if !utf8.Valid(body) || hasLoneSurrogate(body) {
		return models.Errorf(models.EINVALID, "request body is not valid UTF-8 text")
	}
	pre := json.NewDecoder(bytes.NewReader(body))
	if err := walkStrict(pre, reflect.TypeOf(dst), 0, 0); err != nil {
		return err
	}
	if _, err := pre.Token(); err != io.EOF {
		return models.Errorf(models.EINVALID, "request body must hold a single JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	return nil
}

// maxDepth bounds nesting (each level is a recursive call).
const maxDepth = 32

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// walkStrict consumes one JSON value from dec, checking it against t (nil:
// any value; only duplicate keys are refused inside it).
func walkStrict(dec *json.Decoder, t reflect.Type, maxItems, depth int) error {
	if depth > maxDepth {
		return models.Errorf(models.EINVALID, "request body is nested too deeply")
	}
	for t != nil && t.Kind() == reflect.Pointer {
		if t.Implements(unmarshalerType) {
			t = nil // the type reads its own value
			break
		}
		t = t.Elem()
	}
	if t != nil && reflect.PointerTo(t).Implements(unmarshalerType) {
		t = nil
	}
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil // a scalar: its type is checked by the decoder
	}
	switch d {
	case '{':
		var fields map[string]fieldInfo
		if t != nil && t.Kind() == reflect.Struct {
			fields = jsonFields(t)
		}
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return jsonError(err)
			}
			key, _ := kt.(string)
			if seen[key] {
				return models.Errorf(models.EINVALID, "field %s appears more than once", strconv.Quote(truncate(key, 40)))
			}
			seen[key] = true
			var sub fieldInfo
			switch {
			case fields != nil:
				f, ok := fields[key]
				if !ok {
					return models.Errorf(models.EINVALID, "unknown field %s", strconv.Quote(truncate(key, 40)))
				}
				sub = f
			case t != nil && t.Kind() == reflect.Map:
				sub.typ = t.Elem()
			}
			if err := walkStrict(dec, sub.typ, sub.max, depth+1); err != nil {
				return err
			}
		}
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for n := 0; dec.More(); n++ {
			if maxItems > 0 && n >= maxItems {
				return models.Errorf(models.EINVALID, "a list holds at most %d items", maxItems)
			}
			if err := walkStrict(dec, elem, 0, depth+1); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return jsonError(err)
	}
	return nil
}

type fieldInfo struct {
	typ reflect.Type
	max int
}

// jsonFields maps the exact JSON names of t's fields to their types.
func jsonFields(t reflect.Type) map[string]fieldInfo {
	out := map[string]fieldInfo{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		n, _ := strconv.Atoi(f.Tag.Get("max"))
		out[name] = fieldInfo{typ: f.Type, max: n}
	}
	return out
}

// hasLoneSurrogate reports a \uD800–\uDFFF escape inside a JSON string that
// is not a high surrogate followed by a low one: encoding/json would turn it
// into U+FFFD silently.
func hasLoneSurrogate(b []byte) bool {
	inString := false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(b):
			if b[i+1] != 'u' {
				i++
				continue
			}
			r, ok := hex4(b, i+2)
			if !ok {
				return false // a syntax error the decoder reports
			}
			i += 5
			switch {
			case r >= 0xDC00 && r <= 0xDFFF:
				return true
			case r >= 0xD800 && r <= 0xDBFF:
				if i+6 >= len(b) || b[i+1] != '\\' || b[i+2] != 'u' {
					return true
				}
				lo, ok := hex4(b, i+3)
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return true
				}
				i += 6
			}
		}
	}
	return false
}

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[at:at+4]), 16, 32)
	return rune(v), err == nil
}
