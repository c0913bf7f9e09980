package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds the browser: PARLEY_CHROMIUM, else chromium or
// google-chrome on PATH.
func chromium(t *testing.T) string {
	if p := os.Getenv("PARLEY_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("browser test skipped: no Chromium found (install Debian's chromium or set PARLEY_CHROMIUM)")
	return ""
}

func browser(t *testing.T) context.Context {
	t.Helper()
	exe := chromium(t)
	// Chromium's helpers may still write to the profile as it exits, so the
	// profile is removed best-effort rather than by t.TempDir's strict cleanup.
	profile, err := os.MkdirTemp("", "parley-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1366, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to sandbox as root
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		os.RemoveAll(profile)
	})
	return ctx
}

// screenshot saves a full-page PNG when PARLEY_SCREENSHOTS names a directory.
func screenshot(name string) chromedp.Action {
	dir := os.Getenv("PARLEY_SCREENSHOTS")
	if dir == "" {
		return chromedp.ActionFunc(func(context.Context) error { return nil })
	}
	var buf []byte
	return chromedp.Tasks{
		chromedp.FullScreenshot(&buf, 100),
		chromedp.ActionFunc(func(context.Context) error {
			return os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
		}),
	}
}

// browserFlow is the back office as agent1 meets it: sign in, see the
// inbox, open a thread, reply, and find the reply in the history.
func browserFlow(t *testing.T, base string) {
	ctx := browser(t)
	var listText, firstHref string
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/admin/login"),
		chromedp.WaitVisible(`#username`, chromedp.ByQuery),
		chromedp.SendKeys(`#username`, "agent1", chromedp.ByQuery),
		chromedp.SendKeys(`#password`, "demo-pass-123", chromedp.ByQuery),
		chromedp.Click(`button.btn-primary`, chromedp.ByQuery),
		chromedp.WaitVisible(`a.conv-subject`, chromedp.ByQuery),
		chromedp.Text(`table`, &listText, chromedp.ByQuery),
		chromedp.AttributeValue(`a.conv-subject`, "href", &firstHref, nil, chromedp.ByQuery),
		screenshot("inbox"),
	)
	if err != nil {
		t.Fatalf("sign in and list: %v", err)
	}
	if strings.Contains(listText, "agent2") {
		t.Errorf("agent1's inbox shows agent2's threads:\n%s", listText)
	}
	const reply = "Thanks for waiting, the parcel left our warehouse this morning."
	var history string
	err = chromedp.Run(ctx,
		chromedp.Navigate(base+firstHref),
		chromedp.WaitVisible(`textarea[name="reply_body"]`, chromedp.ByQuery),
		chromedp.SendKeys(`textarea[name="reply_body"]`, reply, chromedp.ByQuery),
		chromedp.Click(`form button.submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`a.conv-subject`, chromedp.ByQuery), // back on the list after saving
		chromedp.Navigate(base+firstHref),
		chromedp.WaitVisible(`textarea[name="reply_body"]`, chromedp.ByQuery),
		chromedp.Text(`body`, &history, chromedp.ByQuery),
		screenshot("thread"),
	)
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	if !strings.Contains(history, reply) {
		t.Errorf("the reply is not in the thread's history:\n%s", history)
	}
}
