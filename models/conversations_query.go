package models

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// List query parameters, the same in the back-office list and in
// GET /api/v1/staff/conversations.
const (
	ParamStatus       = "status"        // repeated or comma-separated
	ParamUnread       = "unread"        // true | false
	ParamAssignedTo   = "assigned_to"   // me | none | anyone | a staff id
	ParamCustomerID   = "customer_id"   // a customer id
	ParamCustomer     = "customer"      // name or e-mail words
	ParamOrderNumber  = "order_number"  // exact
	ParamHasOrder     = "has_order"     // true | false
	ParamCreatedFrom  = "created_from"  // YYYY-MM-DD (UTC) or RFC 3339
	ParamCreatedTo    = "created_to"    // inclusive day, or an instant (exclusive)
	ParamActivityFrom = "activity_from" //
	ParamActivityTo   = "activity_to"   //
	ParamQuery        = "q"             // full text, see SearchTerms
	ParamLimit        = "limit"
	ParamCursor       = "cursor"
	ParamBefore       = "before"
)

// staffParams and customerParams list what each side's list accepts.
var (
	staffParams = map[string]bool{ParamStatus: true, ParamUnread: true, ParamAssignedTo: true, ParamCustomerID: true,
		ParamCustomer: true, ParamOrderNumber: true, ParamHasOrder: true, ParamCreatedFrom: true, ParamCreatedTo: true,
		ParamActivityFrom: true, ParamActivityTo: true, ParamQuery: true, ParamLimit: true, ParamCursor: true, ParamBefore: true}
	customerParams = map[string]bool{ParamStatus: true, ParamUnread: true, ParamLimit: true, ParamCursor: true, ParamBefore: true}
)

// QueryOptions says how to read a list query.
type QueryOptions struct {
	Staff    bool
	Me       int64 // the staff caller (assigned_to=me)
	MaxLimit int
	// Ignore lists further parameters to skip (the back office's own).
	Ignore func(name string) bool
}

// ParseConversationQuery reads a list's query parameters into a filter.
// Empty values mean "no filter". Every bad value is an EINVALID error that
// names the parameter and says what it takes, for the page or the API
// client to show.
func ParseConversationQuery(q url.Values, o QueryOptions) (ConversationFilter, error) {
	var f ConversationFilter
	allowed := customerParams
	if o.Staff {
		allowed = staffParams
	}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if o.Ignore != nil && o.Ignore(name) {
			continue
		}
		if !allowed[name] {
			return f, Errorf(EINVALID, "unknown query parameter %s", strconv.Quote(clip(name, 40)))
		}
		if name != ParamStatus && len(q[name]) > 1 {
			return f, Errorf(EINVALID, "query parameter %s is given more than once", name)
		}
		for _, v := range q[name] {
			if !utf8.ValidString(v) || len(v) > 500 {
				return f, Errorf(EINVALID, "%s must be valid text of at most 500 bytes", name)
			}
		}
	}
	get := func(name string) string { return strings.TrimSpace(q.Get(name)) }
	for _, v := range q[ParamStatus] {
		for _, s := range strings.Split(v, ",") {
			s = strings.ToUpper(strings.TrimSpace(s))
			if s == "" {
				continue
			}
			st, err := ParseStatus(s)
			shown := []Status{st}
			if !o.Staff {
				shown = StatusesShownAs(st) // customers never see ESCALATED
			}
			if err != nil || len(shown) == 0 {
				return f, Errorf(EINVALID, "status must be one or more of %s", statusNames(o.Staff))
			}
			for _, st := range shown {
				if !containsStatus(f.Statuses, st) {
					f.Statuses = append(f.Statuses, st)
				}
			}
		}
	}
	var err error
	if f.Unread, err = parseBool(ParamUnread, get(ParamUnread)); err != nil {
		return f, err
	}
	switch v := get(ParamAssignedTo); v {
	case "", "anyone":
	case "me":
		f.AssignedTo = &o.Me
	case "none":
		f.Unassigned = true
	default:
		id, ok := ParseID(v)
		if !ok {
			return f, Errorf(EINVALID, "assigned_to must be me, none, anyone or a staff id")
		}
		f.AssignedTo = &id
	}
	if v := get(ParamCustomerID); v != "" {
		id, ok := ParseID(v)
		if !ok {
			return f, Errorf(EINVALID, "customer_id must be a customer id")
		}
		f.CustomerID = &id
	}
	if v := get(ParamCustomer); v != "" {
		if id, ok := ParseID(v); ok && f.CustomerID == nil { // a bare number is a customer id
			f.CustomerID = &id
		} else if _, err := SearchTerms(v); err != nil {
			return f, Errorf(EINVALID, "customer: type a name or e-mail with a word of at least %d letters", MinSearchWord)
		} else {
			f.Customer = v
		}
	}
	if v := get(ParamOrderNumber); v != "" {
		if len(v) > 64 {
			return f, Errorf(EINVALID, "order_number is at most 64 characters")
		}
		f.OrderNumber = v
	}
	if f.HasOrder, err = parseBool(ParamHasOrder, get(ParamHasOrder)); err != nil {
		return f, err
	}
	for _, d := range []struct {
		name string
		to   bool
		dst  *time.Time
	}{{ParamCreatedFrom, false, &f.CreatedFrom}, {ParamCreatedTo, true, &f.CreatedTo},
		{ParamActivityFrom, false, &f.ActivityFrom}, {ParamActivityTo, true, &f.ActivityTo}} {
		if *d.dst, err = parseDate(d.name, get(d.name), d.to); err != nil {
			return f, err
		}
	}
	if !f.CreatedFrom.IsZero() && !f.CreatedTo.IsZero() && !f.CreatedFrom.Before(f.CreatedTo) {
		return f, Errorf(EINVALID, "created_from must come before created_to")
	}
	if !f.ActivityFrom.IsZero() && !f.ActivityTo.IsZero() && !f.ActivityFrom.Before(f.ActivityTo) {
		return f, Errorf(EINVALID, "activity_from must come before activity_to")
	}
	if v := get(ParamQuery); v != "" {
		if _, err := SearchTerms(v); err != nil {
			return f, err
		}
		f.Query = v
	}
	if v := get(ParamLimit); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > o.MaxLimit {
			return f, Errorf(EINVALID, "limit must be an integer from 1 to %d", o.MaxLimit)
		}
		f.Limit = n
	}
	for _, c := range []struct {
		name string
		dst  *string
	}{{ParamCursor, &f.Cursor}, {ParamBefore, &f.Before}} {
		if v := get(c.name); v != "" {
			if _, _, err := DecodeCursor(v); err != nil {
				return f, Errorf(EINVALID, "%s is not one this list gave out", c.name)
			}
			*c.dst = v
		}
	}
	if f.Cursor != "" && f.Before != "" {
		return f, Errorf(EINVALID, "give cursor or before, not both")
	}
	return f, nil
}

func parseBool(name, v string) (*bool, error) {
	switch v {
	case "":
		return nil, nil
	case "true":
		return new(true), nil
	case "false":
		return new(false), nil
	}
	return nil, Errorf(EINVALID, "%s must be true or false", name)
}

// parseDate reads a day (UTC; an end day counts whole) or an instant.
func parseDate(name, v string, end bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil && d.Year() >= 1970 && d.Year() < 9999 {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	if t, err := time.Parse(time.DateTime, v); err == nil && t.Year() >= 1970 && t.Year() < 9999 {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil && t.Year() >= 1970 && t.Year() < 9999 {
		return t.UTC(), nil
	}
	return time.Time{}, Errorf(EINVALID, "%s must be a date like 2026-12-31", name)
}

func containsStatus(list []Status, s Status) bool {
	for _, have := range list {
		if have == s {
			return true
		}
	}
	return false
}

func statusNames(staff bool) string {
	list := Statuses
	if !staff {
		list = PublicStatuses()
	}
	names := make([]string, len(list))
	for i, s := range list {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
