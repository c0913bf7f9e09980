// Command shots makes the screenshots under docs/screenshots: it builds
// Parley, starts it on its embedded defaults with demo data, signs in as the
// demo users in headless Chromium and captures each page at a laptop
// (1400×900) and a phone (390×844) size. It is not part of CI.
//
//	go run ./bench/shots [-out docs/screenshots] [-chromium /usr/bin/chromium]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

const password = "demo-pass-123"

// shot is one page to capture: signed in as who ("" for nobody), at
// path, after waiting for the selector wait and running the actions.
type shot struct {
	name, who, path, wait string
	actions               []chromedp.Action
}

var shots = []shot{
	{name: "login", path: "/admin/login", wait: "#sign-in"},
	{name: "inbox", who: "chatadmin", path: "/admin/info/conversation", wait: "a.conv-subject"},
	{name: "thread", who: "chatadmin", path: "/admin/info/conversation", wait: "a.conv-subject",
		actions: []chromedp.Action{chromedp.Click(`a.conv-subject`, chromedp.NodeVisible), chromedp.Sleep(2 * time.Second)}},
	{name: "dashboard", who: "chatadmin", path: "/admin/dashboard", wait: ".parley-dashboard"},
	{name: "customers", who: "chatadmin", path: "/admin/customers", wait: "#pjax-container"},
	{name: "quick-replies", who: "chatadmin", path: "/admin/quick-replies", wait: "#pjax-container"},
	{name: "settings", who: "owner", path: "/admin/settings", wait: "form.parley-settings"},
	{name: "staff", who: "owner", path: "/admin/staff", wait: "#pjax-container"},
	{name: "audit", who: "owner", path: "/admin/audit", wait: "#pjax-container"},
	{name: "mailbox", who: "owner", path: "/admin/mailbox", wait: "#pjax-container"},
	{name: "profile", who: "agent1", path: "/admin/profile", wait: ".parley-profile"},
	{name: "portal-list", who: "customer:alice@example.com", path: "/dashboard/messages", wait: "#list-title"},
	{name: "portal-thread", who: "customer:alice@example.com", path: "/dashboard/messages", wait: "#list-title",
		actions: []chromedp.Action{chromedp.Click(`a[href^="/dashboard/messages/"]`, chromedp.NodeVisible), chromedp.Sleep(time.Second)}},
	{name: "widget-store", path: "/demo/store", actions: []chromedp.Action{chromedp.Sleep(2 * time.Second)}},
	// Last: it changes the demo data. A job over all closed conversations
	// (mark read, so it can run again for the phone shot), started as the list's "all matching" bar starts one, then
	// its page once the worker has run it.
	{name: "bulk-job", who: "chatadmin", path: "/admin/info/conversation?status=CLOSED", wait: "a.conv-subject",
		actions: []chromedp.Action{
			chromedp.Evaluate(`fetch('/admin/bulk-jobs', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},
				body: 'action=mark_read&filter=' + encodeURIComponent('status=CLOSED')}).then(r => r.json()).then(j => { location.href = j.url; })`, nil),
			chromedp.WaitVisible(`.parley-bulk-job[data-state="done"]`, chromedp.ByQuery),
		}},
}

func main() {
	out := flag.String("out", "docs/screenshots", "directory for the PNG files")
	chromium := flag.String("chromium", "", "Chromium binary (default: chromium on PATH)")
	only := flag.String("only", "", "comma-separated shot names to take (default: all)")
	flag.Parse()
	if err := run(*out, *chromium, *only); err != nil {
		log.Fatal(err)
	}
}

func run(out, chromium, only string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "parley-shots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "parley")
	build := exec.Command("go", "build", "-o", bin, "./cmd/parley")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	srv := exec.Command(bin, "serve", "--demo")
	srv.Env = append(os.Environ(), "PARLEY_ADDR="+addr, "PARLEY_DATA_DIR="+filepath.Join(tmp, "data"), "PARLEY_DEMO_PASSWORD="+password)
	logf, err := os.Create(filepath.Join(tmp, "server.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	srv.Stdout, srv.Stderr = logf, logf
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	base := "http://" + addr
	if err := waitReady(base); err != nil {
		return err
	}
	if chromium == "" {
		if chromium, err = exec.LookPath("chromium"); err != nil {
			return errors.New("no chromium on PATH: install it or pass -chromium")
		}
	}
	for _, size := range []struct {
		suffix string
		w, h   int64
	}{{"", 1400, 900}, {"-phone", 390, 844}} {
		if err := capture(base, chromium, out, only, size.suffix, size.w, size.h); err != nil {
			return err
		}
	}
	return nil
}

func capture(base, chromium, out, only, suffix string, w, h int64) error {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	signedIn := ""
	var ctx context.Context
	for _, s := range shots {
		if only != "" && !strings.Contains(","+only+",", ","+s.name+",") {
			continue
		}
		if ctx == nil || s.who != signedIn {
			var c context.CancelFunc
			ctx, c = chromedp.NewContext(actx) // a fresh browser context: no cookies
			defer c()
			if err := chromedp.Run(ctx, chromedp.EmulateViewport(w, h)); err != nil {
				return err
			}
			if s.who != "" {
				if err := signIn(ctx, base, s.who); err != nil {
					return fmt.Errorf("sign in as %s: %w", s.who, err)
				}
			}
			signedIn = s.who
		}
		tctx, c := context.WithTimeout(ctx, 30*time.Second)
		var buf []byte
		acts := []chromedp.Action{chromedp.Navigate(base + s.path)}
		if s.wait != "" {
			acts = append(acts, chromedp.WaitVisible(s.wait))
		}
		acts = append(acts, s.actions...)
		acts = append(acts, chromedp.Sleep(time.Second), chromedp.FullScreenshot(&buf, 100))
		err := chromedp.Run(tctx, acts...)
		c()
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		name := filepath.Join(out, s.name+suffix+".png")
		if err := os.WriteFile(name, buf, 0o644); err != nil {
			return err
		}
		fmt.Println(name)
	}
	return nil
}

func signIn(ctx context.Context, base, user string) error {
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if email, ok := strings.CutPrefix(user, "customer:"); ok {
		return chromedp.Run(tctx, chromedp.Navigate(base+"/dashboard/messages"), chromedp.WaitVisible("#email"),
			chromedp.SendKeys("#email", email), chromedp.SendKeys("#password", password),
			chromedp.Click(`form[action$="/login"] button[type=submit]`), chromedp.WaitVisible("#list-title"))
	}
	return chromedp.Run(tctx, chromedp.Navigate(base+"/admin/login"), chromedp.WaitVisible("#username"),
		chromedp.SendKeys("#username", user), chromedp.SendKeys("#password", password), chromedp.Click("#sign-in"),
		chromedp.WaitNotPresent("#sign-in"))
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitReady(base string) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	return errors.New("parley did not become ready")
}
