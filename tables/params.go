package tables

import (
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

// sortFields are the __sort values the guard lets through. The list is
// always in activity order (a keyset walk along an index); __sort_type=asc
// reverses it when the sort field is last_message_at, any other accepted
// field keeps the default order.
var sortFields = map[string]bool{
	"id": true, "subject": true, "customer": true, "status": true, "last_message_at": true, "created_at": true,
}

// SortKey reports whether field is an accepted __sort value.
func SortKey(field string) (string, bool) {
	if !sortFields[field] {
		return "", false
	}
	return field, true
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
