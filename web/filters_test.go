package web

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

func TestParseFilter(t *testing.T) {
	for _, tc := range []struct {
		query string
		staff bool
		ok    bool
		check func(f models.ConversationFilter) bool
	}{
		{"", true, true, func(f models.ConversationFilter) bool { return f.Limit == inbox.DefaultPageSize }},
		{"status=open,Closed", true, true, func(f models.ConversationFilter) bool { return len(f.Statuses) == 2 }},
		{"status=OPEN&status=OPEN", true, true, func(f models.ConversationFilter) bool { return len(f.Statuses) == 1 }},
		{"status=AWAITING_ADMIN", false, true, func(f models.ConversationFilter) bool { return len(f.Statuses) == 2 }},
		{"status=ESCALATED", false, false, nil},
		{"assigned_to=me", true, true, func(f models.ConversationFilter) bool { return *f.AssignedTo == 7 }},
		{"assigned_to=none", true, true, func(f models.ConversationFilter) bool { return f.Unassigned }},
		{"assigned_to=12", true, true, func(f models.ConversationFilter) bool { return *f.AssignedTo == 12 }},
		{"assigned_to=", true, false, nil},
		{"unread=true", false, true, func(f models.ConversationFilter) bool { return *f.Unread }},
		{"unread=false", true, true, func(f models.ConversationFilter) bool { return !*f.Unread }},
		{"unread=1", true, false, nil},
		{"customer_id=3", true, true, func(f models.ConversationFilter) bool { return *f.CustomerID == 3 }},
		{"customer_id=3", false, false, nil},
		{"limit=100", true, true, func(f models.ConversationFilter) bool { return f.Limit == 100 }},
		{"limit=101", true, false, nil},
		{"limit=1.5", true, false, nil},
		{"cursor=" + models.EncodeCursor(timeZero(), 4), true, true, nil},
		{"cursor=abc", true, false, nil},
		{"a=%zz", true, false, nil},
		{"x=1", true, false, nil},
	} {
		f, err := parseFilter(tc.query, tc.staff, 7)
		if (err == nil) != tc.ok {
			t.Errorf("%q (staff %v): err %v, want ok %v", tc.query, tc.staff, err, tc.ok)
			continue
		}
		if err != nil && models.ErrorCode(err) != models.EINVALID {
			t.Errorf("%q: code %s", tc.query, models.ErrorCode(err))
		}
		if tc.check != nil && err == nil && !tc.check(f) {
			t.Errorf("%q: %+v", tc.query, f)
		}
	}
}

// FuzzFilters: any query string either parses into a filter the store can
// run safely or is refused as invalid; never a panic, never another code.
func FuzzFilters(f *testing.F) {
	for _, s := range []string{"", "status=OPEN,CLOSED", "assigned_to=me&unread=true&limit=5", "assigned_to=none",
		"customer_id=9&cursor=MTcwMDAwMDAwMDAwMDAwMC4z", "limit=101", "status=%00", "a=%zz", "status=escalated&status=open"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, query string, staff bool) {
		flt, err := parseFilter(query, staff, 42)
		if err != nil {
			if models.ErrorCode(err) != models.EINVALID {
				t.Fatalf("%q: %v is not invalid", query, err)
			}
			return
		}
		if flt.Limit < 1 || flt.Limit > inbox.MaxPageSize {
			t.Fatalf("%q: limit %d", query, flt.Limit)
		}
		for _, s := range flt.Statuses {
			if _, err := models.ParseStatus(string(s)); err != nil {
				t.Fatalf("%q: status %q", query, s)
			}
		}
		if !staff && (flt.AssignedTo != nil || flt.Unassigned || flt.CustomerID != nil) {
			t.Fatalf("%q: customer filter reaches staff fields: %+v", query, flt)
		}
		if flt.AssignedTo != nil && *flt.AssignedTo <= 0 || flt.CustomerID != nil && *flt.CustomerID <= 0 {
			t.Fatalf("%q: non-positive id: %+v", query, flt)
		}
		if flt.Cursor != "" {
			if _, _, err := models.DecodeCursor(flt.Cursor); err != nil {
				t.Fatalf("%q: cursor %q passed", query, flt.Cursor)
			}
		}
	})
}

func timeZero() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

// TestParseFilterIssue6: the list filters of issue 6 in the staff API.
func TestParseFilterIssue6(t *testing.T) {
	for _, tc := range []struct {
		query string
		staff bool
		ok    bool
		check func(f models.ConversationFilter) bool
	}{
		{"customer=Anne%20Dupr%C3%A9", true, true, func(f models.ConversationFilter) bool { return f.Customer == "Anne Dupré" }},
		{"customer=ab", true, false, nil},
		{"customer=anne", false, false, nil},
		{"order_number=PO-1", true, true, func(f models.ConversationFilter) bool { return f.OrderNumber == "PO-1" }},
		{"has_order=true", true, true, func(f models.ConversationFilter) bool { return *f.HasOrder }},
		{"has_order=yes", true, false, nil},
		{"created_from=2026-01-01&created_to=2026-01-31", true, true, func(f models.ConversationFilter) bool {
			return f.CreatedTo.Equal(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
		}},
		{"created_from=2026-02-01&created_to=2026-01-01", true, false, nil},
		{"activity_from=2026-01-01T10:00:00Z", true, true, func(f models.ConversationFilter) bool { return f.ActivityFrom.Hour() == 10 }},
		{"activity_to=yesterday", true, false, nil},
		{"q=refund%20late", true, true, func(f models.ConversationFilter) bool { return f.Query == "refund late" }},
		{"q=a%20b", true, false, nil},
		{"q=refund", false, false, nil},
		{"assigned_to=anyone", true, true, func(f models.ConversationFilter) bool { return f.AssignedTo == nil && !f.Unassigned }},
		{"before=" + models.EncodeCursor(timeZero(), 4), true, true, func(f models.ConversationFilter) bool { return f.Before != "" }},
		{"before=" + models.EncodeCursor(timeZero(), 4) + "&cursor=" + models.EncodeCursor(timeZero(), 4), true, false, nil},
	} {
		f, err := parseFilter(tc.query, tc.staff, 7)
		if (err == nil) != tc.ok {
			t.Errorf("%q (staff %v): err %v, want ok %v", tc.query, tc.staff, err, tc.ok)
			continue
		}
		if err != nil && models.ErrorCode(err) != models.EINVALID {
			t.Errorf("%q: code %s", tc.query, models.ErrorCode(err))
		}
		if tc.check != nil && err == nil && !tc.check(f) {
			t.Errorf("%q: %+v", tc.query, f)
		}
	}
}
