package models

import "testing"

func TestParseDBTime(t *testing.T) {
	for _, s := range []string{"2026-01-02 03:04:05", "2026-01-02T03:04:05Z", "2026-01-02 03:04:05.123456+00:00"} {
		if _, ok := parseDBTime(s); !ok {
			t.Errorf("cannot parse %q", s)
		}
	}
	if _, ok := parseDBTime("yesterday"); ok {
		t.Error("parsed nonsense")
	}
}
