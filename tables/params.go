package tables

import (
	"strconv"
	"strings"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// ConversationTable is the GoAdmin prefix of the conversation list.
const ConversationTable = "conversation"

// Page sizes the conversation list offers; any other request is clamped.
const (
	DefaultPageSize = 25
	maxPage         = 100000
)

var pageSizes = [...]int{10, 25, 50, 100}

// PageSizes lists the page sizes the list offers.
func PageSizes() []int { return pageSizes[:] }

// ClampPageSize maps a requested page size onto the offered ones: the
// largest offered size not above n, at least the smallest; 0 or less gives
// the default.
func ClampPageSize(n int) int {
	if n <= 0 {
		return DefaultPageSize
	}
	out := pageSizes[0]
	for _, s := range pageSizes {
		if s <= n {
			out = s
		}
	}
	return out
}

// ClampPage bounds a page number to 1..100000.
func ClampPage(n int) int { return min(max(n, 1), maxPage) }

// sortFields maps the list's sortable fields (GoAdmin's __sort) to
// models.ConversationSorts keys.
var sortFields = map[string]string{
	"id": "id", "subject": "subject", "customer": "customer_name", "status": "status",
	"last_message_at": "last_message_at", "created_at": "created_at",
}

// SortKey maps a __sort value to a models.ConversationSorts key.
func SortKey(field string) (string, bool) {
	k, ok := sortFields[field]
	if _, known := models.ConversationSorts[k]; !known {
		return "", false
	}
	return k, ok
}

// IsSortType reports whether t is an accepted __sort_type.
func IsSortType(t string) bool { return t == "" || t == "asc" || t == "desc" }

// Filter keys of the conversation list and their values.
const (
	FilterStatus   = "status"
	FilterAssigned = "assigned_to"
	FilterUnread   = "unread"
	FilterCustomer = "customer"
)

// listFilter builds the store filter from the list's filter values;
// unknown values are ignored (the guard rejects them earlier).
func listFilter(get func(string) string, me int64) models.ConversationFilter {
	var f models.ConversationFilter
	if s, err := models.ParseStatus(get(FilterStatus)); err == nil {
		f.Statuses = []models.Status{s}
	}
	switch get(FilterAssigned) {
	case "me":
		f.AssignedTo = &me
	case "none":
		f.Unassigned = true
	}
	switch get(FilterUnread) {
	case "yes":
		t := true
		f.Unread = &t
	case "no":
		b := false
		f.Unread = &b
	}
	if id, err := strconv.ParseInt(strings.TrimSpace(get(FilterCustomer)), 10, 64); err == nil && id > 0 {
		f.CustomerID = &id
	}
	return f
}

// ValidFilterValue reports whether v is acceptable for filter key k.
func ValidFilterValue(k, v string) bool {
	switch k {
	case FilterStatus:
		_, err := models.ParseStatus(v)
		return v == "" || err == nil
	case FilterAssigned:
		return v == "" || v == "me" || v == "none" || v == "anyone"
	case FilterUnread:
		return v == "" || v == "yes" || v == "no"
	case FilterCustomer:
		if strings.TrimSpace(v) == "" {
			return true
		}
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return err == nil && id > 0
	}
	return false
}

// ParseIDs reads GoAdmin's selection ("1,2,3,": empty parts skipped) into
// distinct plain-decimal ids (models.ParseID), for the admin guard and the
// actions behind it alike. The count is capped at inbox.MaxBulk before any id is
// parsed, so a huge list costs nothing.
func ParseIDs(raw string) ([]int64, error) {
	if n := strings.Count(raw, ",") + 1; n > inbox.MaxBulk {
		nonEmpty := 0
		for _, part := range strings.Split(raw, ",") {
			if part != "" {
				nonEmpty++
			}
		}
		if nonEmpty > inbox.MaxBulk {
			return nil, models.Errorf(models.EINVALID, "at most %d conversations at once; %d given", inbox.MaxBulk, nonEmpty)
		}
	}
	var ids []int64
	seen := map[int64]bool{}
	for _, part := range strings.Split(raw, ",") {
		if part == "" {
			continue
		}
		id, ok := models.ParseID(part)
		if !ok {
			return nil, models.Errorf(models.EINVALID, "invalid conversation id %q", part[:min(len(part), 20)])
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, models.Errorf(models.EINVALID, "no conversation selected")
	}
	return ids, nil
}
