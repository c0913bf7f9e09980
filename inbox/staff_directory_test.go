package inbox_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

func customerNames(cs []models.Customer) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// The customer directory: chat admins and up; search by the start of a
// name or e-mail (case-insensitive, wildcards taken literally) or by an
// order number.
func TestCustomerSearch(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		mk := func(email, name string) models.Customer {
			c, err := e.acc.CreateCustomer(e.ctx, email, name, "")
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		alice := mk("alice@example.com", "Alice Martin")
		mk("bob@example.com", "Bob Stone")
		mk("carol@shop.test", "alina 100%")
		o := models.Order{CustomerID: alice.ID, Number: "ORD-7781", Status: "open", Currency: "EUR", CreatedAt: e.clock.Now().UTC()}
		if err := e.st.InsertOrder(e.ctx, &o); err != nil {
			t.Fatal(err)
		}
		for _, a := range []models.Actor{e.agent, e.MustCustomer()} {
			_, err := e.svc.CustomerSearch(e.ctx, a, "ali", 0)
			wantCode(t, err, models.EFORBIDDEN)
			_, err = e.svc.Orders(e.ctx, a, "", 0, 0)
			wantCode(t, err, models.EFORBIDDEN)
			_, err = e.svc.Blocks(e.ctx, a, 0)
			wantCode(t, err, models.EFORBIDDEN)
		}
		for q, want := range map[string]string{
			"ali":       "Alice Martin,alina 100%",
			"ALI":       "Alice Martin,alina 100%",
			"bob@":      "Bob Stone",
			"ORD-7781":  "Alice Martin",
			"alina 100": "alina 100%",
			"%":         "",
			"_":         "",
			"a%":        "",
			"zzz":       "",
		} {
			got, err := e.svc.CustomerSearch(e.ctx, e.chatAdmin, q, 0)
			if err != nil || customerNames(got) != want {
				t.Errorf("search %q: %q %v, want %q", q, customerNames(got), err, want)
			}
		}
		all, err := e.svc.CustomerSearch(e.ctx, e.chatAdmin, "", 0)
		if err != nil || len(all) != 4 || all[0].ID < all[3].ID { // the three and the refused customer
			t.Fatalf("list: %v %v", all, err)
		}
		page2, _ := e.svc.CustomerSearch(e.ctx, e.chatAdmin, "", all[0].ID)
		if len(page2) != 3 || page2[0].ID != all[1].ID {
			t.Errorf("page before %d: %v", all[0].ID, page2)
		}
		_, err = e.svc.CustomerSearch(e.ctx, e.chatAdmin, strings.Repeat("x", 201), 0)
		wantCode(t, err, models.EINVALID)

		orders, err := e.svc.Orders(e.ctx, e.chatAdmin, "ORD-7781", 0, 0)
		if err != nil || len(orders) != 1 || orders[0].CustomerName != "Alice Martin" {
			t.Errorf("orders: %v %v", orders, err)
		}
		if e.st.Config.Dialect == models.SQLite {
			for _, q := range []string{`SELECT id FROM customers WHERE name LIKE 'ali%' ESCAPE '!' ORDER BY name COLLATE NOCASE LIMIT 50`,
				`SELECT id FROM customers WHERE email LIKE 'ali%' ESCAPE '!' ORDER BY email COLLATE NOCASE LIMIT 50`} {
				var plan strings.Builder
				rows, err := e.st.DB.QueryContext(e.ctx, "EXPLAIN QUERY PLAN "+q)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var a, b, c any
					var d string
					rows.Scan(&a, &b, &c, &d)
					plan.WriteString(d + "; ")
				}
				rows.Close()
				if !strings.Contains(plan.String(), "USING") || strings.Contains(plan.String(), "TEMP B-TREE") || strings.Contains(plan.String(), "SCAN customers") {
					t.Errorf("search walks no index: %s", plan.String())
				}
			}
		}
	})
}

// Blocks: listed for chat admins, lifted through inbox.Unblock (audited).
func TestBlocksList(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu := e.MustCustomer()
		b, err := e.svc.Block(e.ctx, e.chatAdmin, inbox.BlockInput{CustomerID: &cu.ID, Reason: "<b>spam</b>"})
		if err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.Blocks(e.ctx, e.chatAdmin, 0)
		if err != nil || len(list) != 1 || list[0].ID != b.ID || list[0].CustomerEmail != cu.Name || list[0].CreatedByName != "chatadmin1" {
			t.Fatalf("blocks %+v %v", list, err)
		}
		if err := e.svc.Unblock(e.ctx, e.chatAdmin, b.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := e.svc.Blocks(e.ctx, e.chatAdmin, 0); len(list) != 0 {
			t.Errorf("after unblock %v", list)
		}
	})
}

// The audit log: admins and up; filtered by actor, action, target and date.
func TestAuditSearch(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		start := e.clock.Now()
		e.clock.Advance(time.Hour)
		if _, err := e.svc.UpdateSettings(e.ctx, e.owner, map[string]string{models.SettingRetentionDays: "10"}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		mid := e.clock.Now()
		e.clock.Advance(time.Hour)
		if err := e.acc.SetStaffRole(e.ctx, e.admin, e.agent.ID, models.RoleChatAdmin); err != nil {
			t.Fatal(err)
		}
		for _, a := range []models.Actor{e.chatAdmin, e.agent} {
			_, err := e.svc.Audit(e.ctx, a, models.AuditFilter{})
			wantCode(t, err, models.EFORBIDDEN)
		}
		actions := func(f models.AuditFilter) string {
			t.Helper()
			es, err := e.svc.Audit(e.ctx, e.admin, f)
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			var out []string
			for _, x := range es {
				out = append(out, x.Action)
			}
			return strings.Join(out, ",")
		}
		for _, tc := range []struct {
			f    models.AuditFilter
			want string
		}{
			{models.AuditFilter{Actor: "owner1"}, "settings.update"},
			{models.AuditFilter{Action: "staff.role"}, "staff.role"},
			{models.AuditFilter{SubjectType: "staff", SubjectID: e.agent.ID, From: start}, "staff.role"},
			{models.AuditFilter{From: start, To: mid}, "settings.update"},
			{models.AuditFilter{From: mid}, "staff.role"},
			{models.AuditFilter{Actor: "nobody"}, ""},
		} {
			if got := actions(tc.f); got != tc.want {
				t.Errorf("%+v: %q, want %q", tc.f, got, tc.want)
			}
		}
		_, err := e.svc.Audit(e.ctx, e.admin, models.AuditFilter{From: mid, To: start})
		wantCode(t, err, models.EINVALID)
		all, _ := e.svc.Audit(e.ctx, e.admin, models.AuditFilter{})
		if len(all) < 2 || fmt.Sprint(all[0].Action) != "staff.role" {
			t.Errorf("newest first: %v", all)
		}
	})
}

// Audit pages: newest first across entries written at the same instant,
// each entry exactly once.
func TestAuditPaging(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		for i := range 60 {
			if _, err := e.svc.UpdateSettings(e.ctx, e.owner, map[string]string{models.SettingRetentionDays: fmt.Sprint(i + 1)}); err != nil {
				t.Fatal(err)
			}
			if i%20 == 0 {
				e.clock.Advance(time.Second)
			}
		}
		seen := map[int64]bool{}
		f := models.AuditFilter{Action: "settings.update"}
		for page := 0; ; page++ {
			es, err := e.svc.Audit(e.ctx, e.admin, f)
			if err != nil {
				t.Fatal(err)
			}
			for i, x := range es {
				if seen[x.ID] {
					t.Fatalf("entry %d twice", x.ID)
				}
				seen[x.ID] = true
				if i > 0 && (x.CreatedAt.After(es[i-1].CreatedAt) || (x.CreatedAt.Equal(es[i-1].CreatedAt) && x.ID > es[i-1].ID)) {
					t.Fatalf("page %d out of order at %d", page, i)
				}
			}
			if len(es) < models.DirectoryPageSize {
				break
			}
			f.Before = es[len(es)-1].ID
		}
		if len(seen) != 60 {
			t.Errorf("%d entries seen, want 60", len(seen))
		}
	})
}
