package web

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// filterParams lists the query parameters each side's list accepts.
var (
	staffFilterParams    = map[string]bool{"status": true, "assigned_to": true, "unread": true, "customer_id": true, "limit": true, "cursor": true}
	customerFilterParams = map[string]bool{"status": true, "unread": true, "limit": true, "cursor": true}
)

// parseFilter reads a list's raw query string. me is the staff caller's id
// (assigned_to=me); customer lists (staff false) accept only status,
// unread, limit and cursor, and never see ESCALATED (models.Conversation.PublicStatus).
// Every bad value is an invalid error naming the parameter.
func parseFilter(rawQuery string, staff bool, me int64) (models.ConversationFilter, error) {
	var f models.ConversationFilter
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return f, errf("query string is malformed")
	}
	allowed := customerFilterParams
	if staff {
		allowed = staffFilterParams
	}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !allowed[name] {
			return f, errf("unknown query parameter %s", strconv.Quote(truncate(name, 40)))
		}
		if name != "status" && len(q[name]) > 1 {
			return f, errf("query parameter %s is given more than once", name)
		}
	}
	for _, v := range q["status"] {
		for _, s := range strings.Split(v, ",") {
			st, err := models.ParseStatus(strings.ToUpper(strings.TrimSpace(s)))
			shown := []models.Status{st}
			if !staff {
				shown = models.StatusesShownAs(st) // customers never see ESCALATED
			}
			if err != nil || len(shown) == 0 {
				return f, errf("status must be a comma-separated list of %s", statusNames(staff))
			}
			for _, st := range shown {
				f.Statuses = appendStatus(f.Statuses, st)
			}
		}
	}
	if v := q.Get("assigned_to"); q.Has("assigned_to") {
		switch v {
		case "me":
			f.AssignedTo = &me
		case "none":
			f.Unassigned = true
		default:
			id, err := positiveID(v)
			if err != nil {
				return f, errf("assigned_to must be a staff id, me or none")
			}
			f.AssignedTo = &id
		}
	}
	if q.Has("unread") {
		switch q.Get("unread") {
		case "true":
			f.Unread = new(true)
		case "false":
			f.Unread = new(false)
		default:
			return f, errf("unread must be true or false")
		}
	}
	if q.Has("customer_id") {
		id, err := positiveID(q.Get("customer_id"))
		if err != nil {
			return f, errf("customer_id must be a customer id")
		}
		f.CustomerID = &id
	}
	f.Limit = inbox.DefaultPageSize
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > inbox.MaxPageSize {
			return f, errf("limit must be an integer from 1 to %d", inbox.MaxPageSize)
		}
		f.Limit = n
	}
	if q.Has("cursor") {
		f.Cursor = q.Get("cursor")
		if _, _, err := models.DecodeCursor(f.Cursor); err != nil {
			return f, errf("cursor is not one this API gave out")
		}
	}
	return f, nil
}

func appendStatus(list []models.Status, s models.Status) []models.Status {
	for _, have := range list {
		if have == s {
			return list
		}
	}
	return append(list, s)
}

func statusNames(staff bool) string {
	list := models.Statuses
	if !staff {
		list = models.PublicStatuses()
	}
	var names []string
	for _, s := range list {
		names = append(names, string(s))
	}
	return strings.Join(names, ", ")
}

func positiveID(s string) (int64, error) {
	id, ok := models.ParseID(s)
	if !ok {
		return 0, errf("not an id")
	}
	return id, nil
}
