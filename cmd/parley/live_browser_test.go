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

// waitLive waits up to 10 s for a change that must arrive without a reload
// (the bound; the latency itself is bench/live's figure).
func waitLive(expr string) chromedp.Action {
	var ok bool
	return chromedp.Poll(expr, &ok, chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))
}

// waitNavigated waits up to 30 s for expr on the page a form post leads
// to, evaluating again when the page is replaced midway.
func waitNavigated(expr string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		deadline := time.Now().Add(30 * time.Second)
		for {
			var ok bool
			err := chromedp.Evaluate(expr, &ok).Do(ctx)
			if err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("waiting for %s: %v", expr, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

// marker survives a reload check: a page that reloads loses it.
const (
	setMarker  = `window.__noReload = 1`
	noReload   = `window.__noReload === 1`
	liveXSS    = `<img src=x onerror="window.__xss=1">`
	xssRan     = `window.__xss !== undefined`
	timelineJS = `document.querySelector('#timeline').innerText`
)

// flowLive (issue 9), with three people in three browser contexts: alice
// on the customer page, chatadmin and agent1 in the back office.
//   - alice starts a conversation: chatadmin's list shows it and a pop-up
//     names it, without a reload;
//   - chatadmin opens it; alice writes again: the open thread shows it;
//   - chatadmin replies: alice's page shows the reply, and "Seen";
//   - agent1 opens the same thread: each sees the other viewing, and
//     chatadmin sees agent1 typing;
//   - chatadmin answers while agent1 writes: agent1's send is stopped with
//     a warning naming chatadmin and nothing is sent; the draft is kept,
//     and one more click sends it.
func flowLive(t *testing.T, s *site, root context.Context) {
	alice, chat, agent := tab(t, root), tab(t, root), tab(t, root)
	subject := fmt.Sprintf("Live parcel %d %s", time.Now().UnixNano(), liveXSS)

	if err := browse(chat, s.signIn("chatadmin"),
		chromedp.Navigate(s.base+"/admin/info/conversation"),
		chromedp.WaitVisible(`.conv-list`, chromedp.ByQuery),
		chromedp.Evaluate(setMarker, nil),
	); err != nil {
		t.Fatalf("chatadmin opens the list: %v", err)
	}
	if err := browse(agent, s.signIn("agent1")); err != nil {
		t.Fatalf("agent1 signs in: %v", err)
	}
	var threadURL string
	err := browse(alice,
		chromedp.Navigate(s.base+"/dashboard/messages"),
		chromedp.WaitVisible(`#email`, chromedp.ByQuery),
		chromedp.SendKeys(`#email`, "alice@example.com", chromedp.ByQuery),
		chromedp.SendKeys(`#password`, "demo-pass-123", chromedp.ByQuery),
		chromedp.Click(`form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#new-title`, chromedp.ByQuery),
		chromedp.SendKeys(`#subject`, subject, chromedp.ByQuery),
		chromedp.SendKeys(`#body`, "Where is my parcel?", chromedp.ByQuery),
		chromedp.Click(`#new-form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#thread-title`, chromedp.ByQuery),
		chromedp.Location(&threadURL),
	)
	if err != nil {
		t.Fatalf("alice starts a conversation: %v", err)
	}
	id, _ := models.ParseID(threadURL[strings.LastIndex(threadURL, "/")+1:])
	if id == 0 {
		t.Fatalf("thread URL %s", threadURL)
	}
	row := fmt.Sprintf(`a.conv-subject[href*="__goadmin_edit_pk=%d"]`, id)
	var listed, toast string
	err = browse(chat,
		waitLive(`!!document.querySelector(`+js(row)+`)`),
		chromedp.Text(row, &listed, chromedp.ByQuery),
		waitLive(`!!document.querySelector('#parley-toasts .parley-toast-subject')`),
		// alice has the customer page open: her row's online dot shows,
		// and only hers (the others have no page open).
		waitLive(`(function(){var a=document.querySelector(`+js(row)+`); var d=a && a.closest('tr').querySelector('.conv-online');
			var others=Array.from(document.querySelectorAll('.conv-online')).filter(function(o){return !d || o.getAttribute('data-customer') !== d.getAttribute('data-customer')});
			return !!d && d.offsetWidth > 0 && others.length > 0 && others.some(function(o){return o.offsetWidth === 0})})()`),
		chromedp.Text(`#parley-toasts .parley-toast-subject`, &toast, chromedp.ByQuery),
		screenshots("live-list-popup"),
	)
	if err != nil {
		t.Fatalf("chatadmin's list and pop-up: %v", err)
	}
	var reloaded, ran bool
	_ = chromedp.Run(chat, chromedp.Evaluate(`!(`+noReload+`)`, &reloaded), chromedp.Evaluate(xssRan, &ran))
	if !strings.Contains(listed, "Live parcel") || toast != subject || reloaded || ran {
		t.Fatalf("list row %q, pop-up %q (want %q), page reloaded %v, script ran %v", listed, toast, subject, reloaded, ran)
	}

	// chatadmin opens the thread; alice writes again.
	edit := s.base + fmt.Sprintf("/admin/info/conversation/edit?__goadmin_edit_pk=%d", id)
	if err := browse(chat, chromedp.Navigate(edit), chromedp.WaitVisible(`textarea[name="reply_body"]`, chromedp.ByQuery), chromedp.Evaluate(setMarker, nil)); err != nil {
		t.Fatalf("chatadmin opens the thread: %v", err)
	}
	err = browse(alice,
		chromedp.Evaluate(setMarker, nil),
		chromedp.SendKeys(`#reply`, "Is it shipped yet?", chromedp.ByQuery),
		chromedp.Click(`#send-form button[type=submit]`, chromedp.ByQuery),
		waitNavigated(`!window.__noReload && !!document.querySelector('#timeline') && `+timelineJS+`.includes('Is it shipped yet?')`),
		chromedp.Evaluate(setMarker, nil),
	)
	if err != nil {
		t.Fatalf("alice writes again: %v", err)
	}
	err = browse(chat,
		waitLive(`Array.from(document.querySelectorAll('.conv-history .conv-body')).some(e => e.innerText === 'Is it shipped yet?')`),
		waitLive(noReload),
		// alice has the customer page open: her online dot is on.
		waitLive(`!document.querySelector('.customer-panel .customer-online').hidden`),
	)
	if err != nil {
		t.Fatalf("chatadmin's open thread: %v", err)
	}

	// chatadmin writes: alice sees "The store is typing…"; chatadmin sends:
	// alice sees the reply.
	if err := browse(chat, chromedp.SendKeys(`textarea[name="reply_body"]`, "It ships today.", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if err := browse(alice, waitLive(`(document.querySelector('p.typing') || {hidden: true}).hidden === false && document.querySelector('p.typing').innerText === 'The store is typing…'`)); err != nil {
		t.Fatalf("alice sees the store typing: %v", err)
	}
	err = browse(chat,
		chromedp.Click(`form button.submit`, chromedp.ByQuery),
		waitJS(`Array.from(document.querySelectorAll('.conv-history .conv-body')).some(e => e.innerText === 'It ships today.')`),
	)
	if err != nil {
		t.Fatalf("chatadmin replies: %v", err)
	}
	err = browse(alice,
		waitLive(timelineJS+`.includes('It ships today.')`),
		waitLive(noReload),
		screenshots("live-portal-reply"),
	)
	if err != nil {
		t.Fatalf("alice's page: %v", err)
	}

	// agent1 opens the same thread: they see each other.
	err = browse(agent,
		chromedp.Navigate(edit),
		chromedp.WaitVisible(`textarea[name="reply_body"]`, chromedp.ByQuery),
		waitLive(`(document.querySelector('.thread-viewers') || {}).innerText === 'Also viewing: chatadmin'`),
	)
	if err != nil {
		t.Fatalf("agent1 sees chatadmin viewing: %v", err)
	}
	err = browse(chat,
		chromedp.Evaluate(setMarker, nil),
		waitLive(`(document.querySelector('.thread-viewers') || {}).innerText === 'Also viewing: agent1'`),
	)
	if err != nil {
		t.Fatalf("chatadmin sees agent1 viewing: %v", err)
	}

	// agent1 starts writing; chatadmin sees it and answers first.
	if err := browse(agent, chromedp.SendKeys(`textarea[name="reply_body"]`, "Let me check that for you.", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	err = browse(chat,
		waitLive(`(document.querySelector('.thread-typing') || {}).innerText === 'agent1 is typing…'`),
		screenshots("live-thread-viewing-typing"),
		chromedp.SendKeys(`textarea[name="reply_body"]`, "Tracking number sent by e-mail.", chromedp.ByQuery),
		chromedp.Click(`form button.submit`, chromedp.ByQuery),
		waitJS(`Array.from(document.querySelectorAll('.conv-history .conv-body')).some(e => e.innerText === 'Tracking number sent by e-mail.')`),
	)
	if err != nil {
		t.Fatalf("chatadmin sees agent1 typing and answers: %v", err)
	}
	const stale = `document.body.innerText.includes('chatadmin wrote in this conversation after the message you last saw')`
	var draft, button string
	var guarded bool
	err = browse(agent,
		waitLive(`Array.from(document.querySelectorAll('.conv-history .conv-body')).some(e => e.innerText === 'Tracking number sent by e-mail.')`),
		waitLive(`(document.querySelector('.thread-live-notice') || {}).innerText.includes('chatadmin wrote in this conversation while you were writing')`),
		chromedp.Click(`form button.submit`, chromedp.ByQuery),
		waitJS(stale),
		chromedp.Value(`textarea[name="reply_body"]`, &draft, chromedp.ByQuery),
		waitJS(`(document.querySelector('.thread-reply .reply-refused') || {innerText: ''}).innerText.includes('chatadmin wrote in this conversation')`),
		chromedp.Text(`form button.submit`, &button, chromedp.ByQuery),
		// The refused page's form carries the newest reply it shows: it
		// guards the next send again.
		chromedp.Evaluate(`(function(){var f=document.querySelector('form input[name=last_seen_message_id]'); var r=Array.from(document.querySelectorAll('.conv-history .conv-reply[data-msg]')).pop(); return !!f && !!r && f.value === r.getAttribute('data-msg');})()`, &guarded),
		screenshots("live-stale-reply"),
	)
	if err != nil {
		t.Fatalf("agent1's stale reply: %v", err)
	}
	if !guarded {
		t.Error("the refused page's form carries no last_seen_message_id of the newest reply it shows")
	}
	if draft != "Let me check that for you." || button != "Send anyway" || s.count(t, id, "reply", "Let me check that for you.") != 0 {
		t.Fatalf("after the refusal: draft %q, button %q, %d copies sent", draft, button, s.count(t, id, "reply", "Let me check that for you."))
	}
	err = browse(agent,
		chromedp.Click(`form button.submit`, chromedp.ByQuery),
		waitJS(`Array.from(document.querySelectorAll('.conv-history .conv-body')).some(e => e.innerText === 'Let me check that for you.')`),
	)
	if err != nil {
		t.Fatalf("agent1 sends anyway: %v", err)
	}
	if n := s.count(t, id, "reply", "Let me check that for you."); n != 1 {
		t.Fatalf("sent anyway: %d copies", n)
	}
}
