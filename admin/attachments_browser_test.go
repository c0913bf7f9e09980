package admin_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/admin"
	"github.com/parleyhq/parley/media/mediatest"
	"github.com/parleyhq/parley/models"
)

// TestBrowserAttachScript: the conversation page's file box in a real
// browser under the back office's CSP — the agent chooses "Private note",
// picks a file whose name is an XSS payload (shown as text), sends it to
// the staff upload route, and the page reloads showing the image in the
// thread; then a voice note recorded with MediaRecorder goes as a reply.
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
	const box = ".thread-attach"
	var listed string
	var injected int
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+admin.LoginPath),
		chromedp.WaitVisible("#username", chromedp.ByID),
		chromedp.SendKeys("#username", agent.Username, chromedp.ByID),
		chromedp.SendKeys("#password", password, chromedp.ByID),
		chromedp.Click("#sign-in-form button", chromedp.ByQuery),
		chromedp.WaitNotPresent("#username", chromedp.ByID),
		chromedp.Navigate(base+editPath(conv.ID)),
		chromedp.WaitReady(box+` input[type=file]`, chromedp.ByQuery),
		chromedp.Click(`input[name=reply_kind][value=note]`, chromedp.ByQuery),
		chromedp.SetUploadFiles(box+` input[type=file]`, []string{path}, chromedp.ByQuery),
		chromedp.WaitVisible(box+` .parley-attach-list li`, chromedp.ByQuery),
		chromedp.Text(box+` .parley-attach-list li`, &listed, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("img[onerror]").length`, &injected),
		chromedp.Click(box+` .parley-attach-send`, chromedp.ByQuery),
	)
	if err == nil { // the page reloads with the note and its image in the thread
		err = pollAcross(ctx, `document.querySelectorAll('.conv-history .conv-note img[src^="`+admin.AttachFilePrefix+`"]').length === 1`, 20*time.Second)
	}
	if err == nil { // and its name, as text, nowhere markup
		err = chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll("img[onerror], img[src=x]").length`, &injected))
	}
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
		chromedp.WaitReady(box+` .parley-attach-record`, chromedp.ByQuery),
		chromedp.Click(`input[name=reply_kind][value=reply]`, chromedp.ByQuery),
		chromedp.Click(box+` .parley-attach-record`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector("`+box+` .parley-attach-record").textContent === "Stop recording"`, nil),
		chromedp.Sleep(2*time.Second),
		chromedp.Click(box+` .parley-attach-record`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelectorAll("`+box+` .parley-attach-list li").length === 1`, nil),
		chromedp.Click(box+` .parley-attach-send`, chromedp.ByQuery),
	)
	if err == nil {
		err = pollAcross(ctx, `document.querySelectorAll('.conv-history .conv-staff audio').length === 1`, 20*time.Second)
	}
	if err != nil {
		t.Fatalf("voice note: %v (problems %v)", err, problems())
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
