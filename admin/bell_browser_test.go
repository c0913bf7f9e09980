package admin_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/models"
)

// bellFlow (in TestBrowserBackOffice's browser, signed in as agent): a
// customer message in the agent's thread lights the bell in the navbar;
// clicking the bell opens the list, clicking the notification opens the
// thread, and the bell goes dark. Subjects with markup stay text.
func bellFlow(t *testing.T, ctx context.Context, base string, agent models.Staff) {
	t.Helper()
	c := takenBy(t, agent, "Bell "+xss)
	th, err := env.svc.View(context.Background(), actorOf(agent), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range th.Messages {
		if m.Kind == models.KindReply {
			if _, err := env.svc.NotifyNewMessage(context.Background(), m.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	var count, url string
	var hacked bool
	err = chromedp.Run(ctx,
		chromedp.Navigate(base+"/admin/profile"),
		chromedp.WaitVisible("#parley-bell-count", chromedp.ByID),
		chromedp.Text("#parley-bell-count", &count, chromedp.ByID),
	)
	if err != nil || strings.TrimSpace(count) == "" || count == "0" {
		t.Fatalf("bell: %v %q", err, count)
	}
	err = chromedp.Run(ctx,
		chromedp.Click("#parley-bell a", chromedp.ByQuery),
		chromedp.WaitVisible(".parley-notifications", chromedp.ByQuery),
		chromedp.Evaluate(`window.parleyXSS === 1`, &hacked),
		chromedp.Click(`.parley-notification.unread a[href$="pk=`+strconv.FormatInt(c.ID, 10)+`"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".conv-reply", chromedp.ByQuery),
		chromedp.Location(&url),
	)
	if err != nil || hacked {
		t.Fatalf("notification list: %v (xss ran: %v)", err, hacked)
	}
	if !strings.HasSuffix(url, editPath(c.ID)) {
		t.Fatalf("the notification opened %s", url)
	}
	// The thread page marks it read; the next page's bell shows the rest.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if n, _ := env.svc.UnreadCount(context.Background(), actorOf(agent)); n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("opening the thread did not read its notification")
		}
		time.Sleep(100 * time.Millisecond) // waiting on the page's mark-read request
	}
	var hidden bool
	err = chromedp.Run(ctx,
		chromedp.Navigate(base+"/admin/profile"),
		chromedp.WaitReady("#parley-bell", chromedp.ByID),
		chromedp.Poll(`document.getElementById('parley-bell-count').style.display === 'none'`, &hidden, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if err != nil || !hidden {
		t.Fatalf("bell after reading: %v hidden=%v", err, hidden)
	}
}
