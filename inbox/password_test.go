package inbox_test

import (
	"fmt"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// MustAdminSession stores a back-office session row as GoAdmin writes it.
func (e *env) MustAdminSession(sid string, userID int64) {
	e.t.Helper()
	_, err := e.st.DB.ExecContext(e.ctx, "INSERT INTO goadmin_session (sid, `values`, created_at, updated_at) VALUES (?, ?, ?, ?)",
		sid, fmt.Sprintf(`{"user_id":%d}`, userID), e.clock.Now().UTC(), e.clock.Now().UTC())
	if err != nil {
		e.t.Fatalf("session %s: %v", sid, err)
	}
}

// adminSessions lists the sids of the back-office sessions left.
func (e *env) adminSessions() map[string]bool {
	e.t.Helper()
	rows, err := e.st.DB.QueryContext(e.ctx, "SELECT sid FROM goadmin_session")
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var sid string
		if err := rows.Scan(&sid); err != nil {
			e.t.Fatal(err)
		}
		out[sid] = true
	}
	return out
}

func (e *env) MustLogin(user string) inbox.Session {
	e.t.Helper()
	s, err := e.acc.StaffLogin(e.ctx, user, "password-"+user, "192.0.2.1")
	if err != nil {
		e.t.Fatalf("login %s: %v", user, err)
	}
	return s
}

func (e *env) live(token string) bool {
	_, err := e.acc.Authenticate(e.ctx, token, "")
	return err == nil
}

// A staff member changing their own password keeps only the session they
// changed it from: their other sessions and every API token end (issue 5,
// item 3). A wrong current password changes nothing.
func TestChangeOwnPassword(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		t1, t2, other := e.MustLogin("agent1"), e.MustLogin("agent1"), e.MustLogin("agent2")
		e.MustAdminSession("here", e.agent.ID)
		e.MustAdminSession("laptop", e.agent.ID)
		e.MustAdminSession("agent2-desk", e.agent2.ID)
		e.MustAdminSession("agent1x", e.agent.ID*10+1) // another user whose id starts alike
		me := e.agent
		me.IP = "192.0.2.8"

		untouched := func(what string) {
			t.Helper()
			if !e.live(t1.Token) || !e.live(t2.Token) {
				t.Errorf("%s: tokens ended", what)
			}
			if s := e.adminSessions(); len(s) != 4 {
				t.Errorf("%s: sessions %v", what, s)
			}
			if n := e.count("audit_log", "action = ?", "staff.change_password"); n != 0 {
				t.Errorf("%s: %d audit entries", what, n)
			}
			if _, err := e.acc.StaffLogin(e.ctx, "agent1", "password-agent1", "192.0.2.1"); err != nil {
				t.Errorf("%s: old password refused: %v", what, err)
			}
		}
		wantCode(t, e.acc.ChangeOwnPassword(e.ctx, me, "not-my-password", "brand-new-password", "here"), models.EINVALID)
		untouched("wrong current password")
		wantCode(t, e.acc.ChangeOwnPassword(e.ctx, me, "password-agent1", "short", "here"), models.EINVALID)
		untouched("too short a new password")
		cu := e.MustCustomer()
		wantCode(t, e.acc.ChangeOwnPassword(e.ctx, cu, "x", "brand-new-password", ""), models.EFORBIDDEN)
		untouched("a customer")

		if err := e.acc.ChangeOwnPassword(e.ctx, me, "password-agent1", "brand-new-password", "here"); err != nil {
			t.Fatalf("change: %v", err)
		}
		for _, s := range []inbox.Session{t1, t2} {
			_, err := e.acc.Authenticate(e.ctx, s.Token, "")
			wantUnauthorized(t, "token after a password change", err)
		}
		if !e.live(other.Token) {
			t.Error("agent2's token ended")
		}
		want := map[string]bool{"here": true, "agent2-desk": true, "agent1x": true}
		if got := e.adminSessions(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("sessions left %v; want %v", got, want)
		}
		_, err := e.acc.StaffLogin(e.ctx, "agent1", "password-agent1", "192.0.2.1")
		wantUnauthorized(t, "old password", err)
		if _, err := e.acc.StaffLogin(e.ctx, "agent1", "brand-new-password", "192.0.2.1"); err != nil {
			t.Errorf("new password: %v", err)
		}
		au := e.audits("staff", e.agent.ID)
		if last := au[len(au)-1]; last.Action != "staff.change_password" || last.ActorID != e.agent.ID || last.ActorType != models.ActorStaff {
			t.Errorf("last audit entry %+v; want staff.change_password by agent1", last)
		}

		// Guessing the current password through a session is throttled like
		// a sign-in from that address (one wrong guess above, two more here).
		e.acc.PerAccount = 3
		for range 2 {
			wantCode(t, e.acc.ChangeOwnPassword(e.ctx, me, "guess", "another-new-password", "here"), models.EINVALID)
		}
		wantCode(t, e.acc.ChangeOwnPassword(e.ctx, me, "brand-new-password", "another-new-password", "here"), models.ERATELIMITED)
	})
}

// An administrator setting a password ends every session and token of that
// user, and no one else's.
func TestSetStaffPasswordEndsSessions(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		tok, other := e.MustLogin("agent1"), e.MustLogin("agent2")
		e.MustAdminSession("a1", e.agent.ID)
		e.MustAdminSession("a2", e.agent.ID)
		e.MustAdminSession("b1", e.agent2.ID)
		h := cheapHash(t, "set-by-admin")
		wantCode(t, e.acc.SetStaffPassword(e.ctx, e.agent2, "agent1", h), models.EFORBIDDEN)
		if !e.live(tok.Token) || len(e.adminSessions()) != 3 {
			t.Fatal("a refused password change ended sessions")
		}
		if err := e.acc.SetStaffPassword(e.ctx, e.owner, "agent1", h); err != nil {
			t.Fatal(err)
		}
		_, err := e.acc.Authenticate(e.ctx, tok.Token, "")
		wantUnauthorized(t, "token after set-password", err)
		if !e.live(other.Token) {
			t.Error("agent2's token ended")
		}
		if got := e.adminSessions(); len(got) != 1 || !got["b1"] {
			t.Errorf("sessions left %v; want only b1", got)
		}
		if _, err := e.acc.StaffLogin(e.ctx, "agent1", "set-by-admin", "192.0.2.1"); err != nil {
			t.Errorf("new password: %v", err)
		}
		if n := e.count("audit_log", "action = ? AND subject_id = ? AND actor_id = ?", "staff.set_password", e.agent.ID, e.owner.ID); n != 1 {
			t.Errorf("audit entries %d; want 1", n)
		}
		wantCode(t, e.acc.SetStaffPassword(e.ctx, e.owner, "nobody", h), models.ENOTFOUND)
	})
}
