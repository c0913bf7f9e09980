package inbox_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
)

// Back-office sessions are GoAdmin's rows; Accounts reads, expires and
// ends them (the one place their SQL is reached from).
func TestAdminSessions(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		insert := func(sid, values string, at time.Time) {
			t.Helper()
			if _, err := e.st.DB.ExecContext(e.ctx, "INSERT INTO goadmin_session (sid, `values`, created_at, updated_at) VALUES (?, ?, ?, ?)",
				sid, values, at.UTC().Format("2006-01-02 15:04:05"), at.UTC().Format("2006-01-02 15:04:05")); err != nil {
				t.Fatal(err)
			}
		}
		now := e.clock.Now()
		insert("live", fmt.Sprintf(`{"user_id":%d}`, e.agent.ID), now.Add(-time.Minute))
		insert("old", fmt.Sprintf(`{"user_id":%d}`, e.agent.ID), now.Add(-2*time.Hour))
		insert("token", `{"token":"x"}`, now)

		s, err := e.acc.AdminSession(e.ctx, "live", time.Hour)
		if err != nil || s.UserID != e.agent.ID || s.SID != "live" {
			t.Fatalf("live session: %+v %v", s, err)
		}
		for _, sid := range []string{"old", "token", "nope", ""} {
			if _, err := e.acc.AdminSession(e.ctx, sid, time.Hour); models.ErrorCode(err) != models.EUNAUTHORIZED {
				t.Errorf("session %q: %v, want unauthorized", sid, err)
			}
		}
		var n int
		e.st.DB.QueryRowContext(e.ctx, "SELECT COUNT(*) FROM goadmin_session WHERE sid = 'old'").Scan(&n)
		if n != 0 {
			t.Error("the expired session row was kept")
		}
		if err := e.acc.EndAdminSession(e.ctx, "live"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.acc.AdminSession(e.ctx, "live", time.Hour); models.ErrorCode(err) != models.EUNAUTHORIZED {
			t.Errorf("ended session still live: %v", err)
		}

		if err := e.acc.SetAdminPermissions(e.ctx, map[string]string{models.RoleAgent: "/\n/profile"}); err != nil {
			t.Fatal(err)
		}
		if p, err := e.st.AdminPermissionPaths(e.ctx, "parley_agent"); err != nil || p != "/\n/profile" {
			t.Errorf("agent permission %q %v", p, err)
		}
		ran := false
		if err := e.acc.ResetAdminSite(e.ctx, func() error { ran = true; return nil }); err != nil || !ran {
			t.Fatalf("reset admin site: ran %v, %v", ran, err)
		}
	})
}
