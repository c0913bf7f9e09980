package inbox_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// TestRecipients is R19's rule as a table: who hears of a message, by
// author, kind and assignment.
func TestRecipients(t *testing.T) {
	pol, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	can := func(a models.Actor, act policies.Action, c *models.Conversation) bool {
		return pol.Can(a, "conversation", act, c)
	}
	staff := []models.Staff{
		{ID: 1, Username: "agent1", Role: models.RoleAgent, Active: true},
		{ID: 2, Username: "agent2", Role: models.RoleAgent, Active: true},
		{ID: 3, Username: "chatadmin", Role: models.RoleChatAdmin, Active: true},
		{ID: 4, Username: "owner", Role: models.RoleOwner, Active: true},
		{ID: 5, Username: "gone", Role: models.RoleAgent, Active: false},
	}
	assigned := func(id int64) *int64 { return &id }
	customerMsg := models.Message{Kind: models.KindReply, AuthorType: models.ActorCustomer, Public: true}
	staffMsg := models.Message{Kind: models.KindReply, AuthorType: models.ActorStaff, Public: true}
	note := models.Message{Kind: models.KindNote, AuthorType: models.ActorStaff, Public: false}
	system := models.Message{Kind: "system", AuthorType: models.ActorSystem, Public: true}
	for _, tc := range []struct {
		name string
		m    models.Message
		c    models.Conversation
		want string
	}{
		{"customer message, unassigned: everyone who may see it", customerMsg, models.Conversation{Status: models.StatusOpen}, "staff:1 staff:2 staff:3 staff:4"},
		{"customer message, assigned: assignee and chat admins up", customerMsg, models.Conversation{Status: models.StatusAwaitingAdmin, AssignedTo: assigned(2)}, "staff:2 staff:3 staff:4"},
		{"staff reply: the customer", staffMsg, models.Conversation{CustomerID: 9, Status: models.StatusAwaitingUser, AssignedTo: assigned(1)}, "customer:9"},
		{"note: nobody", note, models.Conversation{CustomerID: 9, Status: models.StatusOpen}, ""},
		{"system event: nobody", system, models.Conversation{CustomerID: 9, Status: models.StatusResolved}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.ID, tc.m.ConversationID = 1, 1
			if tc.c.CustomerID == 0 {
				tc.c.CustomerID = 9
			}
			var got []string
			for _, a := range inbox.Recipients(tc.m, tc.c, staff, can) {
				got = append(got, fmt.Sprintf("%s:%d", a.Kind, a.ID))
			}
			if g := fmt.Sprint(got); g != fmt.Sprint(strings.Fields(tc.want)) {
				t.Errorf("recipients = %v, want %v", g, tc.want)
			}
		})
	}
}
