package models_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

// TestBackfillWords: conversations written before the word index existed
// (their rows removed here) are found again after the backfill, which
// resumes from where a stopped run left off and leaves no work behind.
func TestBackfillWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		w := newListWorld(t, st)
		ctx := context.Background()
		if _, err := st.DB.ExecContext(ctx, `DELETE FROM conversation_words`); err != nil {
			t.Fatal(err)
		}
		if got := w.ids(t, all, models.ConversationFilter{Query: "zebrafish"}); len(got) != 0 {
			t.Fatalf("found before the backfill: %v", got)
		}
		first := w.byName["ann-open"]
		if _, err := st.DB.ExecContext(ctx, `INSERT INTO conversation_words_backfill (next_id) VALUES (?)`, first); err != nil {
			t.Fatal(err)
		}
		defer models.SetWordsBackfillChunk(1)()
		// A run stopped after its first chunk: the next one resumes.
		stop, cancel := context.WithCancel(ctx)
		err := st.BackfillWords(stop, func(done int64) { cancel() })
		if err == nil {
			t.Fatal("the cancelled run reported no error")
		}
		var next int64
		if err := st.DB.QueryRowContext(ctx, `SELECT next_id FROM conversation_words_backfill`).Scan(&next); err != nil || next != first+1 {
			t.Fatalf("after one chunk next_id = %d, %v; want %d", next, err, first+1)
		}
		var done []int64
		if err := st.BackfillWords(ctx, func(n int64) { done = append(done, n) }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(done, []int64{1, 2, 3}) {
			t.Errorf("progress = %v; want the three conversations left, one a chunk", done)
		}
		for q, want := range map[string][]string{"zebrafish": {"bob-awaiting"}, "parcel late": {"ann-open"}, "cafe": {"ann-awaiting"}, "thanks": {"bob-closed"}} {
			if got := w.ids(t, all, models.ConversationFilter{Query: q}); !slices.Equal(got, want) {
				t.Errorf("after the backfill %q = %v; want %v", q, got, want)
			}
		}
		var left int
		if err := st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM conversation_words_backfill`).Scan(&left); err != nil || left != 0 {
			t.Errorf("backfill rows left: %d, %v", left, err)
		}
		if err := st.BackfillWords(ctx, nil); err != nil {
			t.Errorf("a second backfill: %v", err)
		}
	})
}

func TestTextWords(t *testing.T) {
	got := models.TextWords("Hello, hello! Größe café CAFE\u0301 x1 ab 123 o'neil", "hello again")
	want := []string{"hello", "große", "cafe", "123", "neil", "again"}
	if !slices.Equal(got, want) {
		t.Errorf("TextWords = %q; want %q", got, want)
	}
	long := strings.Repeat("ä", models.MaxSearchWordLen+5)
	if got := models.TextWords(long); len(got) != 1 || got[0] != strings.Repeat("a", models.MaxSearchWordLen) {
		t.Errorf("a long word = %q; want it cut to %d letters", got, models.MaxSearchWordLen)
	}
}

// FuzzTextWords: every indexed word is folded, valid, within the length
// limits, made of letters and digits, and a search for it finds it (the
// search's terms of the word are the word itself).
func FuzzTextWords(f *testing.F) {
	for _, s := range []string{"Hello, the delivery is late.", "Café CAFE\u0301 naïve", "\xff\xfeabc", "日本語のテキスト", "ǅemal İstanbul ΣΊΣΥΦΟΣ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, w := range models.TextWords(text) {
			n := utf8.RuneCountInString(w)
			if !utf8.ValidString(w) || n < models.MinSearchWord || n > models.MaxSearchWordLen {
				t.Fatalf("word %q of %q: invalid or out of bounds", w, text)
			}
			for _, r := range w {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					t.Fatalf("word %q of %q holds %q", w, text, r)
				}
			}
			if again := models.TextWords(w); !slices.Equal(again, []string{w}) {
				t.Fatalf("word %q of %q splits again into %q", w, text, again)
			}
			if terms, err := models.SearchTerms(w); err != nil || !slices.Equal(terms, []string{w}) {
				t.Fatalf("searching word %q of %q gives terms %q, %v", w, text, terms, err)
			}
		}
	})
}

// TestPurgedConversationWords: a conversation the retention purge deletes
// leaves its words for the clean-up's sweep; meanwhile a search neither
// finds nor counts it, and the sweep removes the words.
func TestPurgedConversationWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		w := newListWorld(t, st)
		ctx := context.Background()
		id := w.byName["bob-closed"]
		if _, err := st.DB.ExecContext(ctx, `DELETE FROM messages WHERE conversation_id = ?`, id); err != nil {
			t.Fatal(err)
		}
		left, err := st.PurgeEmptyConversations(ctx, []int64{id, w.byName["ann-open"]})
		if err != nil || len(left) != 1 {
			t.Fatalf("purge: left %v, %v", left, err)
		}
		p, err := st.ListConversations(ctx, all, models.ConversationFilter{Query: "thanks", Limit: 10, Count: true})
		if err != nil || len(p.Items) != 0 || p.Total != 0 {
			t.Fatalf("search of a purged conversation's word: %d rows, total %d, %v; want none", len(p.Items), p.Total, err)
		}
		var words int
		st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM conversation_words WHERE conversation_id = ?`, id).Scan(&words)
		if words == 0 {
			t.Fatal("the purge deleted the words itself; this test needs them waiting for the sweep")
		}
		if n, err := st.SweepGoneWords(ctx, 10); err != nil || n != 1 {
			t.Fatalf("sweep: %d, %v; want 1", n, err)
		}
		st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM conversation_words WHERE conversation_id = ?`, id).Scan(&words)
		if words != 0 {
			t.Errorf("%d words left after the sweep", words)
		}
		if n, err := st.SweepGoneWords(ctx, 10); err != nil || n != 0 {
			t.Errorf("second sweep: %d, %v; want 0", n, err)
		}
		// Deleting a closed conversation (R2) deletes its words at once.
		other := w.byName["ann-awaiting"]
		if _, err := st.DB.ExecContext(ctx, `UPDATE conversations SET status = ? WHERE id = ?`, models.StatusClosed, other); err != nil {
			t.Fatal(err)
		}
		if n, err := st.DeleteClosedConversations(ctx, []int64{other}); err != nil || n != 1 {
			t.Fatal(n, err)
		}
		st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM conversation_words WHERE conversation_id = ?`, other).Scan(&words)
		if words != 0 {
			t.Errorf("%d words left after deleting a closed conversation", words)
		}
	})
}

// TestSearchCountByAssignee: an agent's search count ("unassigned or mine")
// comes from the word rows' copy of each conversation's assignee, without a
// count over the conversations, and the copy follows every change after the
// words were written: assigned, reassigned, unassigned, a word added to an
// assigned conversation. On an upgraded database, until the copy is
// backfilled, the count reads the conversations instead; the backfill fills
// it and the count comes from the words again.
func TestSearchCountByAssignee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		at := models.Now(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
		cu := models.Customer{Email: "assignees@example.com", Name: "Assignees", CreatedAt: at}
		if err := st.InsertCustomer(ctx, &cu, ""); err != nil {
			t.Fatal(err)
		}
		me, other := int64(7), int64(8)
		ids := map[string][]int64{}
		for i := range 15 {
			who, key := []*int64{nil, &me, &other}[i%3], []string{"nobody", "mine", "other"}[i%3]
			subject := "Tangerine crate"
			if i >= 12 {
				who, key, subject = &me, "mine, no word", "Plain crate"
			}
			c := models.Conversation{CustomerID: cu.ID, CustomerName: cu.Name, CustomerEmail: cu.Email, Subject: subject,
				Status: models.StatusOpen, AssignedTo: who, CreatedAt: at, UpdatedAt: at, LastMessageAt: at, PublicLastAt: at}
			if err := st.InsertConversation(ctx, &c); err != nil {
				t.Fatal(err)
			}
			ids[key] = append(ids[key], c.ID)
		}
		agent := []models.Scope{{Where: "assigned_to IS NULL"}, {Where: "assigned_to = ?", Args: []any{me}}}
		check := func(label string, want int, fromWords bool) {
			t.Helper()
			counted := false
			q := st.Traced(func(query string, _ []any, _ time.Duration) {
				if strings.HasPrefix(query, "SELECT COUNT(*) FROM (SELECT id FROM conversations") {
					counted = true
				}
			})
			p, err := q.ListConversations(ctx, agent, models.ConversationFilter{Query: "tangerine", Limit: 2, Count: true})
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			if p.Total != want || p.Capped {
				t.Errorf("%s: count %d (capped %v), want %d", label, p.Total, p.Capped, want)
			}
			if counted == fromWords {
				t.Errorf("%s: counted over the conversations: %v, want %v", label, counted, !fromWords)
			}
			var stale int
			if err := st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM conversation_words w JOIN conversations c ON c.id = w.conversation_id
				WHERE (w.assigned_to IS NULL) <> (c.assigned_to IS NULL) OR w.assigned_to <> c.assigned_to`).Scan(&stale); err != nil {
				t.Fatal(err)
			}
			if stale != 0 && fromWords {
				t.Errorf("%s: %d word rows with another assignee than their conversation's", label, stale)
			}
		}
		check("as created", 8, true)
		assign := func(id int64, from, to *int64) {
			t.Helper()
			if ok, err := st.SetAssigneeIf(ctx, id, from, to, at); err != nil || !ok {
				t.Fatalf("assign %d: %v, %v", id, ok, err)
			}
		}
		assign(ids["other"][0], &other, &me)
		check("another's taken over", 9, true)
		assign(ids["mine"][0], &me, nil)
		check("mine unassigned", 9, true)
		assign(ids["nobody"][0], nil, &other)
		check("an unassigned one given to another", 8, true)
		m := models.Message{ConversationID: ids["mine, no word"][0], Kind: models.KindReply, AuthorType: models.ActorCustomer, AuthorName: cu.Name,
			Body: "Where are my tangerines?", Public: true, CreatedAt: at}
		if err := st.InsertMessage(ctx, &m); err != nil {
			t.Fatal(err)
		}
		check("a word added to my conversation", 9, true)

		// An upgraded database: the copy empty, its backfill to come.
		if _, err := st.DB.ExecContext(ctx, `UPDATE conversation_words SET assigned_to = NULL`); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DB.ExecContext(ctx, `INSERT INTO conversation_words_assignees (next_id) SELECT MIN(id) FROM conversations`); err != nil {
			t.Fatal(err)
		}
		check("before the backfill", 9, false)
		if err := st.BackfillWordAssignees(ctx, nil); err != nil {
			t.Fatal(err)
		}
		check("after the backfill", 9, true)
	})
}
