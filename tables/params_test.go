package tables

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/parleyhq/parley/models"
)

func TestClampPageSize(t *testing.T) {
	for in, want := range map[int]int{0: 25, -3: 25, 1: 10, 10: 10, 24: 10, 25: 25, 30: 25, 50: 50, 99: 50, 100: 100, 100000: 100} {
		if got := ClampPageSize(in); got != want {
			t.Errorf("ClampPageSize(%d) = %d, want %d", in, got, want)
		}
	}
	if ClampPage(-1) != 1 || ClampPage(1e9) != maxPage {
		t.Error("ClampPage")
	}
}

func TestSortKey(t *testing.T) {
	for _, ok := range []string{"id", "subject", "customer", "status", "last_message_at"} {
		if _, got := SortKey(ok); !got {
			t.Errorf("%s refused", ok)
		}
	}
	for _, bad := range []string{"", "password", "x`y", "id desc", "customer_email"} {
		if _, got := SortKey(bad); got {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, bad := range []string{"asc,(select 1)", "DESC", "asc "} {
		if IsSortType(bad) {
			t.Errorf("sort type %q accepted", bad)
		}
	}
}

func TestParseIDsAndFilters(t *testing.T) {
	if ids, err := ParseIDs("1,2,,3,"); err != nil || len(ids) != 3 {
		t.Errorf("%v %v", ids, err)
	}
	for _, bad := range []string{"", ",", "1,x", "-1", "0"} {
		if _, err := ParseIDs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	q := listQuery(url.Values{"status[]": {"OPEN", "CLOSED"}, "__page": {"2"}, "_pjax": {"#pjax-container"},
		"created_at_start__goadmin": {"2026-01-01"}, "created_at_end__goadmin": {"2026-01-31"}, "customer": {" "}, "q": {" refund "}})
	want := url.Values{"status": {"OPEN", "CLOSED"}, "created_from": {"2026-01-01"}, "created_to": {"2026-01-31"}, "q": {"refund"}}
	if fmt.Sprint(q) != fmt.Sprint(want) {
		t.Errorf("listQuery = %v; want %v", q, want)
	}
}

// Ids are plain decimals, deduplicated (the guard and the actions share this).
func TestParseIDs(t *testing.T) {
	for in, want := range map[string]string{"1,2,,": "[1 2]", "3,3,3": "[3]", ",5": "[5]"} {
		if got, err := ParseIDs(in); err != nil || fmt.Sprint(got) != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for _, in := range []string{"", ",", "+1", "0001", "0", "1,x", " 1", "1 ", "٣"} {
		if _, err := ParseIDs(in); models.ErrorCode(err) != models.EINVALID {
			t.Errorf("%q accepted: %v", in, err)
		}
	}
}
