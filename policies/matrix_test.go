package policies

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parleyhq/parley/models"
)

// The actors of the matrix all have id 10: staff user 10 and customer 10
// (separate id spaces). Conversations belong to customer 10 unless noted;
// "mine" is assigned to staff 10, "other's" to staff 11.
const (
	me    = 10
	other = 11
)

// situation is a matrix column: a conversation as seen by actors with id 10.
type situation struct {
	code string
	conv *models.Conversation
}

// situations are the matrix columns, in the order of the expectation strings.
func situations() []situation {
	return []situation{
		{"U", &models.Conversation{CustomerID: me, Status: models.StatusOpen}},                                 // unassigned
		{"M", &models.Conversation{CustomerID: me, Status: models.StatusAwaitingAdmin, AssignedTo: ptr(me)}},   // mine
		{"O", &models.Conversation{CustomerID: me, Status: models.StatusAwaitingUser, AssignedTo: ptr(other)}}, // other's
		{"CU", &models.Conversation{CustomerID: me, Status: models.StatusClosed}},
		{"CM", &models.Conversation{CustomerID: me, Status: models.StatusClosed, AssignedTo: ptr(me)}},
		{"CO", &models.Conversation{CustomerID: me, Status: models.StatusClosed, AssignedTo: ptr(other)}},
		{"EU", &models.Conversation{CustomerID: me, Status: models.StatusEscalated}},
		{"EM", &models.Conversation{CustomerID: me, Status: models.StatusEscalated, AssignedTo: ptr(me)}},
		{"EO", &models.Conversation{CustomerID: me, Status: models.StatusEscalated, AssignedTo: ptr(other)}},
		{"RM", &models.Conversation{CustomerID: me, Status: models.StatusResolved, AssignedTo: ptr(me)}},
		{"X", &models.Conversation{CustomerID: other, Status: models.StatusOpen}},                       // another customer's, unassigned
		{"XM", &models.Conversation{CustomerID: other, Status: models.StatusOpen, AssignedTo: ptr(me)}}, // another customer's, mine
		{"-", nil}, // no conversation
	}
}

// TestConversationMatrix is the policy as a specification: every role ×
// every conversation action × every situation. Columns follow situations:
//
//	U  unassigned          CU/CM/CO  CLOSED unassigned/mine/other's
//	M  assigned to me      EU/EM/EO  ESCALATED unassigned/mine/other's
//	O  assigned to other   RM        RESOLVED, mine
//	X  another customer's  XM        another customer's, assigned to me
//	-  no conversation (nil): condition any still holds; any other
//	   condition fails closed (no allow, but a deny applies)
//
// y = allowed, . = refused.
func TestConversationMatrix(t *testing.T) {
	e := MustNew(t)
	const header = "U M O CU CM CO EU EM EO RM X XM -"
	rows := []struct {
		role string
		act  Action
		want string
	}{
		//                                       U M O CU CM CO EU EM EO RM X XM -
		{models.RoleAgent, Read /*           */, "y y . y  y  .  y  y  .  y  y y  ."},
		{models.RoleAgent, Reply /*          */, "y y . y  y  .  y  y  .  y  y y  ."},
		{models.RoleAgent, Note /*           */, "y y . y  y  .  y  y  .  y  y y  ."},
		{models.RoleAgent, Export /*         */, "y y . y  y  .  y  y  .  y  y y  ."},
		{models.RoleAgent, Escalate /*       */, "y y . y  y  .  y  y  .  y  y y  ."},
		{models.RoleAgent, SetStatus /*      */, "y y . y  y  .  y  y  .  y  y y  ."},
		{models.RoleAgent, LeaveEscalated /* */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleAgent, Take /*           */, "y . . y  .  .  y  .  .  .  y .  ."},
		{models.RoleAgent, Assign /*         */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleAgent, Delete /*         */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleAgent, Start /*          */, "y y y y  y  y  y  y  y  y  y y  y"},

		{models.RoleChatAdmin, Read /*           */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleChatAdmin, Reply /*          */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleChatAdmin, Note /*           */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleChatAdmin, Export /*         */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleChatAdmin, Escalate /*       */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleChatAdmin, SetStatus /*      */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleChatAdmin, LeaveEscalated /* */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleChatAdmin, Take /*           */, "y . . y  .  .  y  .  .  .  y .  ."},
		{models.RoleChatAdmin, Assign /*         */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleChatAdmin, Delete /*         */, ". . . y  y  y  .  .  .  .  . .  ."},
		{models.RoleChatAdmin, Start /*          */, "y y y y  y  y  y  y  y  y  y y  y"},

		{models.RoleAdmin, Read /*           */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleAdmin, Reply /*          */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleAdmin, Note /*           */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleAdmin, Export /*         */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleAdmin, Escalate /*       */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleAdmin, SetStatus /*      */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleAdmin, LeaveEscalated /* */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleAdmin, Take /*           */, "y . . y  .  .  y  .  .  .  y .  ."},
		{models.RoleAdmin, Assign /*         */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleAdmin, Delete /*         */, ". . . y  y  y  .  .  .  .  . .  ."},
		{models.RoleAdmin, Start /*          */, "y y y y  y  y  y  y  y  y  y y  y"},

		{models.RoleOwner, Read /*           */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleOwner, Reply /*          */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleOwner, Note /*           */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleOwner, Export /*         */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleOwner, Escalate /*       */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleOwner, SetStatus /*      */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleOwner, LeaveEscalated /* */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleOwner, Take /*           */, "y . . y  .  .  y  .  .  .  y .  ."},
		{models.RoleOwner, Assign /*         */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleOwner, Delete /*         */, ". . . y  y  y  .  .  .  .  . .  ."},
		{models.RoleOwner, Start /*          */, "y y y y  y  y  y  y  y  y  y y  y"},

		// Customers: their own conversations whoever is assigned; staff 10's
		// assignment means nothing to customer 10.
		{models.RoleCustomer, Read /*           */, "y y y y  y  y  y  y  y  y  . .  ."},
		{models.RoleCustomer, Reply /*          */, "y y y y  y  y  y  y  y  y  . .  ."},
		{models.RoleCustomer, Export /*         */, "y y y y  y  y  y  y  y  y  . .  ."},
		{models.RoleCustomer, Note /*           */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleCustomer, Escalate /*       */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleCustomer, SetStatus /*      */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleCustomer, LeaveEscalated /* */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleCustomer, Take /*           */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleCustomer, Assign /*         */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleCustomer, Delete /*         */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleCustomer, Start /*          */, "y y y y  y  y  y  y  y  y  y y  y"},

		{models.RoleGuest, Read /*           */, "y y y y  y  y  y  y  y  y  . .  ."},
		{models.RoleGuest, Reply /*          */, "y y y y  y  y  y  y  y  y  . .  ."},
		{models.RoleGuest, Export /*         */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleGuest, Note /*           */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleGuest, Escalate /*       */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleGuest, SetStatus /*      */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleGuest, LeaveEscalated /* */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleGuest, Take /*           */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleGuest, Assign /*         */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleGuest, Delete /*         */, ". . . .  .  .  .  .  .  .  . .  ."},
		{models.RoleGuest, Start /*          */, "y y y y  y  y  y  y  y  y  y y  y"},

		// system (jobs, retention, erasure) is outside R2 and anyone's denies.
		{models.RoleSystem, Read /*           */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleSystem, SetStatus /*      */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleSystem, LeaveEscalated /* */, "y y y y  y  y  y  y  y  y  y y  y"},
		{models.RoleSystem, Delete /*         */, "y y y y  y  y  y  y  y  y  y y  y"},
	}
	situations := situations()
	cols := strings.Fields(header)
	if len(cols) != len(situations) {
		t.Fatalf("header has %d columns, %d situations", len(cols), len(situations))
	}
	covered := map[string]bool{}
	for _, row := range rows {
		covered[row.role+"/"+string(row.act)] = true
		want := strings.Fields(row.want)
		if len(want) != len(situations) {
			t.Fatalf("%s %s: %d expectations, want %d", row.role, row.act, len(want), len(situations))
		}
		a := actorFor(row.role, me)
		for i, s := range situations {
			if s.code != cols[i] {
				t.Fatalf("column %d is %s, situation %s", i, cols[i], s.code)
			}
			if got := e.Can(a, ObjConversation, row.act, s.conv); got != (want[i] == "y") {
				t.Errorf("%s %s %s: got %v, want %s", row.role, row.act, s.code, got, want[i])
			}
		}
	}
	// Every staff/customer role has a row for every conversation action.
	for _, role := range []string{models.RoleOwner, models.RoleAdmin, models.RoleChatAdmin, models.RoleAgent, models.RoleCustomer, models.RoleGuest} {
		for _, act := range []Action{Read, Reply, Note, Export, Escalate, SetStatus, LeaveEscalated, Take, Assign, Delete, Start} {
			if !covered[role+"/"+string(act)] {
				t.Errorf("matrix lacks %s %s", role, act)
			}
		}
	}
}

// TestObjectPermissions covers the permissions that do not depend on a conversation.
func TestObjectPermissions(t *testing.T) {
	e := MustNew(t)
	perms := []struct {
		obj string
		act Action
	}{
		{ObjCustomer, Read}, {ObjBlock, Block}, {ObjFinancial, ManageFinancial}, {ObjAudit, ReadAudit},
		{ObjQuickReply, ManageQuickReplies}, {ObjSettings, ManageSettings}, {ObjStaff, ManageStaff},
		{ObjStaff, ManageAdmins}, {ObjCustomer, ListCustomers},
	}
	//                                customer.read block financial audit quick_replies settings staff staff_admins customers.list
	want := map[string]string{
		models.RoleOwner:     "y y y y y y y y y",
		models.RoleAdmin:     "y y y y y . y . y", // staff: agents and chat admins only
		models.RoleChatAdmin: "y y . . y . . . y", // chat admins manage quick replies (issue 6)
		models.RoleAgent:     "y y . . . . . . .",
		models.RoleCustomer:  ". . . . . . . . .",
		models.RoleGuest:     ". . . . . . . . .",
		models.RoleSystem:    ". . . . . . y y .", // the CLI manages staff as system
	}
	for role, w := range want {
		ws := strings.Fields(w)
		for i, p := range perms {
			if got := e.Can(actorFor(role, me), p.obj, p.act, nil); got != (ws[i] == "y") {
				t.Errorf("%s %s %s: got %v, want %s", role, p.obj, p.act, got, ws[i])
			}
		}
	}
}

// TestActorMustFitRole: a role only counts with the matching kind, and the
// internal base role or an unknown role grants nothing.
func TestActorMustFitRole(t *testing.T) {
	e := MustNew(t)
	c := situations()[0].conv
	for _, a := range []models.Actor{
		{Kind: models.ActorCustomer, ID: me, Role: models.RoleOwner},
		{Kind: models.ActorGuest, ID: me, Role: models.RoleCustomer},
		{Kind: "", ID: me, Role: models.RoleChatAdmin},
		{Kind: models.ActorStaff, ID: me, Role: models.RoleSystem},
		{Kind: models.ActorStaff, ID: me, Role: anyone},
		{Kind: models.ActorStaff, ID: me, Role: "superuser"},
	} {
		if e.Can(a, ObjConversation, Read, c) {
			t.Errorf("%+v may read", a)
		}
		if w, _ := e.Scope(a); w != "1=0" {
			t.Errorf("%+v scope %q, want 1=0", a, w)
		}
	}
	if !e.Can(models.System, ObjConversation, Delete, c) {
		t.Error("models.System cannot purge")
	}
}

func TestRolesAndHolders(t *testing.T) {
	e := MustNew(t)
	for _, tc := range []struct {
		got  []string
		want string
	}{
		{e.Roles(models.RoleOwner), "admin chat_admin agent"},
		{e.Roles(models.RoleAdmin), "chat_admin agent"},
		{e.Roles(models.RoleAgent), ""},
		{e.Roles(models.RoleCustomer), ""},
		{e.HolderRoles(ObjFinancial, ManageFinancial), "owner admin"},
		{e.HolderRoles(ObjConversation, Reply), "owner admin chat_admin agent"},
		{e.HolderRoles(ObjConversation, Assign), "owner admin chat_admin"},
		{e.HolderRoles(ObjConversation, LeaveEscalated), "owner admin chat_admin"},
		{e.HolderRoles(ObjConversation, Delete), ""}, // an open conversation: nobody (R2)
		{e.HolderRoles(ObjSettings, ManageSettings), "owner"},
		{e.HolderRoles(ObjAudit, ReadAudit), "owner admin"},
		{e.HolderRoles(ObjStaff, ManageStaff), "owner admin"},
		{e.HolderRoles(ObjStaff, ManageAdmins), "owner"},
	} {
		if got := strings.Join(tc.got, " "); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func ExampleEnforcer_Can() {
	e, err := New()
	if err != nil {
		panic(err)
	}
	agent := models.Actor{Kind: models.ActorStaff, ID: 7, Role: models.RoleAgent}
	chatAdmin := models.Actor{Kind: models.ActorStaff, ID: 8, Role: models.RoleChatAdmin}
	open := &models.Conversation{ID: 1, Status: models.StatusOpen, AssignedTo: ptr(9)}
	closed := &models.Conversation{ID: 2, Status: models.StatusClosed}
	fmt.Println(e.Can(agent, ObjConversation, Read, open))
	fmt.Println(e.Can(chatAdmin, ObjConversation, Delete, open))
	fmt.Println(e.Can(chatAdmin, ObjConversation, Delete, closed))
	// Output:
	// false
	// false
	// true
}
