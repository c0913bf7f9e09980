package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Item 6: GoAdmin reads __go_admin_previous_ from the edit POST's query
// string before the form, and echoed it into an inline script.
func TestPreviousInTheQueryIsChecked(t *testing.T) {
	agent := newStaff(t, "agent")
	c := takenBy(t, agent, "previous in the query")
	cl := login(t, agent)
	for _, prev := range []string{`"</script><script>alert(1)</script>`, "javascript:alert(1)", "https://evil.example/"} {
		form := cl.editForm(c.ID)
		form.Set("reply_body", "hello")
		res := cl.postMultipart("/admin/edit/conversation?__go_admin_previous_="+url.QueryEscape(prev), form, nil)
		if res.StatusCode != http.StatusBadRequest || strings.Contains(res.body, "alert(1)") {
			t.Errorf("previous %q in the query: %d %.200s", prev, res.StatusCode, res.body)
		}
		if res := cl.get(editPath(c.ID) + "&__go_admin_previous_=" + url.QueryEscape(prev)); res.StatusCode != http.StatusBadRequest {
			t.Errorf("previous %q on the edit page: %d", prev, res.StatusCode)
		}
	}
	if got, _ := env.store.Conversation(context.Background(), c.ID); got.MessageCount != c.MessageCount {
		t.Error("a refused post wrote a message")
	}
}

// Item 6: an off-site Referer became the edit form's return address, and
// the next save failed with "invalid return address".
func TestOffsiteRefererIsNoReturnAddress(t *testing.T) {
	agent := newStaff(t, "agent")
	c := takenBy(t, agent, "from webmail")
	cl := login(t, agent)
	for _, ref := range []string{"https://mail.example/inbox/42", env.srv.URL + "/admin/profile"} {
		req, _ := http.NewRequest(http.MethodGet, env.srv.URL+editPath(c.ID), nil)
		res := cl.do(req, map[string]string{"Referer": ref})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("edit page from %s: %d", ref, res.StatusCode)
		}
		prev, _ := res.doc(t).Find(`input[name="__go_admin_previous_"]`).Attr("value")
		if strings.Contains(prev, "example") || !strings.HasPrefix(prev, "/admin/info/conversation") {
			t.Errorf("return address from %s: %q", ref, prev)
		}
		form := cl.editForm(c.ID)
		form.Set("__go_admin_previous_", prev)
		form.Set("reply_body", "answer from "+ref)
		if res := cl.postMultipart("/admin/edit/conversation", form, nil); res.StatusCode != http.StatusOK || strings.Contains(res.body, "invalid return address") {
			t.Errorf("save after arriving from %s: %d %.200s", ref, res.StatusCode, res.body)
		}
	}
}

// Item 6: a deep link survives the sign-in; nothing off-site does.
func TestSigninReturnsToTheDeepLink(t *testing.T) {
	agent := newStaff(t, "agent")
	c := takenBy(t, agent, "deep link")
	deep := editPath(c.ID)
	cl := newClient(t)
	res := cl.get(deep)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "/admin/login?ref=") {
		t.Fatalf("signed-out deep link: %d %q", res.StatusCode, loc)
	}
	if res := cl.get(loc); res.StatusCode != http.StatusOK {
		t.Fatalf("login page %s: %d", loc, res.StatusCode)
	}
	res = cl.post("/admin/signin", url.Values{"username": {agent.Username}, "password": {password}},
		map[string]string{"Referer": env.srv.URL + loc})
	data, _ := res.json(t)["data"].(map[string]any)
	if res.StatusCode != http.StatusOK || data["url"] != deep {
		t.Fatalf("next url %v, want %s", data["url"], deep)
	}
	if res := cl.get(deep); res.StatusCode != http.StatusOK {
		t.Errorf("the deep link after sign-in: %d", res.StatusCode)
	}
}
