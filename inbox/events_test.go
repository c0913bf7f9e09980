package inbox_test

import (
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// TestMaySee is who receives which event (R6, R6a, R8), as a table: the
// reading rule of the pages, applied to the conversation as it was when
// the event happened.
func TestMaySee(t *testing.T) {
	pol, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	svc := inbox.New(nil, pol, inbox.SystemClock{}, nil)
	id := func(n int64) *int64 { return &n }
	agent1 := models.Actor{Kind: models.ActorStaff, ID: 1, Role: models.RoleAgent}
	agent2 := models.Actor{Kind: models.ActorStaff, ID: 2, Role: models.RoleAgent}
	chatAdmin := models.Actor{Kind: models.ActorStaff, ID: 3, Role: models.RoleChatAdmin}
	alice := models.Actor{Kind: models.ActorCustomer, ID: 10, Role: models.RoleCustomer}
	bob := models.Actor{Kind: models.ActorCustomer, ID: 11, Role: models.RoleCustomer}
	guest10 := models.Actor{Kind: models.ActorGuest, ID: 10, Role: models.RoleGuest}
	forged := models.Actor{Kind: models.ActorCustomer, ID: 10, Role: models.RoleAgent} // a role that does not fit its kind

	reply := func(assignee *int64) inbox.Event {
		return inbox.Event{Type: inbox.EventMessageCreated, ConversationID: 5, MessageID: 9, CustomerID: 10, AssignedTo: assignee, Status: models.StatusAwaitingUser}
	}
	note := reply(id(1))
	note.Private = true
	bell := inbox.Event{Type: inbox.EventNotificationCreated, ConversationID: 5, CustomerID: 10, AssignedTo: id(1), Status: models.StatusAwaitingAdmin, RecipientKind: models.ActorStaff, RecipientID: 1}
	custBell := inbox.Event{Type: inbox.EventNotificationCreated, ConversationID: 5, CustomerID: 10, Status: models.StatusAwaitingUser, RecipientKind: models.ActorCustomer, RecipientID: 10}

	for _, tc := range []struct {
		name string
		a    models.Actor
		e    inbox.Event
		want bool
	}{
		{"agent, their thread", agent1, reply(id(1)), true},
		{"agent, another agent's thread", agent2, reply(id(1)), false},
		{"agent, unassigned", agent2, reply(nil), true},
		{"chat admin, anyone's thread", chatAdmin, reply(id(1)), true},
		{"customer, their thread", alice, reply(nil), true},
		{"customer, another's thread", bob, reply(nil), false},
		{"customer, a note in their thread", alice, note, false},
		{"guest of the same row, a note", guest10, note, false},
		{"assignee, a note", agent1, note, true},
		{"other agent, a note", agent2, note, false},
		{"notification, its recipient", agent1, bell, true},
		{"notification, a chat admin who may read the thread", chatAdmin, bell, false},
		{"notification, customer id equal to the staff recipient's", models.Actor{Kind: models.ActorCustomer, ID: 1, Role: models.RoleCustomer}, bell, false},
		{"customer notification, its customer", alice, custBell, true},
		{"customer notification, another customer", bob, custBell, false},
		{"a role that does not fit its kind", forged, reply(nil), false},
	} {
		if got := svc.MaySee(tc.a, tc.e); got != tc.want {
			t.Errorf("%s: MaySee = %v; want %v", tc.name, got, tc.want)
		}
	}
}
