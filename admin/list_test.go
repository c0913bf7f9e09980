package admin_test

import (
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/parleyhq/parley/models"
)

// TestListLayout: the list page Parley lays out keeps what GoAdmin's data
// table offered — the sort link that turns the order around, the page-size
// menu that keeps the filter, the column chooser that hides a column, the
// row checkboxes and "Take it" on unassigned rows only — and none of
// GoAdmin's own list chrome (its numbered paginator, "query time").
func TestListLayout(t *testing.T) {
	admin := newStaff(t, "chat_admin")
	agent := newStaff(t, "agent")
	free := newConversation(t, "list layout free", "hello")
	taken := newConversation(t, "list layout taken", "hello")
	if _, err := env.svc.Assign(context.Background(), actorOf(admin), taken.ID, &agent.ID); err != nil {
		t.Fatal(err)
	}
	cl := login(t, admin)

	res := cl.get("/admin/info/conversation?q=layout&__sort=last_message_at&__sort_type=asc")
	doc := res.doc(t)
	ids := listIDs(t, res)
	if !ids[free.ID] || !ids[taken.ID] || len(ids) != 2 {
		t.Fatalf("rows %v, want %d and %d", ids, free.ID, taken.ID)
	}
	sort := doc.Find("a#sort-last_message_at")
	if cls, _ := sort.Attr("class"); !strings.Contains(cls, "fa-sort-amount-asc") {
		t.Errorf("sort icon %q, want ascending", cls)
	}
	if href, _ := sort.Attr("href"); !strings.Contains(href, "__sort_type=desc") || !strings.Contains(href, "q=layout") {
		t.Errorf("sort link %q: want the other order with the filter", href)
	}
	sizes := doc.Find("select.grid-per-pager option")
	if sizes.Length() != 4 || strings.TrimSpace(sizes.Filter("[selected]").Text()) != "25" {
		t.Errorf("page sizes: %d options, selected %q", sizes.Length(), sizes.Filter("[selected]").Text())
	}
	sizes.Each(func(_ int, s *goquery.Selection) {
		if v, _ := s.Attr("value"); !strings.Contains(v, "q=layout") || strings.Contains(v, models.ParamCursor+"=") {
			t.Errorf("page-size link %q: want the filter, no cursor", v)
		}
	})
	for _, id := range []int64{free.ID, taken.ID} {
		row := doc.Find("input.grid-row-checkbox[data-id='" + itoa(id) + "']").Closest("tr")
		if row.Length() != 1 {
			t.Fatalf("no checkbox row for %d", id)
		}
		if got, want := row.Find("button.conv-take").Length(), map[bool]int{true: 1, false: 0}[id == free.ID]; got != want {
			t.Errorf("conversation %d: %d take buttons, want %d", id, got, want)
		}
	}
	if doc.Find("ul.pagination").Length() != 0 || strings.Contains(res.body, "query time") {
		t.Error("GoAdmin's paginator is on the page")
	}
	if doc.Find(".filter-area form[action='/admin/info/conversation'] input[name='q']").Length() != 1 {
		t.Error("the filter form is missing")
	}

	// The column chooser: only the chosen columns are shown.
	doc = cl.get("/admin/info/conversation?q=layout&__columns=id,subject").doc(t)
	var heads []string
	doc.Find("table.table tr").First().Find("th").Each(func(_ int, s *goquery.Selection) {
		heads = append(heads, strings.TrimSpace(s.Text()))
	})
	if got := strings.Join(heads, "|"); got != "|ID|Subject|Operation" {
		t.Errorf("headings with __columns=id,subject: %q", got)
	}
	if n := doc.Find("tr").Eq(1).Find("td").Length(); n != 4 {
		t.Errorf("a row has %d cells, want 4 (checkbox, id, subject, action)", n)
	}
}
