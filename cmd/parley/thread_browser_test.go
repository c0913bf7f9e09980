package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// flowThread (issue 6): chatadmin opens a thread and lands at its newest
// message with the reply box in view, inserts a quick reply (its
// variables filled), sends it and stays on the thread seeing "Awaiting
// customer"; then assigns another thread to agent1. XSS payloads in a
// customer note and a quick reply render as text.
func flowThread(t *testing.T, s *site, ctx context.Context) {
	bg := context.Background()
	chat := s.staff["chatadmin"]
	const xss = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`
	cu := s.customer(t)
	conv := s.start(t, cu, "Where is my parcel?", "Ordered a week ago.")
	for i := 1; i <= 12; i++ {
		if _, _, err := s.svc.Send(bg, chat, conv.ID, "note", fmt.Sprintf("checking with the warehouse, step %d\n\n\n", i)); err != nil {
			t.Fatal(err)
		}
	}
	qr, err := s.svc.CreateQuickReply(bg, chat, "Shipping "+xss, "Hello {customer.name}, your parcel is on its way. — {agent.name}")
	if err != nil {
		t.Fatal(err)
	}
	defer s.svc.DeleteQuickReply(bg, chat, qr.ID)
	if _, err := s.svc.SaveCustomerNote(bg, chat, cu.ID, "Prefers e-mail "+xss); err != nil {
		t.Fatal(err)
	}
	want := "Hello Browser Customer, your parcel is on its way. — chatadmin"
	var atBottom, boxInView bool
	var inserted, note, qrTitle, status, path string
	var xssRan bool
	err = browse(ctx,
		s.signIn("chatadmin"),
		chromedp.Navigate(s.base+fmt.Sprintf("/admin/info/conversation/edit?__goadmin_edit_pk=%d", conv.ID)),
		chromedp.WaitVisible(`textarea[name="reply_body"]`, chromedp.ByQuery),
		chromedp.Evaluate(`(function(){var h=document.querySelector('.conv-history');return h.scrollTop + h.clientHeight >= h.scrollHeight - 2;})()`, &atBottom),
		chromedp.Evaluate(`(function(){var r=document.querySelector('textarea[name="reply_body"]').getBoundingClientRect();return r.top >= 0 && r.top < window.innerHeight;})()`, &boxInView),
		chromedp.Evaluate(`document.querySelector('.customer-note').value`, &note),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector('.quick-reply-select option[value="%d"]').textContent`, qr.ID), &qrTitle),
		// Pick the quick reply as a user does: choose the option, which fires change.
		chromedp.Evaluate(fmt.Sprintf(`(function(){var s=document.querySelector('.quick-reply-select');s.focus();s.value='%d';s.dispatchEvent(new Event('change'));return true;})()`, qr.ID), nil),
		chromedp.Value(`textarea[name="reply_body"]`, &inserted, chromedp.ByQuery),
		screenshots("thread-quick-reply"),
		chromedp.Click(`form button.submit`, chromedp.ByQuery),
		waitJS(`(document.querySelector('.thread-status') || {}).innerText === 'Awaiting customer'`),
		waitJS(`Array.from(document.querySelectorAll('.conv-history .conv-body')).some(e => e.innerText === `+js(want)+`)`),
		chromedp.Text(`.thread-status`, &status, chromedp.ByQuery),
		chromedp.Evaluate(`location.pathname + location.search`, &path),
		chromedp.Evaluate(`window.__xss !== undefined`, &xssRan),
	)
	if err != nil {
		t.Fatalf("thread, quick reply, send: %v", err)
	}
	if !atBottom || !boxInView {
		t.Errorf("opened at the newest message: %v, reply box in view: %v", atBottom, boxInView)
	}
	if inserted != want {
		t.Errorf("quick reply inserted %q, want %q", inserted, want)
	}
	if note != "Prefers e-mail "+xss || qrTitle != "Shipping "+xss || xssRan {
		t.Errorf("payloads: note %q, quick reply %q, script ran %v", note, qrTitle, xssRan)
	}
	if !strings.Contains(path, fmt.Sprintf("__goadmin_edit_pk=%d", conv.ID)) || s.count(t, conv.ID, "reply", want) != 1 {
		t.Errorf("after sending at %s with %d copies", path, s.count(t, conv.ID, "reply", want))
	}
	if got := s.conv(t, conv.ID).Status; got != "AWAITING_USER" {
		t.Errorf("status %s", got)
	}

	// Assign another thread to agent1 from its page.
	other := s.start(t, s.customer(t), "Assign me", "Please help.")
	agent1 := s.staff["agent1"]
	var assignee string
	err = browse(ctx,
		chromedp.Navigate(s.base+fmt.Sprintf("/admin/info/conversation/edit?__goadmin_edit_pk=%d", other.ID)),
		chromedp.WaitVisible(`.act-assign-to`, chromedp.ByQuery),
		chromedp.Evaluate(fmt.Sprintf(`(function(){var s=document.querySelector('.act-assign-to');s.value='%d';s.dispatchEvent(new Event('change'));return s.value;})()`, agent1.ID), nil),
		chromedp.Click(`.act-assign`, chromedp.ByQuery),
		waitJS(`(document.querySelector('.thread-assignee') || {}).innerText === 'agent1'`),
		chromedp.Text(`.thread-assignee`, &assignee, chromedp.ByQuery),
		screenshots("thread-assigned"),
	)
	if err != nil {
		t.Fatalf("assign: %v", err)
	}
	if got := s.conv(t, other.ID).AssignedTo; got == nil || *got != agent1.ID {
		t.Errorf("assigned to %v, want agent1 (%d)", got, agent1.ID)
	}
}
