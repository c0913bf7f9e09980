package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/models"
)

// flowListSearch (issue 6): chatadmin filters the inbox to AWAITING_ADMIN +
// unread, searches a word that appears only in a message body and opens
// the one thread that matches; bulk-closes three threads; tries to delete
// a mix of CLOSED and OPEN, reads the refusal naming the open one after
// confirming, then deletes the closed ones. A customer name with markup and
// a filter with markup render as text.
func flowListSearch(t *testing.T, s *site, ctx context.Context) {
	admin := s.staff["chatadmin"]
	word := fmt.Sprintf("zanzibarquill%d", time.Now().UnixNano()%1e6)
	const xssName = `<img src=x onerror="window.__xss=1">Mallory`
	cu, err := s.acc.CreateCustomer(context.Background(), fmt.Sprintf("xss%d@example.com", time.Now().UnixNano()), xssName, "")
	if err != nil {
		t.Fatal(err)
	}
	cust := models.Actor{Kind: models.ActorCustomer, ID: cu.ID, Role: models.RoleCustomer, Name: cu.Email, IP: "198.51.100.8"}
	target := s.start(t, cust, "Lost voucher", "My voucher code "+word+" was refused at checkout.")
	open := s.start(t, cust, "Another voucher", "Same trouble: "+word+" again.") // stays OPEN
	other := s.start(t, cust, "Gift wrap", "Can you wrap it?")
	for _, id := range []int64{target.ID, other.ID} {
		if _, err := s.svc.ChangeStatus(context.Background(), admin, id, models.StatusAwaitingAdmin, ""); err != nil {
			t.Fatal(err)
		}
	}
	if s.conv(t, target.ID).IsReadByAdmin {
		t.Fatal("the target thread should start unread")
	}
	rowIDs := `Array.from(document.querySelectorAll('input.grid-row-checkbox')).map(e => e.getAttribute('data-id')).join(',')`
	var shown, xss string
	err = browse(ctx,
		s.signIn("chatadmin"),
		chromedp.Click(`#filter-btn`, chromedp.ByQuery),
		choose(`.filter-area select[name="status[]"]`, models.StatusAwaitingAdmin.Label()),
		choose(`.filter-area select[name="unread"]`, "Unread"),
		chromedp.SendKeys(`.filter-area input[name="q"]`, word, chromedp.ByQuery),
		pjax(chromedp.Click(`.filter-area button.submit`, chromedp.ByQuery)),
		waitJS(`location.search.includes('q=`+word+`') && `+rowIDs+` === `+js(fmt.Sprint(target.ID))),
		chromedp.Evaluate(`document.querySelector('.conv-customer').innerText`, &shown),
		chromedp.Evaluate(`String(window.__xss)`, &xss),
		screenshots("inbox-search"),
		chromedp.Click(fmt.Sprintf(`a.conv-subject[href$="__goadmin_edit_pk=%d"]`, target.ID), chromedp.ByQuery),
		chromedp.WaitVisible(fmt.Sprintf(`.conv-history[data-id="%d"]`, target.ID), chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("filter and search: %v", err)
	}
	if shown != xssName || xss != "undefined" {
		t.Errorf("customer name shown as %q (markup ran: %s)", shown, xss)
	}

	// Wrong input: a message in the page, markup shown as text.
	var msg string
	err = browse(ctx,
		chromedp.Navigate(s.base+`/admin/info/conversation?created_at_start__goadmin=`+`%3Cb%3Enot-a-date`),
		chromedp.WaitVisible(`.conv-filter-error`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('.conv-filter-error').innerText`, &msg),
		chromedp.Evaluate(`String(window.__xss)`, &xss),
	)
	if err != nil || !strings.Contains(msg, "created_from must be a date") || xss != "undefined" {
		t.Errorf("bad date: %v, message %q, xss %s", err, msg, xss)
	}

	// Bulk close of three threads.
	cu2 := s.customer(t)
	var three []models.Conversation
	for i := range 3 {
		three = append(three, s.start(t, cu2, fmt.Sprintf("Bulk close %d", i), "Please close me."))
	}
	stays := s.start(t, cu2, "Keep me open", "Not done yet.")
	var title string
	err = browse(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/admin/info/conversation?customer=%d", s.base, cu2.ID)),
		waitJS(`document.querySelectorAll('input.grid-row-checkbox').length === 4`),
		selectRow(three[0].ID), selectRow(three[1].ID), selectRow(three[2].ID),
		listButton("Close"),
		waitAlert("Closed conversations", &title),
		dismissAlert(),
		listShows("Closed", "Closed", "Closed", "Open"),
	)
	if err != nil {
		t.Fatalf("bulk close: %v (dialog %q)", err, title)
	}
	for _, c := range three {
		if got := s.conv(t, c.ID).Status; got != models.StatusClosed {
			t.Errorf("conversation %d is %s after Close", c.ID, got)
		}
	}

	// Delete a mix: confirmed, then refused naming the open one.
	err = browse(ctx,
		selectRow(three[0].ID), selectRow(stays.ID),
		listButton("Delete"),
		waitAlert("Delete the selected conversations", &title),
		chromedp.Click(`.sweet-alert.visible button.confirm`, chromedp.ByQuery),
		waitAlert("not closed", &title),
		dismissAlert(),
	)
	if err != nil {
		t.Fatalf("mixed delete: %v (dialog %q)", err, title)
	}
	if !strings.Contains(title, fmt.Sprint(stays.ID)) {
		t.Errorf("the refusal does not name conversation %d: %q", stays.ID, title)
	}
	if _, err := s.st.Conversation(context.Background(), three[0].ID); err != nil {
		t.Errorf("a refused delete removed conversation %d: %v", three[0].ID, err)
	}
	// The closed ones alone: confirmed and gone.
	err = browse(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/admin/info/conversation?customer=%d", s.base, cu2.ID)),
		waitJS(`document.querySelectorAll('input.grid-row-checkbox').length === 4`),
		selectRow(three[0].ID), selectRow(three[1].ID), selectRow(three[2].ID),
		listButton("Delete"),
		waitAlert("Delete the selected conversations", &title),
		chromedp.Click(`.sweet-alert.visible button.confirm`, chromedp.ByQuery),
		waitAlert("Deleted", &title),
		dismissAlert(),
		waitJS(`document.querySelectorAll('input.grid-row-checkbox').length === 1`),
	)
	if err != nil {
		t.Fatalf("delete closed: %v (dialog %q)", err, title)
	}
	for _, c := range three {
		if _, err := s.st.Conversation(context.Background(), c.ID); models.ErrorCode(err) != models.ENOTFOUND {
			t.Errorf("conversation %d after Delete: %v", c.ID, err)
		}
	}
	_ = open
}
