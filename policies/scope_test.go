package policies

import (
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/parleyhq/parley/models"
	_ "modernc.org/sqlite"
)

// conversationsDB returns an in-memory conversations table holding convs,
// with ids 1…n in order.
func conversationsDB(t *testing.T, convs []*models.Conversation) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one connection: one in-memory database
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE conversations (
		id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, assigned_to INTEGER, status TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for i, c := range convs {
		if _, err := db.Exec(`INSERT INTO conversations (id, customer_id, assigned_to, status) VALUES (?, ?, ?, ?)`,
			i+1, c.CustomerID, c.AssignedTo, string(c.Status)); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// selectIDs runs SELECT id … WHERE where.
func selectIDs(t *testing.T, db *sql.DB, where string, args []any) []int64 {
	t.Helper()
	rows, err := db.Query("SELECT id FROM conversations WHERE "+where+" ORDER BY id", args...)
	if err != nil {
		t.Fatalf("WHERE %s %v: %v", where, args, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// scopeConversations are the matrix situations plus a few more owners,
// assignees and statuses.
func scopeConversations() []*models.Conversation {
	var out []*models.Conversation
	for _, s := range situations() {
		if s.conv != nil {
			out = append(out, s.conv)
		}
	}
	for _, st := range models.Statuses {
		out = append(out,
			&models.Conversation{CustomerID: 12, Status: st},
			&models.Conversation{CustomerID: 12, Status: st, AssignedTo: ptr(12)},
			&models.Conversation{CustomerID: me, Status: st, AssignedTo: ptr(me)},
		)
	}
	return out
}

func TestScopeAgreesWithCan(t *testing.T) {
	e := MustNew(t)
	convs := scopeConversations()
	db := conversationsDB(t, convs)
	for _, tc := range []struct {
		actor     models.Actor
		wantWhere string
		wantArgs  []any
	}{
		{actorFor(models.RoleOwner, me), "1=1", nil},
		{actorFor(models.RoleAdmin, me), "1=1", nil},
		{actorFor(models.RoleChatAdmin, me), "1=1", nil},
		{actorFor(models.RoleAgent, me), "(assigned_to IS NULL OR assigned_to = ?)", []any{int64(me)}},
		{actorFor(models.RoleAgent, other), "(assigned_to IS NULL OR assigned_to = ?)", []any{int64(other)}},
		{actorFor(models.RoleCustomer, me), "customer_id = ?", []any{int64(me)}},
		{actorFor(models.RoleGuest, 12), "customer_id = ?", []any{int64(12)}},
		{models.System, "1=1", nil},
		{models.Actor{Kind: models.ActorStaff, ID: me, Role: "intern"}, "1=0", nil},
	} {
		a := tc.actor
		t.Run(fmt.Sprintf("%s/%d", a.Role, a.ID), func(t *testing.T) {
			where, args := e.Scope(a)
			if where != tc.wantWhere || fmt.Sprint(args) != fmt.Sprint(tc.wantArgs) {
				t.Errorf("Scope = %q %v, want %q %v", where, args, tc.wantWhere, tc.wantArgs)
			}
			var want []int64
			for i, c := range convs {
				if e.Can(a, ObjConversation, Read, c) {
					want = append(want, int64(i+1))
				}
			}
			if got := selectIDs(t, db, where, args); !slices.Equal(got, want) {
				t.Errorf("WHERE %s %v selects %v, Can(Read) allows %v", where, args, got, want)
			}
			// The branches a list walks select the same rows together.
			var union []int64
			for _, b := range e.ScopeBranches(a) {
				union = append(union, selectIDs(t, db, b.Where, b.Args)...)
			}
			slices.Sort(union)
			union = slices.Compact(union)
			if !slices.Equal(union, want) {
				t.Errorf("ScopeBranches %v select %v, Can(Read) allows %v", e.ScopeBranches(a), union, want)
			}
		})
	}
}

// TestConditionsSQLAgreesWithGo runs every named condition's SQL fragment,
// and its negation, against its Go evaluator on the same rows.
func TestConditionsSQLAgreesWithGo(t *testing.T) {
	convs := scopeConversations()
	db := conversationsDB(t, convs)
	actors := []models.Actor{actorFor(models.RoleAgent, me), actorFor(models.RoleCustomer, me), actorFor(models.RoleGuest, 12), models.System}
	for name, cd := range conditions() {
		for _, a := range actors {
			var yes, no []int64
			for i, c := range convs {
				if cd.holds(a, c) {
					yes = append(yes, int64(i+1))
				} else {
					no = append(no, int64(i+1))
				}
			}
			frag, args := cd.sql(a)
			if got := selectIDs(t, db, frag, args); !slices.Equal(got, yes) {
				t.Errorf("%s for %s: SQL %q selects %v, Go says %v", name, a.Role, frag, got, yes)
			}
			if got := selectIDs(t, db, "NOT ("+frag+")", args); !slices.Equal(got, no) {
				t.Errorf("%s for %s: NOT (%s) selects %v, Go says %v", name, a.Role, frag, got, no)
			}
		}
	}
}

func TestConditionsNeedConversation(t *testing.T) {
	for name, cd := range conditions() {
		req := request{actor: actorFor(models.RoleAgent, me)}
		if got := cd.check("allow", req); got != (name == "any") {
			t.Errorf("%s on no conversation, allow line: %v", name, got)
		}
		if !cd.check("deny", req) {
			t.Errorf("%s on no conversation, deny line: does not fail closed", name)
		}
	}
}
