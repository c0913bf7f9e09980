package models

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Scope is a SQL condition over the conversations columns with its
// arguments: one branch of a caller's visibility (policies builds them).
type Scope struct {
	Where string
	Args  []any
}

// createdWalkMax is how many conversations created after a created-date
// range may be passed by walking the activity order; with more, the list
// reads the range through the creation index.
var createdWalkMax = 5000

// hitListMax is the most search hits (conversations) a list reads into
// an id list; with more, the walk checks each row's words (SQLite's
// customer filter: the hit set drives the query).
var hitListMax = 20000

// searchBudget bounds, on MySQL/MariaDB, a search whose hits are too many
// to list (a very common word): the hit set then drives the query, which
// can read a large part of the messages. Past the budget the statement is
// stopped and the caller gets TooManyHitsMessage (invalid input) instead of
// a page that never comes.
var searchBudget = 5 * time.Second

// TooManyHitsMessage answers a search stopped by its budget.
const TooManyHitsMessage = "this search matches too many conversations to list in time: add another word or a filter"

// budget prefixes a statement of a hit-driven plan with its time budget
// (MariaDB's SET STATEMENT … FOR).
func (p listPlan) budget() string {
	switch {
	case p.d != MySQL:
		return ""
	case p.walked:
		// exists_to_in off: MariaDB would turn the words' EXISTS into a
		// semi-join and read a common word's whole range (~1.1 s for a
		// word in every conversation) instead of probing each row it
		// walks (a page: ~1 ms).
		return fmt.Sprintf("SET STATEMENT max_statement_time=%.3f, optimizer_switch='exists_to_in=off' FOR ", searchBudget.Seconds())
	case p.drive != nil:
		return fmt.Sprintf("SET STATEMENT max_statement_time=%.3f FOR ", searchBudget.Seconds())
	}
	return ""
}

// idSet selects the ids of a JSON array given as its one parameter.
func (q Queries) idSet() string {
	if q.d == MySQL {
		return `SELECT ids.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS ids`
	}
	return `SELECT value FROM json_each(?)`
}

// CountCap bounds how far a list counts its matches: past it the list says
// "more than 1,000" instead of paying for an exact COUNT(*) over a million rows.
const CountCap = 1000

// ConversationFilter narrows a conversation list. The caller's scope (R6a)
// comes separately as SQL fragments from policies. Every condition ANDs.
type ConversationFilter struct {
	Statuses   []Status
	AssignedTo *int64 // a staff id
	Unassigned bool
	Unread     *bool
	CustomerID *int64
	// Customer matches the customer's name or e-mail, word by word, each
	// word as a prefix (the search rules of SearchTerms).
	Customer string
	// OrderNumber is the linked order's number, exactly.
	OrderNumber string
	HasOrder    *bool
	// Date ranges: From inclusive, To exclusive; zero means open.
	CreatedFrom, CreatedTo   time.Time
	ActivityFrom, ActivityTo time.Time
	// Query is full-text search over subjects and every message body
	// (notes included: the staff list only) — see SearchTerms.
	Query string
	// Public lists by the customer's view: public activity, read by user.
	Public bool
	Limit  int
	// Cursor continues after a row (older, in the default order); Before
	// goes back to the rows before one (newer). At most one is set.
	Cursor string
	Before string
	// Asc lists oldest activity first.
	Asc bool
	// Count asks for the number of matches, counted up to CountCap+1.
	Count bool
}

// ConversationPage is one page of a list.
type ConversationPage struct {
	Items      []Conversation
	NextCursor string // the rows after this page; "" at the end
	PrevCursor string // the rows before this page; "" at the start
	// Total is the number of matches when the filter asked for a count;
	// with Capped it is a lower bound (more than CountCap match).
	Total  int
	Capped bool
	// OrderNumbers maps the linked orders of the page's rows to their
	// numbers.
	OrderNumbers map[int64]string
}

// EncodeCursor makes the opaque cursor for a position in the list.
func EncodeCursor(at time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + "." + strconv.FormatInt(id, 10)))
}

// Cursor times lie within what both dialects store (MySQL DATETIME ends
// in 9999); activity never predates 1970.
var (
	minCursorTime = time.Unix(0, 0).UTC()
	maxCursorTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// DecodeCursor reads a cursor made by EncodeCursor. Only the exact text
// EncodeCursor gives out is accepted, with a time the database can store:
// a forged cursor is EINVALID, never a database error.
func DecodeCursor(s string) (time.Time, int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		if a, b2, ok := strings.Cut(string(b), "."); ok {
			us, err1 := strconv.ParseInt(a, 10, 64)
			id, err2 := strconv.ParseInt(b2, 10, 64)
			if err1 == nil && err2 == nil && id > 0 {
				at := time.UnixMicro(us).UTC()
				if !at.Before(minCursorTime) && !at.After(maxCursorTime) && EncodeCursor(at, id) == s {
					return at, id, nil
				}
			}
		}
	}
	return time.Time{}, 0, Errorf(EINVALID, "invalid cursor")
}

// activity is the column the list is ordered by.
func (f ConversationFilter) activity() string {
	if f.Public {
		return "public_last_at"
	}
	return "last_message_at"
}

func (f ConversationFilter) cursorOf(c Conversation) string {
	if f.Public {
		return EncodeCursor(c.PublicLastAt, c.ID)
	}
	return EncodeCursor(c.LastMessageAt, c.ID)
}

// listPlan is a list query taken apart: conditions every row meets, the
// alternatives whose union is the result (scope branches × statuses, each
// walked along an index in activity order with its own LIMIT), and, for
// search, the hit sets that drive the query instead.
type listPlan struct {
	d        Dialect
	f        ConversationFilter
	common   []string
	args     []any
	branches []Scope
	drive    *Scope  // search hits (column hit_id) the query starts from
	within   []Scope // further hit sets a row must be in
	// walked says the search's words are checked on each row of the
	// activity walk (too many hits to list): its statements get the
	// search budget.
	walked  bool
	empty   bool     // nothing can match
	hint    string   // an index hint for the conversations (MySQL)
	hints   []string // each branch's index hint
	idsHint string   // the rows' hint when search hits are an id list
	// listed are the search's hits when listed (sorted ids), and listedIn
	// their condition, which where adds to the common ones. walk says the
	// page walks the activity order for them in Parley (idsHint set);
	// keys makes a rows query select only id and activity, without
	// listedIn: the walk keeps the hits itself.
	listed     []int64
	listedIn   Scope
	walk, keys bool
	// bound ends a walk's branch at a position of the walk order (a
	// keyset condition): a later branch's walk stops where the earlier
	// branches already hold a page.
	bound Scope
	// walkHint makes the rows walk the activity order checking a dense
	// listed set (many customers); countHint is the count's own index.
	walkHint, countHint string
	// countDay (MySQL) is the first creation day of a created range: the
	// count's condition on conversations_created_day.
	countDay string
	// cover says hint names an index that holds every column the walk
	// looks at but not in activity order (creation, customer): the page's
	// ids are read from it alone and sorted, then only their rows.
	cover bool
	// days are the creation days (UTC, YYYY-MM-DD) of a created range
	// read through conversations_created_day: each day is walked in
	// activity order for a page, and the days' pages merged.
	days []string
	// known is the number of matches when the search's listed hits are
	// the whole filter and the scope is everything; -1 otherwise.
	known int
	// whole is the scope and statuses as one condition (OR of the scope
	// branches, status IN): counting reads one index range per branch
	// without the temporary table a UNION needs.
	whole Scope
}

func (q Queries) plan(ctx context.Context, scopes []Scope, f ConversationFilter) (listPlan, error) {
	p := listPlan{d: q.d, f: f, known: -1}
	add := func(cond string, args ...any) {
		p.common = append(p.common, cond)
		p.args = append(p.args, args...)
	}
	if f.Unassigned {
		add("assigned_to IS NULL")
	} else if f.AssignedTo != nil {
		add("assigned_to = ?", *f.AssignedTo)
	}
	if f.Unread != nil {
		col := "is_read_by_admin"
		if f.Public {
			col = "is_read_by_user"
		}
		add(col+" = ?", !*f.Unread)
	}
	if f.CustomerID != nil {
		add("customer_id = ?", *f.CustomerID)
	}
	if f.OrderNumber != "" {
		var id int64
		err := q.q.QueryRowContext(ctx, `SELECT id FROM orders WHERE number = ?`, f.OrderNumber).Scan(&id)
		switch {
		case err == sql.ErrNoRows:
			p.empty = true
		case err != nil:
			return p, fmt.Errorf("find order %q: %w", f.OrderNumber, translate(err))
		}
		add("order_id = ?", id)
	}
	if f.HasOrder != nil {
		if *f.HasOrder {
			add("order_id IS NOT NULL")
		} else {
			add("order_id IS NULL")
		}
	}
	for _, r := range []struct {
		col      string
		from, to time.Time
	}{{"created_at", f.CreatedFrom, f.CreatedTo}, {f.activity(), f.ActivityFrom, f.ActivityTo}} {
		if !r.from.IsZero() {
			add(r.col+" >= ?", r.from.UTC())
		}
		if !r.to.IsZero() {
			add(r.col+" < ?", r.to.UTC())
		}
	}
	if !f.CreatedFrom.IsZero() && !f.Public {
		// Always true (activity never precedes creation), and it ends the
		// walk along the activity index at the range's start.
		add("last_message_at >= ?", f.CreatedFrom.UTC())
	}
	if !f.CreatedFrom.IsZero() && q.d == MySQL {
		// The count reads the creation-day index alone (its
		// created_at and last_message_at check the rest); the page
		// keeps walking the activity order.
		p.countDay = utcDay(f.CreatedFrom)
	}
	if !f.CreatedTo.IsZero() && q.d == MySQL {
		// A range that ends in the past: walking the activity order would
		// pass every conversation created since before reaching the
		// first match. When many were, read the range through the
		// creation index and sort it instead (cost: the range's size).
		var since int
		err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT id FROM conversations
			WHERE created_day >= ? AND created_at >= ? LIMIT ?) t`, utcDay(f.CreatedTo), f.CreatedTo.UTC(), createdWalkMax).Scan(&since)
		if err != nil {
			return p, fmt.Errorf("count conversations since %s: %w", f.CreatedTo, translate(err))
		}
		if since >= createdWalkMax {
			// The creation days bound the range on the index's first
			// column; created_at, further on it, cuts the edges.
			p.hint, p.cover = " FORCE INDEX (conversations_created_day)", true
			add("created_day <= ?", utcDay(f.CreatedTo))
			if !f.CreatedFrom.IsZero() {
				add("created_day >= ?", utcDay(f.CreatedFrom))
				if !f.Public {
					p.days = createdDays(f.CreatedFrom, f.CreatedTo)
				}
			}
		}
	}
	var hits []hitSet
	var walk *Scope // the search's words as a check on each conversation
	if strings.TrimSpace(f.Query) != "" {
		terms, err := SearchTerms(f.Query)
		if err != nil {
			return p, err
		}
		hits = append(hits, textHits(terms))
		w := textWalk(terms)
		walk = &w
	}
	if email := strings.TrimSpace(f.Customer); strings.Contains(email, "@") {
		// An e-mail address is looked up whole through the customers'
		// unique index: its words ("example", "com") would match everyone.
		nocase := ""
		if q.d == SQLite {
			nocase = " COLLATE NOCASE"
		}
		add("customer_id IN (SELECT id FROM customers WHERE email = ?"+nocase+")", email)
	} else if strings.TrimSpace(f.Customer) != "" {
		terms, err := SearchTerms(f.Customer)
		if err != nil {
			return p, Errorf(EINVALID, "customer: %s", err.(*Error).Message)
		}
		if q.d == MySQL {
			// Find the customers first (customer_words, a few
			// thousand rows at most), then their conversations: a few
			// customers through the customer index, many by walking the
			// activity order and keeping theirs.
			cond, cargs, ids, err := q.customerCondition(ctx, terms)
			if err != nil {
				return p, err
			}
			p.empty = p.empty || cond == "1=0"
			add(cond, cargs...)
			if len(ids) > 0 {
				// Counting reads their (customer, activity, assignee)
				// entries alone. The page: for a few customers, those
				// entries sorted (~10 per customer), then a page of rows;
				// for many, a walk in activity order keeping theirs, which
				// passes about page·customers/listed rows. Sorting k·10
				// entries costs what walking 26·n/k rows does at k ≈ √(26·n).
				p.countHint = " FORCE INDEX (conversations_customer_activity)"
				if n := ids[len(ids)-1]; float64(len(ids))*float64(len(ids)) <= float64(f.Limit+1)*float64(n) {
					p.hint, p.cover = p.countHint, true
				} else if p.hint == "" && strings.TrimSpace(f.Query) == "" {
					p.walkHint = " IGNORE INDEX (conversations_customer, conversations_customer_activity)"
				}
			}
		} else {
			hits = append(hits, q.customerHits(terms))
		}
	}
	var ors []string
	for _, sc := range scopes {
		ors = append(ors, "("+sc.Where+")")
		p.whole.Args = append(p.whole.Args, sc.Args...)
	}
	p.whole.Where = "(" + strings.Join(ors, " OR ") + ")"
	if len(f.Statuses) > 0 {
		p.whole.Where += " AND status IN (" + strings.TrimSuffix(strings.Repeat("?,", len(f.Statuses)), ",") + ")"
		p.whole.Args = append(p.whole.Args, statusArgs(f.Statuses)...)
	}
	if len(hits) > 0 {
		// With nothing but the scope narrowing the hits, the count is
		// theirs: all of them when the scope is everything; when it is
		// whom a conversation is assigned to (an agent's "unassigned or
		// mine"), those the word rows' copy of the assignee lets through —
		// the agent's count then reads no conversation row.
		counted := len(p.common) == 0 && len(hits) == 1 && len(f.Statuses) == 0
		everyone := len(scopes) == 1 && strings.TrimSpace(scopes[0].Where) == "1=1"
		mayRead := assignedWithin(scopes)
		withWho := counted && !everyone && mayRead != nil && hits[0].assignees()
		// Read the first hit set once, as conversation ids: the page and
		// its count then filter the usual index walks with them instead
		// of each reading the hits again. A set too big to list is
		// checked on each walked row (search words) or drives the query
		// (SQLite's customer filter).
		t0 := time.Now()
		ids, who, listed, err := q.hitIDs(ctx, hits[0], withWho)
		if err != nil {
			return p, err
		}
		if !listed && time.Since(t0) >= searchBudget {
			// The walk or the hit-driven plan would start over on a
			// budget this read already used up.
			return p, Errorf(EINVALID, TooManyHitsMessage)
		}
		if listed {
			if len(ids) == 0 {
				p.empty = true
				add("1=0")
			} else {
				if counted && (everyone || withWho) {
					// Unless the words of purged conversations still
					// wait for the clean-up's sweep, or the assignees'
					// copy for its backfill.
					exact, assignees, err := q.wordIndexState(ctx)
					if err != nil {
						return p, err
					}
					switch {
					case everyone && exact:
						p.known = len(ids)
					case withWho && exact && assignees:
						p.known = 0
						for _, to := range who {
							if mayRead(to) {
								p.known++
							}
						}
					}
				}
				// One parameter, not 10,000 literals: MariaDB spent more
				// parsing and planning such a list than walking with it.
				p.listed = ids
				p.listedIn = Scope{Where: "id IN (" + q.idSet() + ")", Args: []any{"[" + intList(ids) + "]"}}
				// MariaDB reads the listed ids through the primary key and
				// sorts them all; with many hits, one walk in activity
				// order that checks the id on the index stops after a page
				// (157 → 34 ms for 10,000 hits of 1M). It passes about
				// n·page/hits rows (n ≥ the largest id): worth it when the
				// hits outnumber √(26·n). An agent's two branches each walk
				// their (assignee, activity) index the same way.
				n := float64(ids[len(ids)-1])
				if q.d == MySQL && p.hint == "" && len(f.Statuses) <= 1 &&
					float64(len(ids)) >= math.Sqrt(float64(f.Limit+1)*n) {
					p.idsHint = " IGNORE INDEX (PRIMARY)"
					p.walk = true
				}
			}
			for _, h := range hits[1:] {
				u := h.union()
				add("id IN ("+u.Where+")", u.Args...)
			}
		} else if walk != nil {
			// A word in more conversations than a list holds is in a
			// large share of them: the activity walk checks each row's
			// words (one probe of conversation_words' primary key) and
			// meets a page's worth soon.
			p.walked = true
			add(walk.Where, walk.Args...)
			for _, h := range hits[1:] {
				u := h.union()
				add("id IN ("+u.Where+")", u.Args...)
			}
		} else {
			drive := hits[0].union()
			p.drive = &drive
			for _, h := range hits[1:] {
				p.within = append(p.within, h.union())
			}
			add(p.whole.Where, p.whole.Args...)
			return p, nil
		}
	}
	statuses := []*Status{nil}
	if len(f.Statuses) > 0 {
		statuses = statuses[:0]
		for i := range f.Statuses {
			statuses = append(statuses, &f.Statuses[i])
		}
	}
	for _, sc := range scopes {
		for _, st := range statuses {
			b := Scope{Where: "(" + sc.Where + ")", Args: append([]any{}, sc.Args...)}
			hint := p.hint
			if hint == "" {
				hint = p.idsHint
				if hint == "" {
					hint = p.walkHint
				}
				if hint != "" && assigneeOnly(sc.Where) {
					// An agent's branch walks its own (assignee, activity)
					// index; not knowing the id set's size, MariaDB would
					// walk the whole activity order instead (1.3 s).
					hint = " FORCE INDEX (conversations_assigned)"
					if st != nil {
						hint = " FORCE INDEX (conversations_assigned_status)"
					}
				}
			}
			if st != nil {
				b.Where += " AND status = ?"
				b.Args = append(b.Args, *st)
				// One assignee and one status: MariaDB would walk the
				// whole activity order for its LIMIT; the (assigned_to,
				// status, activity) index holds exactly these rows in order.
				if hint == "" && q.d == MySQL && !f.Public && (f.AssignedTo != nil || f.Unassigned || assigneeOnly(sc.Where)) {
					hint = " FORCE INDEX (conversations_assigned_status)"
				}
			}
			p.branches = append(p.branches, b)
			p.hints = append(p.hints, hint)
		}
	}
	return p, nil
}

// createdDaysMax is the longest created range, in days, the list merges
// day by day; a longer one is read whole from the index and sorted.
var createdDaysMax = 400

// utcDay is the UTC calendar day of t, as created_day holds it.
func utcDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// createdDays lists the UTC days a range [from, to) touches, or nil when
// they are more than createdDaysMax.
func createdDays(from, to time.Time) []string {
	first := from.UTC().Truncate(24 * time.Hour)
	last := to.UTC().Add(-time.Nanosecond)
	if last.Before(first) || last.Sub(first) >= time.Duration(createdDaysMax)*24*time.Hour {
		return nil
	}
	var days []string
	for d := first; !d.After(last); d = d.Add(24 * time.Hour) {
		days = append(days, utcDay(d))
	}
	return days
}

// assigneeOnly reports a scope branch that is one assignee (or nobody).
func assigneeOnly(where string) bool {
	w := strings.TrimSpace(where)
	return w == "assigned_to = ?" || w == "assigned_to IS NULL"
}

// assignedWithin is the scope as a check of a conversation's assignee (0:
// nobody), when every branch is one assignee or nobody (assigneeOnly);
// otherwise nil.
func assignedWithin(scopes []Scope) func(who int64) bool {
	var nobody bool
	var some []int64
	for _, sc := range scopes {
		switch w := strings.TrimSpace(sc.Where); {
		case w == "assigned_to IS NULL" && len(sc.Args) == 0:
			nobody = true
		case w == "assigned_to = ?" && len(sc.Args) == 1:
			id, ok := sc.Args[0].(int64)
			if !ok {
				return nil
			}
			some = append(some, id)
		default:
			return nil
		}
	}
	return func(who int64) bool {
		if who == 0 {
			return nobody
		}
		return slices.Contains(some, who)
	}
}

func statusArgs(list []Status) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

// where joins a branch's condition with the common ones (the listed
// hits' among them, unless keys) and extra.
func (p listPlan) where(b Scope, extra string, extraArgs []any) (string, []any) {
	conds := append([]string{b.Where}, p.common...)
	args := append(append([]any{}, b.Args...), p.args...)
	if p.listedIn.Where != "" && !p.keys {
		conds = append(conds, p.listedIn.Where)
		args = append(args, p.listedIn.Args...)
	}
	if p.bound.Where != "" {
		conds = append(conds, p.bound.Where)
		args = append(args, p.bound.Args...)
	}
	if extra != "" {
		conds = append(conds, extra)
		args = append(args, extraArgs...)
	}
	return strings.Join(conds, " AND "), args
}

// seek is the keyset condition and order of a walk from a cursor.
func (p listPlan) seek(cursor string, desc bool) (cond string, args []any, order string, err error) {
	act := p.f.activity()
	dir, cmp := "ASC", ">"
	if desc {
		dir, cmp = "DESC", "<"
	}
	order = " ORDER BY " + act + " " + dir + ", id " + dir
	if cursor == "" {
		return "", nil, order, nil
	}
	at, id, err := DecodeCursor(cursor)
	if err != nil {
		return "", nil, "", err
	}
	return "(" + act + " " + cmp + " ? OR (" + act + " = ? AND id " + cmp + " ?))", []any{at, at, id}, order, nil
}

// rowsQuery selects up to limit rows from the cursor on, in walk order.
func (p listPlan) rowsQuery(cursor string, desc bool, limit int) (string, []any, error) {
	cond, cargs, order, err := p.seek(cursor, desc)
	if err != nil {
		return "", nil, err
	}
	if p.drive != nil {
		w, args := p.where(Scope{Where: "1=1"}, cond, cargs)
		for _, h := range p.within {
			w += " AND id IN (" + h.Where + ")"
			args = append(args, h.Args...)
		}
		query := p.budget() + `SELECT ` + p.straight() + conversationColumns + ` FROM (` + p.drive.Where + `) h ` + p.join() +
			` conversations c ON c.id = h.hit_id WHERE ` + w + order + ` LIMIT ?`
		return query, append(append(append([]any{}, p.drive.Args...), args...), limit), nil
	}
	cols := conversationColumns
	if p.cover || p.keys {
		cols = "id, " + p.f.activity()
	}
	var query string
	var args []any
	if len(p.days) > 0 {
		// Within one creation day the index is in activity order: each
		// day gives its first page, and the merge the range's.
		w, a := p.where(p.whole, cond, cargs)
		parts := make([]string, len(p.days))
		for i, day := range p.days {
			parts[i] = fmt.Sprintf(`SELECT * FROM (SELECT `+cols+` FROM conversations`+p.hint+` WHERE created_day = ? AND %s%s LIMIT ?) AS d%d`, w, order, i)
			args = append(append(append(args, day), a...), limit)
		}
		query, args = strings.Join(parts, " UNION ALL ")+order+` LIMIT ?`, append(args, limit)
	} else if p.cover {
		// Every branch would read the whole range: read it once, with
		// the scope and statuses as one condition on the index's columns.
		w, a := p.where(p.whole, cond, cargs)
		query, args = `SELECT `+cols+` FROM conversations`+p.hint+` WHERE `+w+order+` LIMIT ?`, append(a, limit)
	} else if len(p.branches) == 1 {
		w, a := p.where(p.branches[0], cond, cargs)
		query, args = `SELECT `+cols+` FROM conversations`+p.hints[0]+` WHERE `+w+order+` LIMIT ?`, append(a, limit)
	} else {
		var parts []string
		for i, b := range p.branches {
			w, a := p.where(b, cond, cargs)
			parts = append(parts, fmt.Sprintf(`SELECT * FROM (SELECT `+cols+` FROM conversations`+p.hints[i]+` WHERE %s%s LIMIT ?) AS b%d`, w, order, i))
			args = append(append(args, a...), limit)
		}
		query, args = strings.Join(parts, " UNION ")+order+` LIMIT ?`, append(args, limit)
	}
	if p.cover {
		// The page's ids come from the index alone; then their rows.
		query = `SELECT ` + conversationColumns + ` FROM conversations WHERE id IN (SELECT id FROM (` + query + `) AS page)` + order
	}
	return p.budget() + query, args, nil
}

// countQuery counts the matches up to CountCap+1.
func (p listPlan) countQuery() (string, []any) {
	lim := CountCap + 1
	if p.drive != nil {
		w, args := p.where(Scope{Where: "1=1"}, "", nil)
		for _, h := range p.within {
			w += " AND id IN (" + h.Where + ")"
			args = append(args, h.Args...)
		}
		return p.budget() + `SELECT COUNT(*) FROM (SELECT ` + p.straight() + `c.id FROM (` + p.drive.Where + `) h ` + p.join() +
			` conversations c ON c.id = h.hit_id WHERE ` + w + ` LIMIT ?) t`, append(append(append([]any{}, p.drive.Args...), args...), lim)
	}
	w, args := p.where(p.whole, "", nil)
	hint := p.hint
	if p.countHint != "" {
		hint = p.countHint
	}
	if p.countDay != "" {
		w += " AND created_day >= ?"
		args = append(args, p.countDay)
	}
	return p.budget() + `SELECT COUNT(*) FROM (SELECT id FROM conversations` + hint + ` WHERE ` + w + ` LIMIT ?) t`, append(args, lim)
}

// straight and join make the hit set drive the join: the optimizer would
// otherwise walk a million conversations in activity order probing it.
func (p listPlan) straight() string {
	if p.d == MySQL {
		return "STRAIGHT_JOIN "
	}
	return ""
}

func (p listPlan) join() string {
	if p.d == MySQL {
		return "JOIN"
	}
	return "CROSS JOIN"
}

// ListConversations lists conversations within the union of the scope
// branches, newest activity first (or oldest, Asc), by keyset cursor: a
// deep page costs what the first one does. With f.Count it counts the
// matches up to CountCap+1.
func (q Queries) ListConversations(ctx context.Context, scopes []Scope, f ConversationFilter) (ConversationPage, error) {
	if len(scopes) == 0 {
		return ConversationPage{}, nil
	}
	if f.Cursor != "" && f.Before != "" {
		return ConversationPage{}, Errorf(EINVALID, "give cursor or before, not both")
	}
	if f.Limit <= 0 {
		return ConversationPage{}, Errorf(EINVALID, "limit must be positive")
	}
	p, err := q.plan(ctx, scopes, f)
	if err != nil || p.empty {
		return ConversationPage{}, err
	}
	back := f.Before != ""
	cursor := f.Cursor
	if back {
		cursor = f.Before
	}
	desc := !f.Asc != back
	var items []Conversation
	walked := false
	if p.walk {
		if items, walked, err = q.walkHits(ctx, p, cursor, desc, f.Limit+1); err != nil {
			return ConversationPage{}, err
		}
	}
	if !walked {
		query, args, err := p.rowsQuery(cursor, desc, f.Limit+1)
		if err != nil {
			return ConversationPage{}, err
		}
		rows, err := q.q.QueryContext(ctx, query, args...)
		if err != nil {
			return ConversationPage{}, fmt.Errorf("list conversations: %w", translate(err))
		}
		if items, err = collectConversations(rows); err != nil {
			return ConversationPage{}, err
		}
	}
	more := len(items) > f.Limit
	if more {
		items = items[:f.Limit]
	}
	page := ConversationPage{Items: items}
	if back {
		for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
			items[i], items[j] = items[j], items[i]
		}
		if len(items) > 0 {
			page.NextCursor = f.cursorOf(items[len(items)-1])
			if more {
				page.PrevCursor = f.cursorOf(items[0])
			}
		}
	} else if len(items) > 0 {
		if more {
			page.NextCursor = f.cursorOf(items[len(items)-1])
		}
		if f.Cursor != "" {
			page.PrevCursor = f.cursorOf(items[0])
		}
	}
	if err := q.orderNumbers(ctx, &page); err != nil {
		return page, err
	}
	if f.Count {
		n, err := q.count(ctx, p)
		if err != nil {
			return page, err
		}
		page.Total, page.Capped = min(n, CountCap), n > CountCap
	}
	return page, nil
}

// hitWalkMax is the most index entries a page's walk for listed hits
// reads in one scope branch (walkHits) before it leaves the page to the
// database's own plan.
var hitWalkMax = 20000

// walkHits finds a page of listed search hits by walking each scope
// branch's activity order (its index, every other condition) for ids and
// keeping the hits here, a chunk at a time: the hits met in the branches'
// walks hold the page, whose rows are then read in order. MariaDB doing
// the same check materialized the 10,000-id JSON parameter for each branch
// first, which cost more than the walks themselves. A branch after the
// first walks only as far as the page the branches before it found reaches
// (an agent's own conversations, a few of the page's rows, then take a
// short walk instead of a page of their own). ok is false when a branch
// read hitWalkMax entries without meeting a page of hits (hits rare where
// this filter walks): the caller runs the plan's own query.
func (q Queries) walkHits(ctx context.Context, p listPlan, cursor string, desc bool, limit int) (items []Conversation, ok bool, err error) {
	w := p
	w.keys = true
	var found []walkHit
	for i := range p.branches {
		w.branches, w.hints = p.branches[i:i+1], p.hints[i:i+1]
		if found, ok, err = q.walkBranch(ctx, w, cursor, desc, limit, found); err != nil || !ok {
			return nil, ok, err
		}
		// Branches may overlap: each hit once, in walk order.
		slices.SortFunc(found, func(a, b walkHit) int { return cmp.Compare(a.id, b.id) })
		found = slices.CompactFunc(found, func(a, b walkHit) bool { return a.id == b.id })
		slices.SortFunc(found, func(a, b walkHit) int {
			c := cmp.Or(a.at.Compare(b.at), cmp.Compare(a.id, b.id))
			if desc {
				return -c
			}
			return c
		})
		if len(found) >= limit {
			// The page's last row so far: nothing past it can be on
			// the page.
			last := found[limit-1]
			found = found[:limit]
			act, cmpOp := p.f.activity(), "<"
			if desc {
				cmpOp = ">"
			}
			w.bound = Scope{Where: "(" + act + " " + cmpOp + " ? OR (" + act + " = ? AND id " + cmpOp + "= ?))", Args: []any{last.at, last.at, last.id}}
		}
	}
	if len(found) == 0 {
		return nil, true, nil
	}
	ids := make([]int64, len(found))
	for i, h := range found {
		ids[i] = h.id
	}
	_, _, order, _ := p.seek("", desc)
	in, args := inList(ids)
	rows, err := q.q.QueryContext(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id IN (`+in+`)`+order+` LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, false, fmt.Errorf("list conversations: %w", translate(err))
	}
	items, err = collectConversations(rows)
	return items, err == nil, err
}

// walkHit is a hit a walk met and its place in the walk order.
type walkHit struct {
	id int64
	at time.Time
}

// walkBranch walks w's one branch from cursor, a chunk of ids at a time,
// until it has met limit hits, the branch's end or w.bound, and appends
// every hit it met to found.
func (q Queries) walkBranch(ctx context.Context, w listPlan, cursor string, desc bool, limit int, found []walkHit) ([]walkHit, bool, error) {
	hits := w.listed
	// A chunk expected to hold the page (the largest id bounds the
	// conversations), half as much again; doubled while the page is short.
	chunk := int(min(float64(limit)*1.5*float64(hits[len(hits)-1])/float64(len(hits)), float64(hitWalkMax)))
	chunk = max(chunk, limit)
	for met, walked := 0, 0; ; {
		query, args, err := w.rowsQuery(cursor, desc, chunk)
		if err != nil {
			return nil, false, err
		}
		rows, err := q.q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, false, fmt.Errorf("list conversations: %w", translate(err))
		}
		got := 0
		var id int64
		var at time.Time
		for rows.Next() {
			if err := rows.Scan(&id, &at); err != nil {
				rows.Close()
				return nil, false, fmt.Errorf("scan conversation key: %w", err)
			}
			got++
			if _, hit := slices.BinarySearch(hits, id); hit {
				found = append(found, walkHit{id, at})
				met++
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, false, fmt.Errorf("list conversations: %w", translate(err))
		}
		walked += got
		if met >= limit || got < chunk {
			return found, true, nil
		}
		if walked >= hitWalkMax {
			return nil, false, nil
		}
		cursor = EncodeCursor(at, id) // the chunk's last entry
		chunk = min(chunk*2, hitWalkMax-walked)
	}
}

// count runs the plan's capped count (CountCap+1 means more).
func (q Queries) count(ctx context.Context, p listPlan) (int, error) {
	if p.known >= 0 {
		return min(p.known, CountCap+1), nil
	}
	cq, cargs := p.countQuery()
	var n int
	if err := q.q.QueryRowContext(ctx, cq, cargs...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count conversations: %w", translate(err))
	}
	return n, nil
}

// CountConversations counts the matches of a filter within the scope, up to
// CountCap+1 (capped reports more than CountCap): the menu badge's number.
func (q Queries) CountConversations(ctx context.Context, scopes []Scope, f ConversationFilter) (n int, capped bool, err error) {
	if len(scopes) == 0 {
		return 0, false, nil
	}
	p, err := q.plan(ctx, scopes, f)
	if err != nil || p.empty {
		return 0, false, err
	}
	if n, err = q.count(ctx, p); err != nil {
		return 0, false, err
	}
	return min(n, CountCap), n > CountCap, nil
}

// orderNumbers loads the numbers of the page's linked orders.
func (q Queries) orderNumbers(ctx context.Context, page *ConversationPage) error {
	var ids []int64
	for _, c := range page.Items {
		if c.OrderID != nil {
			ids = append(ids, *c.OrderID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	in, args := inList(ids)
	rows, err := q.q.QueryContext(ctx, `SELECT id, number FROM orders WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return fmt.Errorf("order numbers: %w", translate(err))
	}
	defer rows.Close()
	page.OrderNumbers = make(map[int64]string, len(ids))
	for rows.Next() {
		var id int64
		var number string
		if err := rows.Scan(&id, &number); err != nil {
			return fmt.Errorf("scan order number: %w", err)
		}
		page.OrderNumbers[id] = number
	}
	return rows.Err()
}

// SetReadByStaff sets a conversation's staff-side read flag (bulk "mark
// read" / "mark unread").
func (q Queries) SetReadByStaff(ctx context.Context, id int64, read bool) error {
	if _, err := q.q.ExecContext(ctx, `UPDATE conversations SET is_read_by_admin = ? WHERE id = ?`, read, id); err != nil {
		return fmt.Errorf("mark conversation %d: %w", id, translate(err))
	}
	return nil
}

// hitIDs reads a hit set's conversation ids, at most hitListMax of them;
// listed is false when there are more. Each part is read on its own, up to
// hitListMax+1 rows, as they come (no DISTINCT: its temporary table cost
// MariaDB more than the range read; and not as one GROUP_CONCAT row: its
// LIMIT's temporary table cost more than the rows), then sorted and
// deduplicated: a conversation met twice (two of its words start with a
// term) counts twice towards the limit, which can only send a set near
// the limit to the walk, never drop a hit. With withAssignees (the set's
// parts can read them, hitSet.assignees), who[i] is the assignee of ids[i]
// (0: nobody), from the same rows.
func (q Queries) hitIDs(ctx context.Context, h hitSet, withAssignees bool) (ids, who []int64, listed bool, err error) {
	type hit struct{ id, who int64 }
	var hits []hit
	var id int64
	var to sql.NullInt64
	for _, part := range h {
		query := `SELECT ` + part.id + ` ` + part.from + ` LIMIT ?`
		if withAssignees {
			query = `SELECT ` + part.id + `, ` + part.assignee + ` ` + part.from + ` LIMIT ?`
		}
		rows, err := q.q.QueryContext(ctx, query, append(append([]any{}, part.args...), hitListMax+1)...)
		if err != nil {
			return nil, nil, false, fmt.Errorf("search: %w", translate(err))
		}
		n := len(ids) + len(hits)
		for rows.Next() {
			if withAssignees {
				err = rows.Scan(&id, &to)
				hits = append(hits, hit{id, to.Int64})
			} else {
				err = rows.Scan(&id)
				ids = append(ids, id)
			}
			if err != nil {
				rows.Close()
				return nil, nil, false, fmt.Errorf("scan hit: %w", err)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, nil, false, fmt.Errorf("search: %w", translate(err))
		}
		if len(ids)+len(hits)-n > hitListMax {
			return nil, nil, false, nil
		}
	}
	if withAssignees {
		// A conversation's word rows all carry its assignee (the
		// triggers rewrite them in the assignment's transaction).
		slices.SortFunc(hits, func(a, b hit) int { return cmp.Compare(a.id, b.id) })
		hits = slices.CompactFunc(hits, func(a, b hit) bool { return a.id == b.id })
		ids, who = make([]int64, len(hits)), make([]int64, len(hits))
		for i, h := range hits {
			ids[i], who[i] = h.id, h.who
		}
	} else {
		slices.Sort(ids)
		ids = slices.Compact(ids)
	}
	if len(ids) > hitListMax {
		return nil, nil, false, nil
	}
	return ids, who, true, nil
}

// intList writes ids as SQL integer literals (ids come from the database,
// never from input).
func intList(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}
