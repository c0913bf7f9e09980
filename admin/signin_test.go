package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Item 1: GoAdmin reads the query string before a multipart body, so a
// body with agent1's valid credentials and ?username=owner&password=…
// signed in the owner, even while the owner was locked out.
func TestSigninUsesOnlyTheBodysCredentials(t *testing.T) {
	owner, agent := newStaff(t, "owner"), newStaff(t, "agent")
	for i := 0; i < env.acc.PerAccount+1; i++ { // lock the owner out
		newClient(t).post("/admin/signin", url.Values{"username": {owner.Username}, "password": {"wrong-password"}}, nil)
	}
	body := url.Values{"username": {agent.Username}, "password": {password}}
	for _, q := range []string{
		"username=" + owner.Username + "&password=" + password,
		"username=" + owner.Username,
		"password=" + password,
	} {
		for name, send := range map[string]func(cl *client) response{
			"multipart":  func(cl *client) response { return cl.postMultipart("/admin/signin?"+q, body, nil) },
			"urlencoded": func(cl *client) response { return cl.post("/admin/signin?"+q, body, nil) },
		} {
			cl := newClient(t)
			res := send(cl)
			if res.StatusCode != http.StatusBadRequest || res.sessionSet() {
				t.Errorf("%s with ?%s: %d %s", name, q, res.StatusCode, res.body)
			}
			if res := cl.get("/admin/profile"); res.StatusCode == http.StatusOK {
				t.Errorf("%s with ?%s: signed in as %s", name, q, profileUser(t, res))
			}
		}
	}
	// Wrong owner guesses in the query are charged to nobody: agent1 still
	// signs in after more of them than the per-account limit.
	for i := 0; i < env.acc.PerAccount+2; i++ {
		newClient(t).postMultipart("/admin/signin?username="+owner.Username+"&password=guess", body, nil)
	}
	cl := login(t, agent)
	if got := profileUser(t, cl.get("/admin/profile")); got != agent.Username {
		t.Errorf("signed in as %q, want %q", got, agent.Username)
	}
	// Two usernames in the body are refused too.
	res := newClient(t).postMultipart("/admin/signin", url.Values{"username": {agent.Username, owner.Username}, "password": {password}}, nil)
	if res.StatusCode != http.StatusBadRequest || res.sessionSet() {
		t.Errorf("two usernames: %d", res.StatusCode)
	}
}

// Multipart sign-in (credentials in the body) works like urlencoded.
func TestSigninMultipart(t *testing.T) {
	agent := newStaff(t, "agent")
	cl := newClient(t)
	res := cl.postMultipart("/admin/signin", url.Values{"username": {agent.Username}, "password": {password}}, nil)
	if res.StatusCode != http.StatusOK || !res.sessionSet() {
		t.Fatalf("multipart sign-in: %d %s", res.StatusCode, res.body)
	}
	s, err := env.acc.AdminSession(context.Background(), cl.sessionCookie().Value, 1<<40)
	if err != nil || s.UserID != agent.ID {
		t.Errorf("session user %d (%v), want %d", s.UserID, err, agent.ID)
	}
}

// profileUser reads the username the profile page shows.
func profileUser(t *testing.T, res response) string {
	t.Helper()
	return strings.TrimSpace(res.doc(t).Find(".parley-username").Text())
}

// One staff member may be signed in on two devices at once: a second
// sign-in does not end the first session (GoAdmin's default would).
func TestTwoDevicesStaySignedIn(t *testing.T) {
	s := newStaff(t, "agent")
	desk, phone := login(t, s), login(t, s)
	for name, cl := range map[string]*client{"desk": desk, "phone": phone} {
		if res := cl.get("/admin/info/conversation"); res.StatusCode != http.StatusOK {
			t.Errorf("%s session after the second sign-in: %d", name, res.StatusCode)
		}
	}
}
