package models_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

// liveByScan counts what CountLive reports straight from the conversations.
func liveByScan(t *testing.T, st *models.Store, sc models.Scope) models.LiveCounts {
	t.Helper()
	rows, err := st.DB.Query(`SELECT status, assigned_to FROM conversations WHERE status IN (?, ?, ?, ?) AND (`+sc.Where+`)`,
		append([]any{models.StatusOpen, models.StatusAwaitingAdmin, models.StatusAwaitingUser, models.StatusEscalated}, sc.Args...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := models.LiveCounts{ByStatus: map[models.Status]int64{}, Load: map[int64]int64{}}
	for rows.Next() {
		var s string
		var who *int64
		if err := rows.Scan(&s, &who); err != nil {
			t.Fatal(err)
		}
		out.ByStatus[models.Status(s)]++
		if who == nil {
			out.Unassigned++
		} else {
			out.Load[*who]++
		}
	}
	return out
}

func sameLive(a, b models.LiveCounts) bool {
	return maps.Equal(a.ByStatus, b.ByStatus) && a.Unassigned == b.Unassigned && maps.Equal(a.Load, b.Load)
}

// TestLiveCountsFollowWrites: the dashboard's live counts (read from the
// counters the triggers keep) equal a count of the conversations after
// inserts, status and assignee changes, take-it, deletes and raw SQL.
func TestLiveCountsFollowWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		cu := models.Customer{Email: "live@example.com", Name: "Live", CreatedAt: models.Now(time.Now())}
		if err := st.InsertCustomer(ctx, &cu, ""); err != nil {
			t.Fatal(err)
		}
		a1, a2 := int64(7), int64(8)
		scopes := map[string]models.Scope{
			"all":         {Where: "1=1"},
			"agent":       {Where: "(assigned_to IS NULL OR assigned_to = ?)", Args: []any{a1}},
			"not closed":  {Where: "status <> ?", Args: []any{models.StatusClosed}},
			"by customer": {Where: "customer_id = ?", Args: []any{cu.ID}}, // not served by the counters: counted
		}
		check := func(step string) {
			t.Helper()
			for name, sc := range scopes {
				got, err := st.CountLive(ctx, sc)
				if err != nil {
					t.Fatalf("%s, %s: %v", step, name, err)
				}
				if want := liveByScan(t, st, sc); !sameLive(got, want) {
					t.Errorf("%s, scope %s: counts %+v; conversations say %+v", step, name, got, want)
				}
			}
		}
		base := models.Now(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
		var convs []models.Conversation
		for i := range 12 {
			var who *int64
			switch i % 3 {
			case 1:
				who = &a1
			case 2:
				who = &a2
			}
			c := models.Conversation{CustomerID: cu.ID, Subject: fmt.Sprint("c", i), Status: models.Statuses[i%len(models.Statuses)],
				AssignedTo: who, CreatedAt: base, UpdatedAt: base, LastMessageAt: base, PublicLastAt: base}
			if err := st.InsertConversation(ctx, &c); err != nil {
				t.Fatal(err)
			}
			convs = append(convs, c)
		}
		check("inserted")
		c := convs[0]
		c.Status, c.AssignedTo = models.StatusAwaitingAdmin, &a2
		if err := st.SaveConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
		c.LastPreview = "no status change"
		if err := st.SaveConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
		check("saved")
		if ok, err := st.SetAssigneeIf(ctx, convs[3].ID, convs[3].AssignedTo, &a1, base); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if ok, err := st.SetAssigneeIf(ctx, convs[4].ID, convs[4].AssignedTo, nil, base); err != nil || !ok {
			t.Fatal(ok, err)
		}
		check("reassigned")
		if _, err := st.DB.ExecContext(ctx, `UPDATE conversations SET status = ? WHERE status <> ?`, models.StatusClosed, models.StatusOpen); err != nil {
			t.Fatal(err)
		}
		check("closed by raw SQL")
		var closed []int64
		for _, c := range convs {
			closed = append(closed, c.ID)
		}
		if _, err := st.DeleteClosedConversations(ctx, closed); err != nil {
			t.Fatal(err)
		}
		check("deleted")
	})
}

// TestListPlansForBigData: the plans the list takes on a big data set
// (created ranges read through the creation index; a customer filter that
// matches many customers by subquery) give the same rows as the small-data
// plans, on both backends.
func TestListPlansForBigData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		base := models.Now(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
		var customers []models.Customer
		for i := range 6 {
			name := fmt.Sprintf("Käthe Novák%d", i)
			if i%2 == 1 {
				name = fmt.Sprintf("Karl Weber%d", i)
			}
			cu := models.Customer{Email: fmt.Sprintf("c%d@example.com", i), Name: name, CreatedAt: base}
			if err := st.InsertCustomer(ctx, &cu, ""); err != nil {
				t.Fatal(err)
			}
			customers = append(customers, cu)
		}
		type row struct {
			id               int64
			created, lastAct time.Time
			cust             int
		}
		var rows []row
		for i := range 30 {
			cu := customers[i%len(customers)]
			created := base.Add(time.Duration(i) * 24 * time.Hour)
			last := created.Add(time.Duration(i%4) * 24 * time.Hour)
			if i == 3 {
				last = base.Add(100 * 24 * time.Hour) // long-lived: created early, active late
			}
			subject := fmt.Sprint("s", i)
			if i%3 == 0 {
				subject = fmt.Sprint("Tangerines ", i)
			}
			c := models.Conversation{CustomerID: cu.ID, CustomerName: cu.Name, CustomerEmail: cu.Email, Subject: subject,
				Status: models.StatusOpen, CreatedAt: created, UpdatedAt: last, LastMessageAt: last, PublicLastAt: last}
			if err := st.InsertConversation(ctx, &c); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, row{c.ID, created, last, i % len(customers)})
		}
		want := func(keep func(r row) bool) []int64 {
			var out []row
			for _, r := range rows {
				if keep(r) {
					out = append(out, r)
				}
			}
			slices.SortFunc(out, func(a, b row) int {
				if c := b.lastAct.Compare(a.lastAct); c != 0 {
					return c
				}
				return int(b.id - a.id)
			})
			ids := []int64{}
			for _, r := range out {
				ids = append(ids, r.id)
			}
			return ids
		}
		from, to := base.Add(2*24*time.Hour), base.Add(10*24*time.Hour)
		inRange := want(func(r row) bool { return !r.created.Before(from) && r.created.Before(to) })
		kaethe := want(func(r row) bool { return r.cust%2 == 0 })
		for _, limits := range [][3]int{{5000, 200, 20000}, {2, 1, 2}} {
			restore := models.SetPlanLimits(limits[0], limits[1], limits[2])
			for _, tc := range []struct {
				name string
				f    models.ConversationFilter
				want []int64
			}{
				{"created range", models.ConversationFilter{CreatedFrom: from, CreatedTo: to}, inRange},
				{"customer name", models.ConversationFilter{Customer: "kathe novak"}, kaethe},
				{"search", models.ConversationFilter{Query: "tangerine"}, want(func(r row) bool { return slices.Index(rows, r)%3 == 0 })},
				{"search + customer", models.ConversationFilter{Query: "tangerine", Customer: "käthe"}, want(func(r row) bool { return slices.Index(rows, r)%3 == 0 && r.cust%2 == 0 })},
				{"search + created range", models.ConversationFilter{Query: "tangerine", CreatedFrom: from, CreatedTo: to}, want(func(r row) bool {
					return slices.Index(rows, r)%3 == 0 && !r.created.Before(from) && r.created.Before(to)
				})},
				{"customer name, one customer", models.ConversationFilter{Customer: "novák4"}, want(func(r row) bool { return r.cust == 4 })},
				{"customer name, words of two customers", models.ConversationFilter{Customer: "käthe web"}, nil},
			} {
				// Page by 3 through the whole result: cursors work on both plans.
				f := tc.f
				f.Limit, f.Count = 3, true
				var got []int64
				for range 20 {
					p, err := st.ListConversations(ctx, all, f)
					if err != nil {
						t.Fatalf("limits %v, %s: %v", limits, tc.name, err)
					}
					if p.Total != len(tc.want) {
						t.Errorf("limits %v, %s: total %d; want %d", limits, tc.name, p.Total, len(tc.want))
					}
					got = append(got, idsOf(p.Items)...)
					if p.NextCursor == "" {
						break
					}
					f.Cursor = p.NextCursor
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("limits %v, %s: %v; want %v", limits, tc.name, got, tc.want)
				}
			}
			restore()
		}
	})
}

// TestListCoverPlans: a created range and a customer filter read their
// page's ids from a covering index and sort them (MariaDB, from migration
// 00025), then the rows. Against the walks they replace and a computed
// answer: the same rows in the same order, forward and back by cursor, in
// both orders, for a chat admin's scope and an agent's two branches, with
// ties in activity broken by id.
func TestListCoverPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		base := models.Now(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
		var customers []models.Customer
		for i, name := range []string{"Käthe Novak", "Kathe Novakova", "Karl Weber", "Käthe Weber"} {
			cu := models.Customer{Email: fmt.Sprintf("cover%d@example.com", i), Name: name, CreatedAt: base}
			if err := st.InsertCustomer(ctx, &cu, ""); err != nil {
				t.Fatal(err)
			}
			customers = append(customers, cu)
		}
		me, other := int64(7), int64(8)
		type row struct {
			id               int64
			created, lastAct time.Time
			cust             int
			who              *int64
		}
		var rows []row
		for i := range 40 {
			created := base.Add(time.Duration(i) * 6 * time.Hour)
			last := created.Add(time.Duration(i%5) * 24 * time.Hour)
			if i%7 == 0 {
				last = base.Add(30 * 24 * time.Hour) // long-lived ones share one activity time: id orders them
			}
			who := []*int64{nil, &me, &other}[i%3]
			cu := customers[i%len(customers)]
			c := models.Conversation{CustomerID: cu.ID, CustomerName: cu.Name, CustomerEmail: cu.Email, Subject: fmt.Sprint("c", i),
				Status: models.StatusOpen, AssignedTo: who, CreatedAt: created, UpdatedAt: last, LastMessageAt: last, PublicLastAt: last}
			if err := st.InsertConversation(ctx, &c); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, row{c.ID, created, last, i % len(customers), who})
		}
		agent := []models.Scope{{Where: "assigned_to IS NULL"}, {Where: "assigned_to = ?", Args: []any{me}}}
		from, to := base.Add(24*time.Hour), base.Add(7*24*time.Hour)
		created := func(r row) bool { return !r.created.Before(from) && r.created.Before(to) }
		kaethe := func(r row) bool { return r.cust == 0 || r.cust == 1 || r.cust == 3 } // "käthe" folds to "kathe"
		novak := func(r row) bool { return r.cust == 0 || r.cust == 1 }
		var ran []string
		q := st.Traced(func(query string, _ []any, _ time.Duration) { ran = append(ran, query) })
		const byCreated, byCustomer = "conversations_created_day", "conversations_customer_activity"
		const byDay = "FORCE INDEX (conversations_created_day) WHERE created_day = ?" // a range's days merged
		// The cover plans, then the walks.
		for _, limits := range [][3]int{{1, 200, 20000}, {5000, 0, 20000}} {
			restore := models.SetPlanLimits(limits[0], limits[1], limits[2])
			for _, tc := range []struct {
				name  string
				f     models.ConversationFilter
				keep  func(row) bool
				index string // the covering index MariaDB reads with the first limits
				limit int    // page size (3 unless set)
			}{
				{"created range", models.ConversationFilter{CreatedFrom: from, CreatedTo: to}, created, byDay, 0},
				// Edges inside a day: the first and last days are cut by
				// created_at on the index.
				{"created range, hours", models.ConversationFilter{CreatedFrom: from.Add(3 * time.Hour), CreatedTo: to.Add(9 * time.Hour)},
					func(r row) bool {
						return !r.created.Before(from.Add(3*time.Hour)) && r.created.Before(to.Add(9*time.Hour))
					}, byDay, 0},
				{"created before", models.ConversationFilter{CreatedTo: to}, func(r row) bool { return r.created.Before(to) }, byCreated, 0},
				{"customer name", models.ConversationFilter{Customer: "käthe"}, kaethe, byCustomer, 0},
				{"customer name, two words", models.ConversationFilter{Customer: "kathe novak"}, novak, byCustomer, 0},
				{"customer name + created range", models.ConversationFilter{Customer: "kathe", CreatedFrom: from, CreatedTo: to},
					func(r row) bool { return kaethe(r) && created(r) }, byCustomer, 0},
				{"created range + status", models.ConversationFilter{CreatedFrom: from, CreatedTo: to, Statuses: []models.Status{models.StatusOpen}}, created, byDay, 0},
				// Three customers of four, one row a page: dense enough
				// to walk the activity order (MariaDB) instead.
				{"customer name, walked", models.ConversationFilter{Customer: "käthe"}, kaethe, "IGNORE INDEX (conversations_customer, conversations_customer_activity)", 1},
			} {
				for _, sc := range []struct {
					name   string
					scopes []models.Scope
					in     func(row) bool
				}{{"admin", all, func(row) bool { return true }}, {"agent", agent, func(r row) bool { return r.who == nil || *r.who == me }}} {
					for _, asc := range []bool{false, true} {
						var want []int64
						var sorted []row
						for _, r := range rows {
							if tc.keep(r) && sc.in(r) {
								sorted = append(sorted, r)
							}
						}
						slices.SortFunc(sorted, func(a, b row) int {
							if c := a.lastAct.Compare(b.lastAct); c != 0 {
								return c
							}
							return int(a.id - b.id)
						})
						for _, r := range sorted {
							want = append(want, r.id)
						}
						if !asc {
							slices.Reverse(want)
						}
						name := fmt.Sprintf("limits %v, %s, %s, asc %v", limits, tc.name, sc.name, asc)
						if len(want) < 4 {
							t.Fatalf("%s: only %d rows: the test pages nothing", name, len(want))
						}
						f := tc.f
						f.Limit, f.Count, f.Asc = 3, true, asc
						if tc.limit > 0 {
							f.Limit = tc.limit
						}
						ran = ran[:0]
						pageBothWays(t, name, q, sc.scopes, f, want, len(want))
						index := tc.index
						if tc.limit > 0 && sc.name == "agent" {
							index = "FORCE INDEX (conversations_assigned)" // each branch walks its assignee's order
						}
						used := slices.ContainsFunc(ran, func(s string) bool { return strings.Contains(s, index) })
						if wantUsed := st.Config.Dialect == models.MySQL && limits[0] == 1; used != wantUsed {
							t.Errorf("%s: read through %s: %v; want %v", name, index, used, wantUsed)
						}
					}
				}
			}
			restore()
		}
		// Created since: the page walks the activity order, the count
		// reads the creation-day index alone (MariaDB).
		ran = ran[:0]
		p, err := q.ListConversations(ctx, all, models.ConversationFilter{CreatedFrom: from.Add(time.Hour), Count: true, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if want := len(slices.DeleteFunc(slices.Clone(rows), func(r row) bool { return r.created.Before(from.Add(time.Hour)) })); p.Total != want {
			t.Errorf("created since: total %d, want %d", p.Total, want)
		}
		byDayCount := slices.ContainsFunc(ran, func(s string) bool {
			return strings.HasPrefix(s, "SELECT COUNT(*)") && strings.Contains(s, "created_day >= ?")
		})
		if byDayCount != (st.Config.Dialect == models.MySQL) {
			t.Errorf("created since: counted on the creation days: %v; ran %q", byDayCount, ran)
		}
	})
}

// TestSearchBranchWalks: a search whose hits are dense among the
// conversations walks the activity order checking ids on the index; an
// agent's two branches each walk their (assignee[, status], activity)
// index (MariaDB). Same rows as computed, forward and back by cursor.
func TestSearchBranchWalks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		base := models.Now(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
		cu := models.Customer{Email: "walk@example.com", Name: "Walk", CreatedAt: base}
		if err := st.InsertCustomer(ctx, &cu, ""); err != nil {
			t.Fatal(err)
		}
		me, other := int64(7), int64(8)
		type row struct {
			id     int64
			at     time.Time
			who    *int64
			status models.Status
			hit    bool
		}
		var rows []row
		for i := range 12 {
			at := base.Add(time.Duration(i/2) * time.Hour) // pairs share a time
			who := []*int64{nil, &me, &other}[i%3]
			status := []models.Status{models.StatusOpen, models.StatusAwaitingAdmin}[i%2]
			subject := fmt.Sprint("box ", i)
			if i%4 != 3 {
				subject = fmt.Sprint("Tangerine box ", i)
			}
			c := models.Conversation{CustomerID: cu.ID, CustomerName: cu.Name, CustomerEmail: cu.Email, Subject: subject, Status: status,
				AssignedTo: who, CreatedAt: at, UpdatedAt: at, LastMessageAt: at, PublicLastAt: at}
			if err := st.InsertConversation(ctx, &c); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, row{c.ID, at, who, status, i%4 != 3})
		}
		agent := []models.Scope{{Where: "assigned_to IS NULL"}, {Where: "assigned_to = ?", Args: []any{me}}}
		var ran []string
		q := st.Traced(func(query string, _ []any, _ time.Duration) { ran = append(ran, query) })
		for _, tc := range []struct {
			name     string
			statuses []models.Status
			index    string
		}{{"search", nil, "conversations_assigned)"}, {"search + status", []models.Status{models.StatusOpen}, "conversations_assigned_status)"}} {
			// The page's walk for the hits runs in Parley; with a walk
			// limit of one entry it gives up and the database's plan
			// (the ids as a JSON parameter) answers the same.
			for _, walkMax := range []int{20000, 1} {
				restore := models.SetHitWalkMax(walkMax)
				for _, tt := range []struct {
					asc   bool
					limit int
				}{{false, 1}, {true, 1}, {false, 3}, {true, 3}} {
					asc := tt.asc
					var want []int64
					for _, r := range rows {
						if r.hit && (r.who == nil || *r.who == me) && (tc.statuses == nil || r.status == tc.statuses[0]) {
							want = append(want, r.id)
						}
					}
					slices.SortFunc(want, func(a, b int64) int {
						ra, rb := rows[slices.IndexFunc(rows, func(r row) bool { return r.id == a })], rows[slices.IndexFunc(rows, func(r row) bool { return r.id == b })]
						if c := ra.at.Compare(rb.at); c != 0 {
							return c
						}
						return int(a - b)
					})
					if !asc {
						slices.Reverse(want)
					}
					// Pages of three mix the branches: the agent's own
					// conversations' walk stops where the unassigned ones'
					// page ends, never before.
					name := fmt.Sprintf("%s, asc %v, limit %d, walk limit %d", tc.name, asc, tt.limit, walkMax)
					f := models.ConversationFilter{Query: "tangerine", Statuses: tc.statuses, Limit: tt.limit, Asc: asc, Count: true}
					ran = ran[:0]
					pageBothWays(t, name, q, agent, f, want, len(want))
					if len(want) < 3 {
						t.Fatalf("%s: %d hits; the test wants a few pages", name, len(want))
					}
					used := slices.ContainsFunc(ran, func(s string) bool { return strings.Contains(s, "FORCE INDEX ("+tc.index) })
					if used != (st.Config.Dialect == models.MySQL) {
						t.Errorf("%s: walked %s: %v", name, tc.index, used)
					}
					inParley := slices.ContainsFunc(ran, func(s string) bool {
						return strings.HasPrefix(s, "SELECT id, last_message_at FROM conversations") && !strings.Contains(s, "JSON_TABLE")
					})
					if inParley != (st.Config.Dialect == models.MySQL) {
						t.Errorf("%s: walked for the hits in Parley: %v", name, inParley)
					}
					byDB := slices.ContainsFunc(ran, func(s string) bool {
						return strings.Contains(s, "SELECT id, customer_id") && (strings.Contains(s, "JSON_TABLE") || strings.Contains(s, "json_each"))
					})
					// (With a status the branches end before the walk's limit.)
					if tc.statuses == nil && byDB != (st.Config.Dialect == models.SQLite || walkMax == 1) {
						t.Errorf("%s: the database's plan listed the page: %v", name, byDB)
					}
				}
				restore()
			}
		}
	})
}

// TestSearchTooWide: a search whose hits are too many to list and whose
// hit read alone used up the search budget answers "too many" (invalid
// input with TooManyHitsMessage) without running the hit-driven plan;
// within the budget the hit-driven plan answers.
func TestSearchTooWide(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		w := newListWorld(t, st)
		ctx := context.Background()
		defer models.SetPlanLimits(5000, 200, 0)() // every hit set is too big to list
		f := models.ConversationFilter{Query: "thanks", Limit: 5, Count: true}
		p, err := st.ListConversations(ctx, all, f)
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != w.byName["bob-closed"] || p.Total != 1 {
			t.Fatalf("within the budget: %+v, %v", p, err)
		}
		defer models.SetSearchBudget(0)()
		var ran []string
		q := st.Traced(func(query string, _ []any, _ time.Duration) { ran = append(ran, query) })
		_, err = q.ListConversations(ctx, all, f)
		if models.ErrorCode(err) != models.EINVALID || !strings.Contains(err.Error(), models.TooManyHitsMessage) {
			t.Fatalf("budget used up by the hit read: %v; want %q", err, models.TooManyHitsMessage)
		}
		for _, s := range ran {
			if strings.Contains(s, "conversations c ON c.id = h.hit_id") {
				t.Errorf("ran the hit-driven plan: %s", s)
			}
		}
		if _, _, err := st.CountConversations(ctx, all, f); models.ErrorCode(err) != models.EINVALID {
			t.Errorf("count: %v; want invalid", err)
		}
	})
}

// TestSearchWalkChunks: when the newest conversations hold none of the
// hits, the page's walk for them reads on past its first chunk (from the
// chunk's last entry) and still lists every hit in order, once, forward
// and back; with a walk limit it gives up and the database's plan answers
// the same.
func TestSearchWalkChunks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		base := models.Now(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
		cu := models.Customer{Email: "chunks@example.com", Name: "Chunks", CreatedAt: base}
		if err := st.InsertCustomer(ctx, &cu, ""); err != nil {
			t.Fatal(err)
		}
		var want []int64  // newest first
		var order []int64 // every conversation, newest first
		for i := range 40 {
			at := base.Add(time.Duration(i/2) * time.Minute) // pairs share a time
			subject := fmt.Sprint("Box ", i)
			if i < 10 {
				subject = fmt.Sprint("Tangerine box ", i)
			}
			c := models.Conversation{CustomerID: cu.ID, CustomerName: cu.Name, CustomerEmail: cu.Email, Subject: subject,
				Status: models.StatusOpen, CreatedAt: at, UpdatedAt: at, LastMessageAt: at, PublicLastAt: at}
			if err := st.InsertConversation(ctx, &c); err != nil {
				t.Fatal(err)
			}
			if i < 10 {
				want = append([]int64{c.ID}, want...)
			}
			order = append([]int64{c.ID}, order...)
		}
		for _, walkMax := range []int{20000, 20} {
			restore := models.SetHitWalkMax(walkMax)
			type stmt struct {
				query string
				args  []any
			}
			var ran []stmt
			q := st.Traced(func(query string, args []any, _ time.Duration) { ran = append(ran, stmt{query, args}) })
			f := models.ConversationFilter{Query: "tangerine", Limit: 1}
			ran = ran[:0]
			if _, err := q.ListConversations(ctx, all, f); err != nil {
				t.Fatal(err)
			}
			first := slices.Clone(ran) // the first page's statements
			pageBothWays(t, fmt.Sprint("walk limit ", walkMax), q, all, f, want, -1)
			if st.Config.Dialect == models.MySQL {
				// The first page: the first chunk of the newest holds no
				// hit (they follow 30 others); the next chunk starts after
				// the first one's last entry, never before it.
				var walks []stmt
				for _, s := range first {
					if strings.HasPrefix(s.query, "SELECT id, last_message_at FROM conversations") {
						walks = append(walks, s)
					}
				}
				if len(walks) < 2 {
					t.Fatalf("walk limit %d: %d chunks for the first page; want the walk to read on", walkMax, len(walks))
				}
				chunk := walks[0].args[len(walks[0].args)-1].(int)
				after := walks[1].args[len(walks[1].args)-2]
				if chunk >= 30 || after != order[chunk-1] {
					t.Errorf("walk limit %d: a chunk of %d, the next after id %v; want after %d", walkMax, chunk, after, order[chunk-1])
				}
			}
			restore()
		}
	})
}

// lister lists conversations: a store or its traced queries.
type lister interface {
	ListConversations(context.Context, []models.Scope, models.ConversationFilter) (models.ConversationPage, error)
}

// pageBothWays lists f page by page by cursor and checks the ids in order
// (and each page's total, wantTotal ≥ 0), then goes back from the last page
// by each page's PrevCursor and checks every page comes back the same.
func pageBothWays(t *testing.T, name string, q lister, scopes []models.Scope, f models.ConversationFilter, want []int64, wantTotal int) {
	t.Helper()
	ctx := context.Background()
	var got []int64
	var pages []models.ConversationPage
	for range len(want) + 2 {
		p, err := q.ListConversations(ctx, scopes, f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if wantTotal >= 0 && (p.Total != wantTotal || p.Capped) {
			t.Errorf("%s: total %d (capped %v); want %d", name, p.Total, p.Capped, wantTotal)
		}
		pages = append(pages, p)
		got = append(got, idsOf(p.Items)...)
		if p.NextCursor == "" {
			break
		}
		f.Cursor = p.NextCursor
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: forward %v; want %v", name, got, want)
	}
	f.Cursor, f.Before = "", pages[len(pages)-1].PrevCursor
	for i := len(pages) - 2; i >= 0; i-- {
		p, err := q.ListConversations(ctx, scopes, f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(idsOf(p.Items), idsOf(pages[i].Items)) {
			t.Errorf("%s: back page %d = %v; want %v", name, i, idsOf(p.Items), idsOf(pages[i].Items))
		}
		f.Before = p.PrevCursor
	}
}

// TestSearchWalkBound: with a page's worth of hits found in the agent's
// first branch (unassigned), the walk of the second (their own) stops where
// that page ends — not before: their own conversations between the first
// branch's hits are on the page.
func TestSearchWalkBound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		base := models.Now(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
		cu := models.Customer{Email: "bound@example.com", Name: "Bound", CreatedAt: base}
		if err := st.InsertCustomer(ctx, &cu, ""); err != nil {
			t.Fatal(err)
		}
		me := int64(7)
		var want []int64 // newest first
		for h := range 12 {
			at := base.Add(time.Duration(h) * time.Hour)
			var who *int64
			if h == 7 || h == 9 {
				who = &me // between the unassigned hits of the first page
			}
			c := models.Conversation{CustomerID: cu.ID, CustomerName: cu.Name, CustomerEmail: cu.Email, Subject: fmt.Sprint("Tangerine box ", h),
				Status: models.StatusOpen, AssignedTo: who, CreatedAt: at, UpdatedAt: at, LastMessageAt: at, PublicLastAt: at}
			if err := st.InsertConversation(ctx, &c); err != nil {
				t.Fatal(err)
			}
			want = append([]int64{c.ID}, want...)
		}
		agent := []models.Scope{{Where: "assigned_to IS NULL"}, {Where: "assigned_to = ?", Args: []any{me}}}
		pageBothWays(t, "agent, pages of 3", st, agent, models.ConversationFilter{Query: "tangerine", Limit: 3, Count: true}, want, len(want))
	})
}
