package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Search, the same on SQLite and MariaDB (Parley's own word index,
// conversation_words, written by Parley's own tokenizer — models/words.go):
//   - the text splits into words at every character that is not a letter,
//     a digit or a combining mark;
//   - words shorter than MinSearchWord characters are ignored (neither
//     indexed nor searched for); at least one word must remain;
//   - every remaining word must occur (AND) somewhere in the conversation —
//     its subject or any message body, notes and events included — each as
//     a word prefix: "deliv" finds "delivery", "Delivered";
//   - case and accents do not matter: "cafe" finds "Café" (words are
//     lowercased and stripped of combining marks after Unicode
//     decomposition; "ß" stays "ß");
//   - at most MaxSearchWords words, each cut to MaxSearchWordLen characters.
//
// The customer filter splits its text the same way (SearchTerms) and reads
// customer_words (MariaDB) or customer_fts (SQLite).
const (
	MinSearchWord    = 3
	MaxSearchWords   = 8
	MaxSearchWordLen = 84
	maxSearchText    = 500
)

// SearchTerms splits search text into the words searched for, lowercased.
func SearchTerms(text string) ([]string, error) {
	if !utf8.ValidString(text) || len(text) > maxSearchText {
		return nil, Errorf(EINVALID, "search text must be valid text of at most %d bytes", maxSearchText)
	}
	var terms []string
	seen := map[string]bool{}
	splitWords(text, func(w string) bool {
		if !seen[w] {
			seen[w] = true
			terms = append(terms, w)
		}
		return len(terms) < MaxSearchWords
	})
	if len(terms) == 0 {
		return nil, Errorf(EINVALID, "search for a word of at least %d letters or digits", MinSearchWord)
	}
	return terms, nil
}

// fts5Prefixes is the FTS5 query for "every term, as a prefix" (SQLite's
// customer filter). Terms hold only letters and digits, so nothing in them
// is query syntax.
func fts5Prefixes(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `"` + t + `"*`
	}
	return strings.Join(parts, " ")
}

// hitPart is one part of a hit set: a SELECT of conversation ids (the
// column id) from its from clause (FROM … WHERE …). assignee, when set, is
// the column of each row's copy of its conversation's assignee
// (conversation_words.assigned_to, migration 00033), read with the ids when
// a count only depends on who the hits are assigned to.
type hitPart struct {
	id, assignee string
	from         string
	args         []any
}

// sel is the part as a SELECT of hit_id.
func (p hitPart) sel() Scope {
	return Scope{Where: "SELECT " + p.id + " AS hit_id " + p.from, Args: p.args}
}

// hitSet is a search's matches as the parts whose union they are: each part
// is read on its own, so a LIMIT stops it early (a UNION is materialized
// whole first).
type hitSet []hitPart

// union is the whole set as one SELECT of hit_id.
func (h hitSet) union() Scope {
	var out Scope
	var parts []string
	for _, p := range h {
		sel := p.sel()
		parts = append(parts, sel.Where)
		out.Args = append(out.Args, sel.Args...)
	}
	out.Where = strings.Join(parts, " UNION ")
	return out
}

// assignees says every part can read its hits' assignees.
func (h hitSet) assignees() bool {
	for _, p := range h {
		if p.assignee == "" {
			return false
		}
	}
	return len(h) > 0
}

// textHits selects (as hit_id) the conversations with, for every term, a
// word starting with it in their subject or any message body (notes and
// events included): one range of conversation_words' word index for the
// longest term (the fewest words likely start with it), each other term
// looked up among that conversation's words. A conversation can come more
// than once (two of its words start with the term).
func textHits(terms []string) hitSet {
	terms = longestFirst(terms)
	lo, hi := wordRange(terms[0])
	var b strings.Builder
	b.WriteString("FROM conversation_words w0 WHERE w0.word >= ? AND w0.word < ?")
	args := []any{lo, hi}
	for i, t := range terms[1:] {
		cond, cargs := wordExists(fmt.Sprint("w", i+1), "w0.conversation_id", t)
		b.WriteString(" AND " + cond)
		args = append(args, cargs...)
	}
	return hitSet{{id: "w0.conversation_id", assignee: "w0.assigned_to", from: b.String(), args: args}}
}

// wordExists is the condition that conversation of (a column) has a word
// starting with term, one probe of conversation_words' primary key under
// alias.
func wordExists(alias, of, term string) (string, []any) {
	lo, hi := wordRange(term)
	return fmt.Sprintf("EXISTS (SELECT 1 FROM conversation_words %[1]s WHERE %[1]s.conversation_id = %[2]s AND %[1]s.word >= ? AND %[1]s.word < ?)", alias, of),
		[]any{lo, hi}
}

// textWalk is textHits as a condition on a row of conversations (not
// aliased): for each term, one probe of that conversation's words.
func textWalk(terms []string) Scope {
	var s Scope
	var parts []string
	for i, t := range longestFirst(terms) {
		cond, args := wordExists(fmt.Sprint("t", i), "conversations.id", t)
		parts = append(parts, cond)
		s.Args = append(s.Args, args...)
	}
	s.Where = strings.Join(parts, " AND ")
	return s
}

// longestFirst orders terms by length, longest first (stable).
func longestFirst(terms []string) []string {
	terms = slices.Clone(terms)
	slices.SortStableFunc(terms, func(a, b string) int { return utf8.RuneCountInString(b) - utf8.RuneCountInString(a) })
	return terms
}

// customerHits selects the conversations whose customer name or e-mail
// matches every term (SQLite; MySQL lists the customers first, see
// customerCondition).
func (q Queries) customerHits(terms []string) hitSet {
	return hitSet{{id: "rowid", from: `FROM customer_fts WHERE customer_fts MATCH ?`, args: []any{fts5Prefixes(terms)}}}
}

// customerListMax is how many matching customers the list's customer
// filter names in an IN list; with more, it matches them by subquery.
var customerListMax = 10000

// customerWords selects the customers (customer_id) with, for every term,
// a word of their name or e-mail starting with it: customer_words (MySQL,
// migration 00030), one range of its word index for the longest term (the
// fewest words likely start with it), each other term looked up among that
// customer's words. A customer can come more than once (two of their words
// start with the term). Terms hold only letters and digits, so nothing in
// them is LIKE syntax.
func customerWords(terms []string) (string, []any) {
	terms = longestFirst(terms)
	var q strings.Builder
	q.WriteString("SELECT w0.customer_id FROM customer_words w0 WHERE w0.word LIKE ?")
	args := []any{terms[0] + "%"}
	for i, t := range terms[1:] {
		fmt.Fprintf(&q, " AND EXISTS (SELECT 1 FROM customer_words w%d WHERE w%d.customer_id = w0.customer_id AND w%d.word LIKE ?)", i+1, i+1, i+1)
		args = append(args, t+"%")
	}
	return q.String(), args
}

// customerCondition is the customer filter on MySQL as a condition over the
// conversations: the customers whose name or e-mail has a word starting
// with every term (customerWords), listed (ids, sorted) when at most
// customerListMax, by subquery when more. No customer: "1=0".
func (q Queries) customerCondition(ctx context.Context, terms []string) (cond string, args []any, ids []int64, err error) {
	sub, subArgs := customerWords(terms)
	rows, err := q.q.QueryContext(ctx, sub+" LIMIT ?", append(subArgs, customerListMax+1)...)
	if err != nil {
		return "", nil, nil, fmt.Errorf("find customers: %w", translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return "", nil, nil, fmt.Errorf("scan customer: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return "", nil, nil, fmt.Errorf("find customers: %w", translate(err))
	}
	switch {
	case len(ids) == 0:
		return "1=0", nil, nil, nil
	case len(ids) <= customerListMax:
		// One JSON parameter, not thousands of literals: MariaDB
		// parses and plans a long IN list in each statement.
		slices.Sort(ids)
		ids = slices.Compact(ids)
		return "customer_id IN (" + q.idSet() + ")", []any{"[" + intList(ids) + "]"}, ids, nil
	}
	return "customer_id IN (" + sub + ")", subArgs, nil, nil
}
