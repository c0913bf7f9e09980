package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
)

// GET /api/v1/staff/metrics gives the dashboard's numbers in the caller's
// scope: an agent's never count another agent's threads, and store-wide
// figures are left out for them; a bad period is 400; customers get 401.
func TestStaffMetrics(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, aliceTok := e.customer(t, "alice@example.com")
		agent, agentTok := e.staff(t, "agent1", models.RoleAgent)
		agent2, _ := e.staff(t, "agent2", models.RoleAgent)
		_, chatTok := e.staff(t, "chat1", models.RoleChatAdmin)
		mine := e.start(t, alice, 0, "mine")
		theirs := e.start(t, alice, 0, "theirs")
		e.start(t, alice, 0, "nobody's")
		e.assign(t, mine.ID, &agent.ID)
		e.assign(t, theirs.ID, &agent2.ID)

		r := e.do(t, "GET", "/api/v1/staff/metrics", chatTok, nil)
		if r.Code != http.StatusOK || r.num("open") != 3 || r.num("unassigned") != 1 || len(r.list("load")) != 2 ||
			r.num("conversations_started") != 3 || len(r.list("days")) != 30 || r.get("scoped") != false {
			t.Fatalf("chat admin: %d %s", r.Code, r.Body)
		}
		if r.str("step") != "day" {
			t.Fatalf("30 days are charted per %q, want day", r.str("step"))
		}
		// Over 31 days the charts go per week: the period's first day,
		// then each Monday; the new conversations land in this week's.
		today := time.Now().UTC()
		from := today.AddDate(0, 0, -59).Format(time.DateOnly)
		r = e.do(t, "GET", "/api/v1/staff/metrics?from="+from+"&to="+today.Format(time.DateOnly), chatTok, nil)
		days := r.list("days")
		week := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7)).Format(time.DateOnly)
		if r.Code != http.StatusOK || r.str("step") != "week" || len(days) < 9 || len(days) > 10 || r.str("days.0.day") != from ||
			r.str(fmt.Sprintf("days.%d.day", len(days)-1)) != week || r.num(fmt.Sprintf("days.%d.conversations", len(days)-1)) != 3 {
			t.Fatalf("60 days per week: %d %s", r.Code, r.Body)
		}
		for i := 1; i < len(days); i++ {
			if d, _ := time.Parse(time.DateOnly, r.str(fmt.Sprintf("days.%d.day", i))); d.Weekday() != time.Monday {
				t.Fatalf("step %d starts on %s, not a Monday", i, d.Format(time.DateOnly))
			}
		}
		r = e.do(t, "GET", "/api/v1/staff/metrics?from=2025-01-01&to=2025-01-07", agentTok, nil)
		if r.Code != http.StatusOK || r.num("open") != 2 || len(r.list("load")) != 1 || r.get("conversations_started") != nil ||
			r.get("scoped") != true || len(r.list("days")) != 7 {
			t.Fatalf("agent: %d %s", r.Code, r.Body)
		}
		for _, q := range []string{"?from=2025-01-02&to=2025-01-01", "?from=2025-01-01", "?days=7", "?from=2024-01-01&to=2025-12-31", "?from=x&to=y"} {
			if r := e.do(t, "GET", "/api/v1/staff/metrics"+q, chatTok, nil); r.Code != http.StatusBadRequest {
				t.Errorf("%s: %d %s", q, r.Code, r.Body)
			} else {
				checkErrorShape(t, r)
			}
		}
		if r := e.do(t, "GET", "/api/v1/staff/metrics", aliceTok, nil); r.Code != http.StatusUnauthorized {
			t.Errorf("customer token: %d", r.Code)
		}
	})
}
