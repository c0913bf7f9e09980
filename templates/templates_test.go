package templates

import (
	"strings"
	"testing"
)

func TestProfileEscapes(t *testing.T) {
	html, err := Profile(ProfilePage{Name: `<script>alert(1)</script>`, Username: "agent1", Role: "Agent",
		PasswordAction: "/admin/profile/password", Error: `"><img src=x onerror=alert(2)>`})
	if err != nil {
		t.Fatal(err)
	}
	s := string(html)
	if strings.Contains(s, "<script>alert") || strings.Contains(s, "<img") {
		t.Errorf("not escaped: %s", s)
	}
	if !strings.Contains(s, `action="/admin/profile/password"`) || !strings.Contains(s, "agent1") {
		t.Errorf("page: %s", s)
	}
}

func TestEveryTemplateNameExists(t *testing.T) {
	for _, name := range []string{ProfileTemplate, ErrorTemplate, ThreadTemplate, ThreadMessagesTemplate} {
		if pages.Lookup(name) == nil {
			t.Errorf("no template %s", name)
		}
	}
}
