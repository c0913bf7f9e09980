package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/parleyhq/parley/models"
)

// Lists page by cursor, newest activity first, and filter strictly.
func TestListConversations(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		agent, agentTok := e.staff(t, "agent1", models.RoleAgent)
		agent2, _ := e.staff(t, "agent2", models.RoleAgent)
		_, adminTok := e.staff(t, "chief", models.RoleChatAdmin)
		alice, aliceTok := e.customer(t, "alice@example.com")
		bob, _ := e.customer(t, "bob@example.com")
		var all []models.Conversation
		for i := range 7 {
			who := alice.ID
			if i%2 == 1 {
				who = bob.ID
			}
			all = append(all, e.start(t, models.System, who, "thread"))
		}
		e.setStatus(t, all[0].ID, models.StatusClosed)
		e.setStatus(t, all[1].ID, models.StatusResolved)
		e.assign(t, all[2].ID, &agent.ID)
		e.assign(t, all[3].ID, &agent2.ID)
		// read by admin: opened through the API
		e.do(t, "GET", idURL(staffConvs, all[4].ID, ""), adminTok, nil)

		// Walk every page with limit=3.
		var walked []int64
		next := staffConvs + "?limit=3"
		for pages := 0; next != ""; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			r := e.do(t, "GET", next, adminTok, nil)
			if r.Code != http.StatusOK {
				t.Fatalf("page %d: %d %s", pages, r.Code, r.Body)
			}
			if n := len(r.list("items")); n > 3 || n == 0 {
				t.Fatalf("page %d has %d items", pages, n)
			}
			walked = append(walked, r.ids("items")...)
			next = ""
			if c := r.get("next_cursor"); c != nil {
				next = staffConvs + "?limit=3&cursor=" + url.QueryEscape(c.(string))
			} else if _, ok := r.JSON.(map[string]any)["next_cursor"]; !ok {
				t.Fatal("next_cursor missing at the end (want null)")
			}
		}
		// Newest activity first: the assignments and status changes moved
		// all[0..3]; compare with the service's own order.
		want, err := e.svc.List(t.Context(), models.System, models.ConversationFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var wantIDs []int64
		for _, c := range want.Items {
			wantIDs = append(wantIDs, c.ID)
		}
		if len(walked) != 7 || !sameIDs(walked, wantIDs) {
			t.Fatalf("walked %v, want %v", walked, wantIDs)
		}
		for i := range walked {
			if walked[i] != wantIDs[i] {
				t.Fatalf("order %v, want %v", walked, wantIDs)
			}
		}

		ids := func(want ...int64) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				if got := r.ids("items"); !sameIDs(got, want) {
					t.Errorf("items %v, want %v", got, want)
				}
			}
		}
		c := all
		bad := func(name, query string) scenario {
			return scenario{Name: name, Method: "GET", URL: staffConvs + "?" + query, Token: adminTok,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"}
		}
		e.run(t, []scenario{
			{Name: "default limit", Method: "GET", URL: staffConvs, Token: adminTok, ExpectedStatus: http.StatusOK,
				Check: func(t *testing.T, r response) {
					if len(r.list("items")) != 7 || r.get("next_cursor") != nil {
						t.Errorf("%s", r.Body)
					}
				}},
			{Name: "limit=100", Method: "GET", URL: staffConvs + "?limit=100", Token: adminTok, ExpectedStatus: http.StatusOK},
			{Name: "status=OPEN,CLOSED", Method: "GET", URL: staffConvs + "?status=OPEN,CLOSED", Token: adminTok, ExpectedStatus: http.StatusOK,
				Check: ids(c[0].ID)},
			{Name: "status=AWAITING_USER,RESOLVED repeated", Method: "GET", URL: staffConvs + "?status=RESOLVED&status=CLOSED", Token: adminTok,
				ExpectedStatus: http.StatusOK, Check: ids(c[0].ID, c[1].ID)},
			{Name: "assigned_to=me", Method: "GET", URL: staffConvs + "?assigned_to=me", Token: agentTok, ExpectedStatus: http.StatusOK,
				Check: ids(c[2].ID)},
			{Name: "assigned_to=none", Method: "GET", URL: staffConvs + "?assigned_to=none", Token: adminTok, ExpectedStatus: http.StatusOK,
				Check: ids(c[0].ID, c[1].ID, c[4].ID, c[5].ID, c[6].ID)},
			{Name: "assigned_to=<id>", Method: "GET", URL: staffConvs + "?assigned_to=" + itoa(agent2.ID), Token: adminTok, ExpectedStatus: http.StatusOK,
				Check: ids(c[3].ID)},
			{Name: "unread=false", Method: "GET", URL: staffConvs + "?unread=false", Token: adminTok, ExpectedStatus: http.StatusOK,
				Check: ids(c[4].ID)},
			{Name: "unread=true", Method: "GET", URL: staffConvs + "?unread=true&customer_id=" + itoa(alice.ID), Token: adminTok, ExpectedStatus: http.StatusOK,
				Check: ids(c[0].ID, c[2].ID, c[6].ID)},
			{Name: "customer_id", Method: "GET", URL: staffConvs + "?customer_id=" + itoa(bob.ID), Token: adminTok, ExpectedStatus: http.StatusOK,
				Check: ids(c[1].ID, c[3].ID, c[5].ID)},
			{Name: "customer lists own with status filter", Method: "GET", URL: custConvs + "?status=CLOSED", Token: aliceTok, ExpectedStatus: http.StatusOK,
				Check: ids(c[0].ID)},
			{Name: "customer unread=true", Method: "GET", URL: custConvs + "?unread=true", Token: aliceTok, ExpectedStatus: http.StatusOK,
				Check: ids(c[0].ID, c[2].ID, c[4].ID, c[6].ID)},
			{Name: "customer pages", Method: "GET", URL: custConvs + "?limit=2", Token: aliceTok, ExpectedStatus: http.StatusOK,
				Check: func(t *testing.T, r response) {
					if len(r.list("items")) != 2 || r.get("next_cursor") == nil {
						t.Errorf("%s", r.Body)
					}
				}},
			bad("limit=101", "limit=101"),
			bad("limit=0", "limit=0"),
			bad("limit=-1", "limit=-1"),
			bad("limit=abc", "limit=abc"),
			bad("two limits", "limit=1&limit=2"),
			bad("unknown status", "status=OPEN,DONE"),
			bad("empty status", "status="),
			bad("assigned_to=someone", "assigned_to=someone"),
			bad("assigned_to=0", "assigned_to=0"),
			bad("unread=yes", "unread=yes"),
			bad("customer_id=x", "customer_id=x"),
			bad("garbage cursor", "cursor=%%%"),
			bad("forged cursor", "cursor=bm90LWEtY3Vyc29y"),
			bad("unknown parameter", "sort=subject"),
			{Name: "customer may not filter by assignee", Method: "GET", URL: custConvs + "?assigned_to=none", Token: aliceTok,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "customer may not filter by ESCALATED", Method: "GET", URL: custConvs + "?status=ESCALATED", Token: aliceTok,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "customer limit=101", Method: "GET", URL: custConvs + "?limit=101", Token: aliceTok,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
		})
	})
}
