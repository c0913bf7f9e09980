package admin_test

import (
	"strings"
	"testing"
)

// Parley's name and words on every page: the sign-in page and the layout
// carry nothing of GoAdmin's branding.
func TestParleyBranding(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
	}{
		{"sign-in page", newClient(t).get("/admin/login").body},
		{"inbox", login(t, newStaff(t, "agent")).get("/admin/info/conversation").body},
		{"profile", login(t, newStaff(t, "agent")).get("/admin/profile").body},
	} {
		if strings.Contains(tc.body, "GoAdmin") || strings.Contains(tc.body, "Powered by") {
			i := strings.Index(tc.body, "GoAdmin")
			if i < 0 {
				i = strings.Index(tc.body, "Powered by")
			}
			t.Errorf("%s shows GoAdmin's branding: …%s…", tc.name, tc.body[max(0, i-80):min(len(tc.body), i+80)])
		}
		if !strings.Contains(tc.body, "Parley") {
			t.Errorf("%s does not say Parley", tc.name)
		}
	}
}
