package models_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

// listWorld is a small inbox with one conversation per trait the filters
// look at.
type listWorld struct {
	st      *models.Store
	byName  map[string]int64
	base    time.Time
	agentID int64
}

func (w *listWorld) ids(t *testing.T, scopes []models.Scope, f models.ConversationFilter) []string {
	t.Helper()
	if f.Limit == 0 {
		f.Limit = 50
	}
	p, err := w.st.ListConversations(context.Background(), scopes, f)
	if err != nil {
		t.Fatalf("list %+v: %v", f, err)
	}
	var out []string
	for _, c := range p.Items {
		for n, id := range w.byName {
			if id == c.ID {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out
}

var all = []models.Scope{{Where: "1=1"}}

func newListWorld(t *testing.T, st *models.Store) *listWorld {
	t.Helper()
	ctx := context.Background()
	w := &listWorld{st: st, byName: map[string]int64{}, base: models.Now(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)), agentID: 7}
	mkCustomer := func(name, email string) models.Customer {
		c := models.Customer{Email: email, Name: name, CreatedAt: w.base}
		if err := st.InsertCustomer(ctx, &c, ""); err != nil {
			t.Fatal(err)
		}
		return c
	}
	ann := mkCustomer("Anne-Marie Dupré", "anne@example.com")
	bob := mkCustomer("Bob Stone", "bob.stone@shop.example")
	order := models.Order{CustomerID: ann.ID, Number: "PO-1001", Status: "open", Currency: "EUR", CreatedAt: w.base}
	if err := st.InsertOrder(ctx, &order); err != nil {
		t.Fatal(err)
	}
	agent := w.agentID
	for i, c := range []struct {
		name     string
		cu       models.Customer
		subject  string
		status   models.Status
		read     bool
		assigned *int64
		order    *int64
		bodies   []string
		note     string
	}{
		{"ann-open", ann, "Where is my parcel?", models.StatusOpen, true, nil, &order.ID, []string{"Hello, the delivery is late."}, ""},
		{"ann-awaiting", ann, "Refund question", models.StatusAwaitingAdmin, false, &agent, nil, []string{"I want my money back for the café set."}, ""},
		{"bob-awaiting", bob, "Broken lamp", models.StatusAwaitingAdmin, true, nil, nil, []string{"The lamp arrived broken."}, "internal: zebrafish supplier issue"},
		{"bob-closed", bob, "Thanks", models.StatusClosed, true, &agent, nil, []string{"All good, thanks!"}, ""},
	} {
		at := w.base.Add(time.Duration(i) * time.Hour)
		conv := models.Conversation{CustomerID: c.cu.ID, CustomerName: c.cu.Name, CustomerEmail: c.cu.Email, Subject: c.subject,
			OrderID: c.order, Status: c.status, AssignedTo: c.assigned, IsReadByAdmin: c.read, IsReadByUser: true,
			CreatedAt: at, UpdatedAt: at, LastMessageAt: at, PublicLastAt: at}
		if err := st.InsertConversation(ctx, &conv); err != nil {
			t.Fatal(err)
		}
		w.byName[c.name] = conv.ID
		for _, b := range c.bodies {
			m := models.Message{ConversationID: conv.ID, Kind: models.KindReply, AuthorType: models.ActorCustomer, Body: b, Public: true, CreatedAt: at}
			if err := st.InsertMessage(ctx, &m); err != nil {
				t.Fatal(err)
			}
		}
		if c.note != "" {
			m := models.Message{ConversationID: conv.ID, Kind: models.KindNote, AuthorType: models.ActorStaff, Body: c.note, CreatedAt: at}
			if err := st.InsertMessage(ctx, &m); err != nil {
				t.Fatal(err)
			}
		}
	}
	return w
}

// TestListFilters: every filter of the conversation list, the same on
// both backends.
func TestListFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		w := newListWorld(t, st)
		yes, no := true, false
		agent := w.agentID
		for _, tc := range []struct {
			name string
			f    models.ConversationFilter
			want []string
		}{
			{"no filter", models.ConversationFilter{}, []string{"ann-awaiting", "ann-open", "bob-awaiting", "bob-closed"}},
			{"several statuses", models.ConversationFilter{Statuses: []models.Status{models.StatusOpen, models.StatusClosed}}, []string{"ann-open", "bob-closed"}},
			{"awaiting + unread", models.ConversationFilter{Statuses: []models.Status{models.StatusAwaitingAdmin}, Unread: &yes}, []string{"ann-awaiting"}},
			{"read", models.ConversationFilter{Unread: &no}, []string{"ann-open", "bob-awaiting", "bob-closed"}},
			{"assigned to", models.ConversationFilter{AssignedTo: &agent}, []string{"ann-awaiting", "bob-closed"}},
			{"unassigned", models.ConversationFilter{Unassigned: true}, []string{"ann-open", "bob-awaiting"}},
			{"customer by name, accents folded", models.ConversationFilter{Customer: "dupre"}, []string{"ann-awaiting", "ann-open"}},
			{"customer by name prefix", models.ConversationFilter{Customer: "Sto"}, []string{"bob-awaiting", "bob-closed"}},
			{"customer by e-mail", models.ConversationFilter{Customer: "bob.stone@shop.example"}, []string{"bob-awaiting", "bob-closed"}},
			{"customer nobody", models.ConversationFilter{Customer: "Zelda"}, nil},
			{"order number", models.ConversationFilter{OrderNumber: "PO-1001"}, []string{"ann-open"}},
			{"unknown order number", models.ConversationFilter{OrderNumber: "PO-404"}, nil},
			{"has order", models.ConversationFilter{HasOrder: &yes}, []string{"ann-open"}},
			{"has no order", models.ConversationFilter{HasOrder: &no}, []string{"ann-awaiting", "bob-awaiting", "bob-closed"}},
			{"created range", models.ConversationFilter{CreatedFrom: w.base.Add(time.Hour), CreatedTo: w.base.Add(3 * time.Hour)}, []string{"ann-awaiting", "bob-awaiting"}},
			{"activity from", models.ConversationFilter{ActivityFrom: w.base.Add(3 * time.Hour)}, []string{"bob-closed"}},
			{"search body word", models.ConversationFilter{Query: "delivery"}, []string{"ann-open"}},
			{"search prefix", models.ConversationFilter{Query: "deliv"}, []string{"ann-open"}},
			{"search accents folded", models.ConversationFilter{Query: "cafe"}, []string{"ann-awaiting"}},
			{"search subject", models.ConversationFilter{Query: "refund"}, []string{"ann-awaiting"}},
			{"search note", models.ConversationFilter{Query: "zebrafish"}, []string{"bob-awaiting"}},
			{"search all words", models.ConversationFilter{Query: "lamp broken"}, []string{"bob-awaiting"}},
			{"search all words, one missing", models.ConversationFilter{Query: "lamp refund"}, nil},
			{"search words of subject and body", models.ConversationFilter{Query: "parcel late"}, []string{"ann-open"}},
			{"search words of note and subject", models.ConversationFilter{Query: "supplier lamp"}, []string{"bob-awaiting"}},
			{"search decomposed accents", models.ConversationFilter{Query: "CAFE\u0301"}, []string{"ann-awaiting"}},
			{"search short words ignored", models.ConversationFilter{Query: "is the lamp"}, []string{"bob-awaiting"}},
			{"search + status", models.ConversationFilter{Query: "thanks", Statuses: []models.Status{models.StatusClosed}}, []string{"bob-closed"}},
			{"search + customer", models.ConversationFilter{Query: "lamp", Customer: "anne"}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := w.ids(t, all, tc.f); !slices.Equal(got, tc.want) {
					t.Errorf("got %v; want %v", got, tc.want)
				}
				tc.f.Count = true
				tc.f.Limit = 50
				p, err := st.ListConversations(context.Background(), all, tc.f)
				if err != nil || p.Total != len(tc.want) || p.Capped {
					t.Errorf("count = %d (capped %v), %v; want %d", p.Total, p.Capped, err, len(tc.want))
				}
			})
		}
		for _, q := range []string{"", "a b", "!!", "ab cd"} {
			if q == "" {
				continue
			}
			_, err := st.ListConversations(context.Background(), all, models.ConversationFilter{Limit: 5, Query: q})
			if models.ErrorCode(err) != models.EINVALID {
				t.Errorf("search %q: %v; want invalid", q, err)
			}
		}
	})
}

// TestSearchScope: search applies the caller's scope before its limit: an
// agent's scope (unassigned or theirs) never yields another agent's thread,
// and counts follow it.
func TestSearchScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		w := newListWorld(t, st)
		other := int64(99)
		ctx := context.Background()
		if ok, err := st.SetAssigneeIf(ctx, w.byName["bob-awaiting"], nil, &other, w.base); err != nil || !ok {
			t.Fatal(ok, err)
		}
		agent := []models.Scope{{Where: "assigned_to IS NULL"}, {Where: "assigned_to = ?", Args: []any{w.agentID}}}
		if got := w.ids(t, agent, models.ConversationFilter{Query: "zebrafish"}); len(got) != 0 {
			t.Errorf("agent finds another agent's thread by its note: %v", got)
		}
		if got := w.ids(t, agent, models.ConversationFilter{Query: "lamp"}); len(got) != 0 {
			t.Errorf("agent finds another agent's thread: %v", got)
		}
		if got := w.ids(t, agent, models.ConversationFilter{Customer: "bob"}); !slices.Equal(got, []string{"bob-closed"}) {
			t.Errorf("agent's customer filter = %v", got)
		}
		n, capped, err := st.CountConversations(ctx, agent, models.ConversationFilter{Customer: "bob"})
		if err != nil || n != 1 || capped {
			t.Errorf("agent count = %d %v %v; want 1", n, capped, err)
		}
	})
}

// TestSearchFollowsDeletes: the index forgets a deleted conversation at
// once, with no call besides the delete (ON DELETE CASCADE), and the words
// of deleted messages when their conversation's words are read again
// (ResetWordsOf, which the retention purge calls) — words still in the
// subject or another message stay.
func TestSearchFollowsDeletes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		w := newListWorld(t, st)
		ctx := context.Background()
		if got := w.ids(t, all, models.ConversationFilter{Query: "thanks"}); !slices.Equal(got, []string{"bob-closed"}) {
			t.Fatalf("before delete: %v", got)
		}
		n, err := st.DeleteClosedConversations(ctx, []int64{w.byName["bob-closed"]})
		if err != nil || n != 1 {
			t.Fatal(n, err)
		}
		if got := w.ids(t, all, models.ConversationFilter{Query: "thanks"}); len(got) != 0 {
			t.Errorf("after delete: %v", got)
		}
		if _, err := st.DB.ExecContext(ctx, `DELETE FROM messages WHERE conversation_id = ?`, w.byName["ann-open"]); err != nil {
			t.Fatal(err)
		}
		ann, err := st.Conversation(ctx, w.byName["ann-open"])
		if err != nil {
			t.Fatal(err)
		}
		left, err := st.PurgeRemainsOf(ctx, []models.Conversation{ann})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.ResetWordsOf(ctx, left); err != nil {
			t.Fatal(err)
		}
		if got := w.ids(t, all, models.ConversationFilter{Query: "delivery"}); len(got) != 0 {
			t.Errorf("after message delete: %v", got)
		}
		if got := w.ids(t, all, models.ConversationFilter{Query: "parcel"}); !slices.Equal(got, []string{"ann-open"}) {
			t.Errorf("the subject's word after message delete: %v", got)
		}
	})
}

// TestListKeyset: pages by cursor forward and back cover every row once,
// in both orders and with several statuses (a union of index walks).
func TestListKeyset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		cu := models.Customer{Email: "k@example.com", Name: "K", CreatedAt: models.Now(time.Now())}
		if err := st.InsertCustomer(ctx, &cu, ""); err != nil {
			t.Fatal(err)
		}
		base := models.Now(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		var want []int64
		for i := range 23 {
			at := base.Add(time.Duration(i/2) * time.Minute) // pairs share a time: the id breaks the tie
			st2 := []models.Status{models.StatusOpen, models.StatusAwaitingAdmin, models.StatusResolved}[i%3]
			c := models.Conversation{CustomerID: cu.ID, Subject: fmt.Sprint("s", i), Status: st2, CreatedAt: at, UpdatedAt: at, LastMessageAt: at, PublicLastAt: at}
			if err := st.InsertConversation(ctx, &c); err != nil {
				t.Fatal(err)
			}
			want = append(want, c.ID)
		}
		for _, asc := range []bool{false, true} {
			for _, statuses := range [][]models.Status{nil, models.Statuses} {
				exp := slices.Clone(want)
				if !asc {
					slices.Reverse(exp)
				}
				f := models.ConversationFilter{Limit: 5, Asc: asc, Statuses: statuses, Count: true}
				var got []int64
				var pages []models.ConversationPage
				for range 10 {
					p, err := st.ListConversations(ctx, all, f)
					if err != nil {
						t.Fatal(err)
					}
					if p.Total != len(want) {
						t.Errorf("total %d", p.Total)
					}
					pages = append(pages, p)
					for _, c := range p.Items {
						got = append(got, c.ID)
					}
					if p.NextCursor == "" {
						break
					}
					f.Cursor = p.NextCursor
				}
				if !slices.Equal(got, exp) {
					t.Errorf("asc=%v statuses=%v forward = %v; want %v", asc, statuses, got, exp)
				}
				// Back from the last page to the first.
				f.Cursor, f.Before = "", pages[len(pages)-1].PrevCursor
				for i := len(pages) - 2; i >= 0; i-- {
					p, err := st.ListConversations(ctx, all, f)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(idsOf(p.Items), idsOf(pages[i].Items)) {
						t.Errorf("asc=%v back page %d = %v; want %v", asc, i, idsOf(p.Items), idsOf(pages[i].Items))
					}
					if (p.PrevCursor == "") != (i == 0) {
						t.Errorf("page %d prev cursor %q", i, p.PrevCursor)
					}
					f.Before = p.PrevCursor
				}
			}
		}
	})
}

func idsOf(cs []models.Conversation) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func TestSearchTerms(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Delivery late", []string{"delivery", "late"}},
		{"an ox is big", []string{"big"}},
		{"don't +foo* \"bar\"", []string{"don", "foo", "bar"}},
		{"Café CAFÉ", []string{"cafe"}},
		{"Cafe\u0301 naïve ÅNGSTRÖM", []string{"cafe", "naive", "angstrom"}},
		{"o'reilly@example.com", []string{"reilly", "example", "com"}},
	} {
		got, err := models.SearchTerms(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("SearchTerms(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func FuzzSearchTerms(f *testing.F) {
	for _, s := range []string{"hello world", "\"x\"* OR NEAR(a b)", "+a -b ~c", "\xff\xfe", "日本語のテキスト"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		terms, err := models.SearchTerms(s)
		if err != nil {
			return
		}
		for _, w := range terms {
			for _, r := range w {
				if r == '"' || r == '*' || r == '+' || r == '-' || r == ' ' || r == '(' {
					t.Fatalf("term %q carries query syntax", w)
				}
			}
		}
	})
}

// TestCustomerFilterFollowsCustomerWrites: on MySQL the customer filter
// finds customers through customer_words, kept by triggers: a new
// customer, a renamed one, a changed e-mail and a deleted one are found
// (or not) at once, however the row was written.
func TestCustomerFilterFollowsCustomerWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		if st.Config.Dialect != models.MySQL {
			t.Skip("SQLite matches the conversations' copy of the name (customer_fts)")
		}
		ctx := context.Background()
		at := models.Now(time.Now())
		c := models.Customer{Email: "zoe.quill@shop.example", Name: "Zoë Quill-Ångström", CreatedAt: at}
		if err := st.InsertCustomer(ctx, &c, ""); err != nil {
			t.Fatal(err)
		}
		conv := models.Conversation{CustomerID: c.ID, CustomerName: c.Name, CustomerEmail: c.Email, Subject: "Hello",
			Status: models.StatusOpen, CreatedAt: at, UpdatedAt: at, LastMessageAt: at, PublicLastAt: at}
		if err := st.InsertConversation(ctx, &conv); err != nil {
			t.Fatal(err)
		}
		finds := func(what, typed string, want bool) {
			t.Helper()
			p, err := st.ListConversations(ctx, all, models.ConversationFilter{Customer: typed, Limit: 10})
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if got := len(p.Items) == 1 && p.Items[0].ID == conv.ID; got != want || len(p.Items) > 1 {
				t.Errorf("%s: %q found %d conversations, want the customer's: %v", what, typed, len(p.Items), want)
			}
		}
		finds("first name, accent folded", "zoe", true)
		finds("hyphenated part", "angstrom", true)
		finds("two words", "quill zoë", true)
		finds("e-mail word", "shop", true)
		finds("a word inside a word", "uill", false)
		finds("one word of two missing", "zoe smith", false)

		if _, err := st.DB.Exec(`UPDATE customers SET name = 'Zoë Marsh' WHERE id = ?`, c.ID); err != nil {
			t.Fatal(err)
		}
		finds("renamed: old name", "angstrom", false)
		finds("renamed: new name", "marsh", true)
		finds("renamed: e-mail kept", "zoe.quill@shop.example", true)
		if _, err := st.DB.Exec(`UPDATE customers SET email = 'zm@elsewhere.example' WHERE id = ?`, c.ID); err != nil {
			t.Fatal(err)
		}
		finds("new e-mail", "elsewhere", true)
		finds("old e-mail word", "shop", false)

		gone := models.Customer{Email: "gone@shop.example", Name: "Gone Away", CreatedAt: at}
		if err := st.InsertCustomer(ctx, &gone, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DB.Exec(`DELETE FROM customers WHERE id = ?`, gone.ID); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := st.DB.QueryRow(`SELECT COUNT(*) FROM customer_words WHERE customer_id = ?`, gone.ID).Scan(&left); err != nil || left != 0 {
			t.Errorf("a deleted customer left %d words (%v)", left, err)
		}
	})
}

// TestCustomerWordsConcurrentSignUps: customers created and renamed at
// once, whose names and e-mails share words (and repeat them), are all
// stored: the word triggers take no lock another sign-up waits on in a
// cycle.
func TestCustomerWordsConcurrentSignUps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		var runs atomic.Int64
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 40 {
					ext := fmt.Sprintf("send-run-%02d%03d", g, i)
					// Created, then renamed (the shop's systems, then an
					// identity sign-in): the rename rewrites the words.
					for _, name := range []string{"Bench " + ext, "Bench " + ext + " Renamed"} {
						err := st.InTx(ctx, func(tx *models.Tx) error {
							runs.Add(1)
							_, err := tx.UpsertShopCustomer(ctx, models.ShopCustomer{ExternalID: ext, Email: ext + "@bench.example", Name: name}, models.Now(time.Now()))
							return err
						})
						if err != nil {
							errs <- err
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		t.Logf("%d transactions for 640 upserts", runs.Load())
		if st.Config.Dialect == models.MySQL {
			var n int
			if err := st.DB.QueryRow(`SELECT COUNT(DISTINCT customer_id) FROM customer_words WHERE word = 'renamed'`).Scan(&n); err != nil || n != 320 {
				t.Errorf("%d customers with the word renamed (%v), want 320", n, err)
			}
		}
	})
}
