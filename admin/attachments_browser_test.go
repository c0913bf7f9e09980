package admin_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/admin"
	"github.com/parleyhq/parley/media/mediatest"
	"github.com/parleyhq/parley/models"
)

// TestBrowserAttachScript: attach.js in a real browser under the back
// office's CSP — a box placed in a signed-in page picks a file whose name
// is an XSS payload (shown as text), sends it to the staff upload route,
// and the message lands with its attachment.
func TestBrowserAttachScript(t *testing.T) {
	agent := newStaff(t, models.RoleAgent)
	conv := newConversation(t, "browser upload", "hello")
	ctx, problems := headless(t)
	base := env.srv.URL

	const xss = `"><img src=x onerror=alert(1)>.png`
	dir := t.TempDir()
	path := filepath.Join(dir, xss)
	if err := os.WriteFile(path, mediatest.PNG(), 0o600); err != nil {
		t.Fatal(err)
	}
	box := `(function(){var d=document.createElement("div");d.id="box";` +
		`d.setAttribute("data-parley-attach","");d.setAttribute("data-upload-url",` + strconv.Quote(admin.AttachPath) + `);` +
		`d.setAttribute("data-conversation",` + strconv.Quote(strconv.FormatInt(conv.ID, 10)) + `);` +
		`d.setAttribute("data-conversation-field","id");d.setAttribute("data-no-reload","");` +
		`var k=document.createElement("input");k.id="kind";k.value="note";document.body.appendChild(k);` +
		`d.setAttribute("data-kind-select","#kind");document.body.appendChild(d);` +
		`var s=document.createElement("script");s.src=` + strconv.Quote(admin.AttachJSPath) + `;document.body.appendChild(s);return true})()`
	var ok bool
	var listed, status string
	var injected int
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+admin.LoginPath),
		chromedp.WaitVisible("#username", chromedp.ByID),
		chromedp.SendKeys("#username", agent.Username, chromedp.ByID),
		chromedp.SendKeys("#password", password, chromedp.ByID),
		chromedp.Click("#sign-in-form button", chromedp.ByQuery),
		chromedp.WaitNotPresent("#username", chromedp.ByID),
		chromedp.Navigate(base+admin.ProfilePath),
		chromedp.WaitVisible(".parley-profile", chromedp.ByQuery),
		chromedp.Evaluate(box, &ok),
		chromedp.WaitReady(`#box input[type=file]`, chromedp.ByQuery),
		chromedp.SetUploadFiles(`#box input[type=file]`, []string{path}, chromedp.ByQuery),
		chromedp.WaitVisible(`#box .parley-attach-list li`, chromedp.ByQuery),
		chromedp.Text(`#box .parley-attach-list li`, &listed, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("img[onerror]").length`, &injected),
		chromedp.Click(`#box .parley-attach-send`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector("#box .parley-attach-status").textContent === "Sent."`, nil),
		chromedp.Text(`#box .parley-attach-status`, &status, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("browser: %v (problems %v)", err, problems())
	}
	if !strings.Contains(listed, xss) || injected != 0 {
		t.Errorf("the file name is not shown as text: %q, %d injected elements", listed, injected)
	}
	ms, err := env.store.Messages(context.Background(), conv.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	last := ms[len(ms)-1]
	// Chromium sends the name's quote as %22 in the part header.
	if last.Kind != models.KindNote || len(last.Attachments) != 1 || !strings.HasSuffix(last.Attachments[0].Filename, `><img src=x onerror=alert(1)>.png`) {
		t.Fatalf("stored: %+v", last)
	}
	// A voice note recorded with MediaRecorder (Chromium's fake microphone),
	// sent as a reply: the server measures its length from the clusters.
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`document.querySelector("#kind").value = "reply"`, nil),
		chromedp.Click(`#box .parley-attach-record`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector("#box .parley-attach-record").textContent === "Stop recording"`, nil),
		chromedp.Sleep(2*time.Second),
		chromedp.Click(`#box .parley-attach-record`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelectorAll("#box .parley-attach-list li").length === 1`, nil),
		chromedp.Click(`#box .parley-attach-send`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector("#box .parley-attach-status").textContent === "Sent."`, nil),
	)
	if err != nil {
		var st string
		chromedp.Run(ctx, chromedp.Text(`#box .parley-attach-status`, &st, chromedp.ByQuery))
		t.Fatalf("voice note: %v (status %q, problems %v)", err, st, problems())
	}
	ms, err = env.store.Messages(context.Background(), conv.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	voice := ms[len(ms)-1]
	if voice.Kind != models.KindReply || len(voice.Attachments) != 1 {
		t.Fatalf("voice note stored as %+v", voice)
	}
	a := voice.Attachments[0]
	if !strings.HasPrefix(a.MediaType, "audio/") || a.DurationMS == nil || *a.DurationMS < 1000 || *a.DurationMS > 10000 {
		t.Errorf("voice note: %s, %v ms", a.MediaType, a.DurationMS)
	}
	for _, p := range problems() {
		if strings.Contains(p, "favicon") || strings.Contains(p, "fonts.gstatic.com") || strings.Contains(p, "sucaihuo.com") {
			continue
		}
		t.Errorf("browser reported: %s", p)
	}
}
