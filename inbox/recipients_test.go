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
		{ID: 6, Username: "admin", Role: models.RoleAdmin, Active: true},
	}
	assigned := func(id int64) *int64 { return &id }
	customerMsg := models.Message{Kind: models.KindReply, AuthorType: models.ActorCustomer, Public: true}
	staffMsg := models.Message{Kind: models.KindReply, AuthorType: models.ActorStaff, Public: true}
	note := models.Message{Kind: models.KindNote, AuthorType: models.ActorStaff, Public: false}
	guestMsg := models.Message{Kind: models.KindReply, AuthorType: models.ActorGuest, Public: true}
	system := models.Message{Kind: "system", AuthorType: models.ActorSystem, Public: false}
	publicEvent := models.Message{Kind: "system", AuthorType: models.ActorStaff, Public: true}
	for _, tc := range []struct {
		name string
		m    models.Message
		c    models.Conversation
		want string
	}{
		// In-app: everyone active who may see it; e-mail (+): agents and chat admins.
		{"customer message, unassigned: everyone who may see it", customerMsg, models.Conversation{Status: models.StatusOpen}, "staff:1+ staff:2+ staff:3+ staff:4 staff:6"},
		{"guest message, unassigned", guestMsg, models.Conversation{Status: models.StatusOpen}, "staff:1+ staff:2+ staff:3+ staff:4 staff:6"},
		// In-app: assignee and chat admins up; e-mail: the assignee only.
		{"customer message, assigned: assignee and chat admins up", customerMsg, models.Conversation{Status: models.StatusAwaitingAdmin, AssignedTo: assigned(2)}, "staff:2+ staff:3 staff:4 staff:6"},
		{"customer message, assigned to a chat admin", customerMsg, models.Conversation{Status: models.StatusAwaitingAdmin, AssignedTo: assigned(3)}, "staff:3+ staff:4 staff:6"},
		{"customer message, assigned to a deactivated agent", customerMsg, models.Conversation{Status: models.StatusAwaitingAdmin, AssignedTo: assigned(5)}, "staff:3 staff:4 staff:6"},
		{"customer message to an escalated thread", customerMsg, models.Conversation{Status: models.StatusEscalated, AssignedTo: assigned(1)}, "staff:1+ staff:3 staff:4 staff:6"},
		{"staff reply: the customer", staffMsg, models.Conversation{CustomerID: 9, Status: models.StatusAwaitingUser, AssignedTo: assigned(1)}, "customer:9+"},
		{"staff reply, unassigned: the customer", staffMsg, models.Conversation{CustomerID: 9, Status: models.StatusOpen}, "customer:9+"},
		{"note: nobody, never the customer", note, models.Conversation{CustomerID: 9, Status: models.StatusOpen}, ""},
		{"note on an assigned thread: nobody", note, models.Conversation{CustomerID: 9, Status: models.StatusAwaitingAdmin, AssignedTo: assigned(1)}, ""},
		{"system event: nobody", system, models.Conversation{CustomerID: 9, Status: models.StatusResolved}, ""},
		{"public system event: nobody", publicEvent, models.Conversation{CustomerID: 9, Status: models.StatusClosed}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.ID, tc.m.ConversationID = 1, 1
			if tc.c.CustomerID == 0 {
				tc.c.CustomerID = 9
			}
			var got []string
			for _, r := range inbox.Recipients(tc.m, tc.c, staff, can) {
				got = append(got, label(r))
			}
			if g := fmt.Sprint(got); g != fmt.Sprint(strings.Fields(tc.want)) {
				t.Errorf("recipients = %v, want %v", g, tc.want)
			}
		})
	}
}

func label(r inbox.Recipient) string {
	s := fmt.Sprintf("%s:%d", r.Kind, r.ID)
	if r.Email {
		s += "+"
	}
	return s
}

// TestEscalationRecipients: an escalation goes to the active holders of
// financial.manage (admins and owners), in-app and by e-mail, never to
// whoever escalated it.
func TestEscalationRecipients(t *testing.T) {
	pol, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	holds := func(a models.Actor) bool { return pol.Can(a, policies.ObjFinancial, policies.ManageFinancial, nil) }
	staff := []models.Staff{
		{ID: 1, Role: models.RoleAgent, Active: true},
		{ID: 3, Role: models.RoleChatAdmin, Active: true},
		{ID: 4, Role: models.RoleOwner, Active: true},
		{ID: 6, Role: models.RoleAdmin, Active: true},
		{ID: 7, Role: models.RoleAdmin, Active: false},
	}
	c := models.Conversation{ID: 1, CustomerID: 9, Status: models.StatusEscalated}
	for _, tc := range []struct {
		by   models.Actor
		want string
	}{
		{models.Actor{Kind: models.ActorStaff, ID: 1, Role: models.RoleAgent}, "staff:4+ staff:6+"},
		{models.Actor{Kind: models.ActorStaff, ID: 6, Role: models.RoleAdmin}, "staff:4+"},
		{models.System, "staff:4+ staff:6+"},
	} {
		var got []string
		for _, r := range inbox.EscalationRecipients(c, tc.by, staff, holds) {
			got = append(got, label(r))
		}
		if g := fmt.Sprint(got); g != fmt.Sprint(strings.Fields(tc.want)) {
			t.Errorf("escalated by %+v: recipients = %v, want %v", tc.by, g, tc.want)
		}
	}
}
