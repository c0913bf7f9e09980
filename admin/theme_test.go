package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley/models"
)

// getAs loads path, through the stock adminlte theme when stock is set
// (GoAdmin picks a registered theme by the __ga_theme cookie), as a pjax
// request when pjax is set.
func (c *client) getAs(path string, stock, pjax bool) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.srv.URL+path, nil)
	if stock {
		req.AddCookie(&http.Cookie{Name: "__ga_theme", Value: "adminlte"})
	}
	hdr := map[string]string{}
	if pjax {
		hdr["X-PJAX"] = "true"
		hdr["X-PJAX-Container"] = "#pjax-container"
	}
	return c.do(req, hdr)
}

// randomParts are the values GoAdmin makes up per render (form token, element ids).
var randomParts = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9]{10,}|query time: </b>[0-9.]+[µm]?s`)

// normalizePage drops what differs between two renders of one page: the
// random values and the order of the theme's component scripts (GoAdmin
// lists them from a map).
func normalizePage(s string) string {
	s = randomParts.ReplaceAllString(s, "R")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.Contains(l, "/assets/dist/js/") {
			parts := strings.SplitAfter(strings.TrimSpace(l), "</script>")
			sort.Strings(parts)
			lines[i] = strings.Join(parts, "")
		}
	}
	return strings.Join(lines, "\n")
}

// TestThemeRendersAsAdminlte: Parley's theme (templates parsed once) gives
// the pages byte for byte what GoAdmin's adminlte theme (parsed per
// request) gives, up to the values GoAdmin makes up per render.
func TestThemeRendersAsAdminlte(t *testing.T) {
	admin := newStaff(t, "chat_admin")
	c := newConversation(t, "theme <b>check</b> & co", `hello <script>alert(1)</script> "quoted"`)
	env.svc.Send(context.Background(), actorOf(admin), c.ID, models.KindReply, "a reply with <i>tags</i> & https://example.com/x?a=1&b=2")
	cl := login(t, admin)
	for _, path := range []string{editPath(c.ID), "/admin/info/conversation", "/admin/info/conversation?__page=1&__pageSize=10&status=OPEN", "/admin/profile", "/admin/dashboard"} {
		for _, pjax := range []bool{false, true} {
			ours, stock := cl.getAs(path, false, pjax), cl.getAs(path, true, pjax)
			if ours.StatusCode != 200 || stock.StatusCode != 200 {
				t.Fatalf("%s: %d / %d", path, ours.StatusCode, stock.StatusCode)
			}
			a, b := normalizePage(ours.body), normalizePage(stock.body)
			if a != b {
				os.WriteFile("/tmp/pagecpu-ours.html", []byte(ours.body), 0o644)
				os.WriteFile("/tmp/pagecpu-stock.html", []byte(stock.body), 0o644)
				t.Fatalf("%s (pjax %v): Parley's theme renders differently from adminlte (files in /tmp)", path, pjax)
			}
			if !strings.Contains(ours.body, "theme &lt;b&gt;check&lt;/b&gt;") && strings.Contains(path, "conversation") && path != "/admin/info/conversation?__page=1&__pageSize=10&status=OPEN" {
				t.Fatalf("%s: subject not shown escaped", path)
			}
		}
	}
}

// TestPagesConcurrently renders the conversation and list pages of two
// agents at once (run it with -race): each sees only its own thread and its
// own name in the header, whatever the other renders at the same moment through the
// shared parsed templates.
func TestPagesConcurrently(t *testing.T) {
	type who struct {
		s    models.Staff
		c    models.Conversation
		cl   *client
		subj string
	}
	var ws []*who
	for i := 0; i < 2; i++ {
		s := newStaff(t, "agent")
		subj := fmt.Sprintf("concurrent-%d-%s", i, randomHex(4))
		ws = append(ws, &who{s: s, c: takenBy(t, s, subj), subj: subj})
	}
	for _, w := range ws {
		w.cl = login(t, w.s)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i, w := range ws {
		other := ws[1-i]
		for g := 0; g < 3; g++ {
			wg.Add(1)
			go func(w, other *who, g int) {
				defer wg.Done()
				ct := &testing.T{} // client helpers fail through t; report here instead
				cl := &client{t: ct, http: w.cl.http, jar: w.cl.jar}
				for n := 0; n < 6; n++ {
					path := editPath(w.c.ID)
					if (n+g)%2 == 1 {
						path = "/admin/info/conversation"
					}
					res := cl.getAs(path, false, n%3 == 2)
					switch {
					case res.StatusCode != http.StatusOK:
						errs <- fmt.Sprintf("%s %s: %d", w.s.Username, path, res.StatusCode)
					case !strings.Contains(res.body, w.subj):
						errs <- fmt.Sprintf("%s %s: own subject missing", w.s.Username, path)
					case strings.Contains(res.body, other.subj):
						errs <- fmt.Sprintf("%s %s: shows %s's thread", w.s.Username, path, other.s.Username)
					case n%3 != 2 && !strings.Contains(res.body, `<span class="hidden-xs">`+w.s.Username+`</span>`):
						errs <- fmt.Sprintf("%s %s: own name missing from the header", w.s.Username, path)
					case strings.Contains(res.body, `<span class="hidden-xs">`+other.s.Username+`</span>`):
						errs <- fmt.Sprintf("%s %s: header shows %s's name", w.s.Username, path, other.s.Username)
					}
				}
			}(w, other, g)
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
