package models_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
)

// FuzzCursorCanonical: an accepted cursor is exactly one EncodeCursor gives
// out, with a time both dialects can store.
func FuzzCursorCanonical(f *testing.F) {
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, s := range []string{models.EncodeCursor(time.Now(), 5), b64("253402300800000000.5"), b64("+1.1"), b64("1.01"), b64("-1.1"), "", "!!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		at, id, err := models.DecodeCursor(s)
		if err != nil {
			if models.ErrorCode(err) != models.EINVALID {
				t.Fatalf("DecodeCursor(%q) error %v is not invalid", s, err)
			}
			return
		}
		if id <= 0 || at.Year() < 1970 || at.Year() > 9999 || models.EncodeCursor(at, id) != s {
			t.Fatalf("DecodeCursor(%q) = %v, %d", s, at, id)
		}
	})
}
