package admin_test

import (
	"net/http"
	"testing"
)

func TestSmokeListAndEdit(t *testing.T) {
	agent := newStaff(t, "agent")
	c := newConversation(t, "Where is my order?", "It has not arrived")
	cl := login(t, agent)
	res := cl.get("/admin/info/conversation")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", res.StatusCode, res.body)
	}
	ids := listIDs(t, res)
	if !ids[c.ID] {
		t.Fatalf("conversation %d not listed; got %v", c.ID, ids)
	}
	form := cl.editForm(c.ID)
	t.Logf("form fields: %v", form)
}
