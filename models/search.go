package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Full-text search, the same on SQLite (FTS5, unicode61 remove_diacritics
// 2) and MariaDB (InnoDB FULLTEXT, BOOLEAN MODE, utf8mb4_unicode_ci, no
// stopwords):
//   - the text splits into words at every character that is not a letter
//     or a digit;
//   - words shorter than MinSearchWord characters are ignored (MariaDB does
//     not index them); at least one word must remain;
//   - every remaining word must occur (AND), each as a word prefix: "deliv"
//     finds "delivery", "Delivered";
//   - case and accents do not matter: "cafe" finds "Café";
//   - at most MaxSearchWords words, each cut to MaxSearchWordLen characters.
//
// The indexes follow every insert, update and delete by themselves (SQLite
// triggers, InnoDB's own index): retention and erasure need no extra call.
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
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if utf8.RuneCountInString(w) < MinSearchWord {
			continue
		}
		if r := []rune(w); len(r) > MaxSearchWordLen {
			w = string(r[:MaxSearchWordLen])
		}
		w = strings.ToLower(w)
		if seen[w] {
			continue
		}
		seen[w] = true
		terms = append(terms, w)
		if len(terms) == MaxSearchWords {
			break
		}
	}
	if len(terms) == 0 {
		return nil, Errorf(EINVALID, "search for a word of at least %d letters or digits", MinSearchWord)
	}
	return terms, nil
}

// matchText is the backend's query for "every term, as a prefix". Terms
// hold only letters and digits, so nothing in them is query syntax.
func (q Queries) matchText(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		if q.d == MySQL {
			parts[i] = "+" + t + "*"
		} else {
			parts[i] = `"` + t + `"*`
		}
	}
	return strings.Join(parts, " ")
}

// hitSet is a search's matches as the parts whose union they are, each a
// SELECT of conversation ids (as hit_id): each part is read on its own, so
// a LIMIT stops it early (a UNION is materialized whole first).
type hitSet []Scope

// union is the whole set as one SELECT of hit_id.
func (h hitSet) union() Scope {
	var out Scope
	var parts []string
	for _, p := range h {
		parts = append(parts, p.Where)
		out.Args = append(out.Args, p.Args...)
	}
	out.Where = strings.Join(parts, " UNION ")
	return out
}

// textHits selects (as hit_id) the conversations whose subject or any
// message body (notes and events included) matches every term.
func (q Queries) textHits(terms []string) hitSet {
	m := q.matchText(terms)
	if q.d == MySQL {
		return hitSet{{Where: `SELECT conversation_id AS hit_id FROM messages WHERE MATCH(body) AGAINST (? IN BOOLEAN MODE)`, Args: []any{m}},
			{Where: `SELECT id AS hit_id FROM conversations WHERE MATCH(subject) AGAINST (? IN BOOLEAN MODE)`, Args: []any{m}}}
	}
	return hitSet{{Where: `SELECT m.conversation_id AS hit_id FROM message_fts JOIN messages m ON m.id = message_fts.rowid WHERE message_fts MATCH ?`, Args: []any{m}},
		{Where: `SELECT rowid AS hit_id FROM conversation_fts WHERE conversation_fts MATCH ?`, Args: []any{m}}}
}

// customerHits selects the conversations whose customer name or e-mail
// matches every term (SQLite; MySQL lists the customers first, see
// customerCondition).
func (q Queries) customerHits(terms []string) hitSet {
	return hitSet{{Where: `SELECT rowid AS hit_id FROM customer_fts WHERE customer_fts MATCH ?`, Args: []any{q.matchText(terms)}}}
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
	terms = slices.Clone(terms)
	slices.SortStableFunc(terms, func(a, b string) int { return utf8.RuneCountInString(b) - utf8.RuneCountInString(a) })
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
