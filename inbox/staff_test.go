package inbox_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/parleyhq/parley/models"
)

// role reads a staff user's role and active state from the store.
func (e *env) staffState(id int64) string {
	e.t.Helper()
	st, err := e.st.StaffMember(e.ctx, id)
	if err != nil {
		e.t.Fatalf("staff %d: %v", id, err)
	}
	return fmt.Sprintf("%s/%v", st.Role, st.Active)
}

// Issue 6, staff management: who may create whom. Admins create agents and
// chat admins; only the owner (and the CLI) creates admins and owners;
// chat admins and agents create nobody.
func TestCreateStaffRoles(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		n := 0
		try := func(a models.Actor, role string) error {
			n++
			_, err := e.acc.CreateStaff(e.ctx, a, fmt.Sprintf("new%d", n), role, "", "hash")
			return err
		}
		for _, tc := range []struct {
			who  models.Actor
			want string // owner admin chat_admin agent: y = created, f = forbidden
		}{
			{e.owner, "y y y y"},
			{models.System, "y y y y"},
			{e.admin, "f f y y"},
			{e.chatAdmin, "f f f f"},
			{e.agent, "f f f f"},
		} {
			got := ""
			for _, role := range models.StaffRoles {
				before := e.count("audit_log", "action = 'staff.create'")
				err := try(tc.who, role)
				switch models.ErrorCode(err) {
				case "":
					got += "y "
					if e.count("audit_log", "action = 'staff.create'") != before+1 {
						t.Errorf("%s created %s without an audit entry", tc.who.Name, role)
					}
				case models.EFORBIDDEN:
					got += "f "
				default:
					t.Fatalf("%s creating %s: %v", tc.who.Name, role, err)
				}
			}
			if got != tc.want+" " {
				t.Errorf("%s creates: %q, want %q", tc.who.Name, got, tc.want)
			}
		}
		_, err := e.acc.CreateStaff(e.ctx, e.owner, "Bad Name", models.RoleAgent, "", "hash")
		wantCode(t, err, models.EINVALID)
		_, err = e.acc.CreateStaff(e.ctx, e.owner, "agent1", models.RoleAgent, "", "hash")
		wantCode(t, err, models.ECONFLICT)
	})
}

// Role changes: admins move people between agent and chat admin only; only
// the owner promotes to or demotes from admin and owner; nobody changes
// their own role; the last active owner cannot be demoted. Each change is
// audited with before and after.
func TestSetStaffRole(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		for _, tc := range []struct {
			name   string
			who    models.Actor
			target models.Actor
			role   string
			want   models.Code
		}{
			{"admin promotes agent to chat admin", e.admin, e.agent, models.RoleChatAdmin, ""},
			{"admin demotes chat admin to agent", e.admin, e.agent, models.RoleAgent, ""},
			{"admin cannot promote to admin", e.admin, e.agent, models.RoleAdmin, models.EFORBIDDEN},
			{"admin cannot promote to owner", e.admin, e.agent, models.RoleOwner, models.EFORBIDDEN},
			{"admin cannot demote an owner", e.admin, e.owner, models.RoleAgent, models.EFORBIDDEN},
			{"admin cannot change own role", e.admin, e.admin, models.RoleAgent, models.EFORBIDDEN},
			{"chat admin manages nobody", e.chatAdmin, e.agent, models.RoleChatAdmin, models.EFORBIDDEN},
			{"agent manages nobody", e.agent, e.agent2, models.RoleChatAdmin, models.EFORBIDDEN},
			{"owner cannot change own role", e.owner, e.owner, models.RoleAdmin, models.EFORBIDDEN},
			{"last owner cannot be demoted", models.System, e.owner, models.RoleAdmin, models.ECONFLICT},
			{"owner promotes agent to admin", e.owner, e.agent2, models.RoleAdmin, ""},
			{"owner demotes admin to agent", e.owner, e.agent2, models.RoleAgent, ""},
			{"unknown role", e.owner, e.agent2, "superuser", models.EINVALID},
			{"unknown user", e.owner, models.Actor{ID: 999999}, models.RoleAgent, models.ENOTFOUND},
		} {
			before := e.staffState(e.owner.ID) + e.staffState(e.agent.ID) + e.staffState(e.agent2.ID) + e.staffState(e.admin.ID)
			audits := e.count("audit_log", "action = 'staff.role'")
			err := e.acc.SetStaffRole(e.ctx, tc.who, tc.target.ID, tc.role)
			if models.ErrorCode(err) != tc.want {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
				continue
			}
			after := e.staffState(e.owner.ID) + e.staffState(e.agent.ID) + e.staffState(e.agent2.ID) + e.staffState(e.admin.ID)
			if tc.want != "" && (after != before || e.count("audit_log", "action = 'staff.role'") != audits) {
				t.Errorf("%s: refused but changed something", tc.name)
			}
			if tc.want == "" {
				if got := e.staffState(tc.target.ID); got != tc.role+"/true" {
					t.Errorf("%s: now %s", tc.name, got)
				}
				if e.count("audit_log", "action = 'staff.role' AND subject_id = ? AND before_json LIKE '%role%' AND after_json LIKE ?",
					tc.target.ID, "%"+tc.role+"%") == 0 {
					t.Errorf("%s: no audit entry with before and after", tc.name)
				}
			}
		}
		// With a second owner, the owner may demote the first one.
		second := e.MustStaff("owner2", models.RoleOwner)
		if err := e.acc.SetStaffRole(e.ctx, second, e.owner.ID, models.RoleAdmin); err != nil {
			t.Fatalf("second owner demotes the first: %v", err)
		}
		wantCode(t, e.acc.SetStaffRole(e.ctx, models.System, second.ID, models.RoleAdmin), models.ECONFLICT)
	})
}

// Two owners demoting each other at once: one wins; the store never ends
// without an active owner.
func TestLastOwnerRace(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		second := e.MustStaff("owner2", models.RoleOwner)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, pair := range [][2]models.Actor{{e.owner, second}, {second, e.owner}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i == 0 {
					errs[i] = e.acc.SetStaffRole(e.ctx, pair[0], pair[1].ID, models.RoleAgent)
				} else {
					errs[i] = e.acc.SetStaffActive(e.ctx, pair[0], pair[1].ID, false)
				}
			}()
		}
		wg.Wait()
		owners, err := e.st.LockActiveOwners(e.ctx)
		if err != nil || len(owners) != 1 {
			t.Fatalf("active owners %v (%v); errors %v", owners, err, errs)
		}
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Errorf("both or neither won: %v", errs)
		}
	})
}

// Deactivation: admins deactivate agents and chat admins, never admins or
// owners; nobody deactivates themselves; the last active owner stays.
// Deactivating ends the person's sessions and tokens at once; reactivating
// lets them sign in again. Both audited.
func TestSetStaffActive(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		tok := e.MustLogin("agent1")
		e.MustAdminSession("agent1-session", e.agent.ID)
		e.MustAdminSession("agent2-session", e.agent2.ID)
		for _, tc := range []struct {
			name        string
			who, target models.Actor
			want        models.Code
		}{
			{"chat admin cannot", e.chatAdmin, e.agent, models.EFORBIDDEN},
			{"admin cannot deactivate an admin", e.admin, models.Actor{ID: e.MustStaff("admin2", models.RoleAdmin).ID}, models.EFORBIDDEN},
			{"admin cannot deactivate the owner", e.admin, e.owner, models.EFORBIDDEN},
			{"admin cannot deactivate self", e.admin, e.admin, models.EFORBIDDEN},
			{"owner cannot deactivate self", e.owner, e.owner, models.EFORBIDDEN},
			{"last owner stays", models.System, e.owner, models.ECONFLICT},
			{"admin deactivates an agent", e.admin, e.agent, ""},
		} {
			err := e.acc.SetStaffActive(e.ctx, tc.who, tc.target.ID, false)
			if models.ErrorCode(err) != tc.want {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
			}
		}
		if e.staffState(e.owner.ID) != "owner/true" || e.staffState(e.admin.ID) != "admin/true" {
			t.Error("a refused deactivation changed someone")
		}
		if e.staffState(e.agent.ID) != "agent/false" || e.live(tok.Token) || e.adminSessions()["agent1-session"] || !e.adminSessions()["agent2-session"] {
			t.Errorf("deactivated agent1: %s, token live %v, sessions %v", e.staffState(e.agent.ID), e.live(tok.Token), e.adminSessions())
		}
		if _, err := e.acc.StaffLogin(e.ctx, "agent1", "password-agent1", "192.0.2.1"); err == nil {
			t.Error("a deactivated agent signed in")
		}
		if e.count("audit_log", "action = 'staff.deactivate' AND subject_id = ?", e.agent.ID) != 1 {
			t.Error("deactivation not audited")
		}
		if err := e.acc.SetStaffActive(e.ctx, e.admin, e.agent.ID, true); err != nil {
			t.Fatal(err)
		}
		e.MustLogin("agent1")
		if e.count("audit_log", "action = 'staff.activate' AND subject_id = ?", e.agent.ID) != 1 {
			t.Error("reactivation not audited")
		}
		// The CLI's door (by username) keeps the same rules.
		wantCode(t, e.acc.DeactivateStaff(e.ctx, e.admin, "owner1"), models.EFORBIDDEN)
		if err := e.acc.DeactivateStaff(e.ctx, models.System, "agent2"); err != nil || e.staffState(e.agent2.ID) != "agent/false" {
			t.Errorf("CLI deactivate: %v", err)
		}
	})
}

// Password resets: admins reset agents' and chat admins' passwords, the
// owner anyone's but their own; a reset ends the person's sessions and
// tokens.
func TestResetStaffPassword(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		tok := e.MustLogin("chatadmin1")
		for _, tc := range []struct {
			name        string
			who, target models.Actor
			want        models.Code
		}{
			{"agent cannot", e.agent, e.agent2, models.EFORBIDDEN},
			{"chat admin cannot", e.chatAdmin, e.agent, models.EFORBIDDEN},
			{"admin cannot reset the owner", e.admin, e.owner, models.EFORBIDDEN},
			{"admin cannot reset self", e.admin, e.admin, models.EFORBIDDEN},
			{"owner cannot reset self here", e.owner, e.owner, models.EFORBIDDEN},
			{"admin resets a chat admin", e.admin, e.chatAdmin, ""},
			{"owner resets an admin", e.owner, e.admin, ""},
		} {
			err := e.acc.ResetStaffPassword(e.ctx, tc.who, tc.target.ID, "$2a$04$notarealhashbutstoredasis.................")
			if models.ErrorCode(err) != tc.want {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
			}
		}
		if e.live(tok.Token) {
			t.Error("the reset left the chat admin's token alive")
		}
		if e.count("audit_log", "action = 'staff.set_password'") != 2 {
			t.Errorf("%d reset audit entries, want 2", e.count("audit_log", "action = 'staff.set_password'"))
		}
		e.MustLogin("owner1")
		e.MustLogin("agent1")
	})
}
