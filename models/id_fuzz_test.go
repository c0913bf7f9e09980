package models_test

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/parleyhq/parley/models"
)

var plainID = regexp.MustCompile(`^[1-9][0-9]{0,18}$`)

// FuzzParseID: an id is accepted only as its own canonical decimal.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"1", "+1", "0001", "0", "-1", " 1", "9223372036854775807", "9223372036854775808", "1e3", "١"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := models.ParseID(s)
		if !ok {
			if plainID.MatchString(s) {
				if _, err := strconv.ParseInt(s, 10, 64); err == nil {
					t.Fatalf("refused plain id %q", s)
				}
			}
			return
		}
		if id <= 0 || strconv.FormatInt(id, 10) != s {
			t.Fatalf("models.ParseID(%q) = %d: not canonical", s, id)
		}
	})
}
