package main

import (
	"context"
	"flag"
	"log"
	"os"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8101", "")
	user := flag.String("user", "chatadmin", "")
	path := flag.String("path", "/admin/info/conversation", "")
	out := flag.String("out", "/tmp/list/shot.png", "")
	w := flag.Int("w", 1400, "")
	h := flag.Int("h", 900, "")
	js := flag.String("js", "", "")
	clicks := flag.String("click", "", "selectors, ;-separated")
	flag.Parse()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox,
		chromedp.Flag("disable-quic", true), chromedp.WindowSize(*w, *h))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var buf []byte
	var res string
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(int64(*w), int64(*h)),
		chromedp.Navigate(*base+"/admin/login"),
		chromedp.WaitVisible(`#username`, chromedp.ByQuery),
		chromedp.SendKeys(`#username`, *user, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, "demo-pass-123", chromedp.ByQuery),
		chromedp.Click(`button.btn-primary`, chromedp.ByQuery),
		chromedp.WaitVisible(`.main-sidebar`, chromedp.ByQuery),
		chromedp.Navigate(*base+*path),
		chromedp.Sleep(2*time.Second),
	)
	if err == nil && *clicks != "" {
		for _, sel := range strings.Split(*clicks, ";") {
			if err = chromedp.Run(ctx, chromedp.Click(sel, chromedp.ByQuery), chromedp.Sleep(300*time.Millisecond)); err != nil {
				break
			}
		}
	}
	if err == nil && *js != "" {
		err = chromedp.Run(ctx, chromedp.Sleep(3*time.Second), chromedp.Evaluate(*js, &res))
		log.Printf("js: %s", res)
	}
	if err == nil {
		err = chromedp.Run(ctx, chromedp.FullScreenshot(&buf, 100))
	}
	if err != nil {
		log.Fatal(err)
	}
	os.WriteFile(*out, buf, 0o644)
	var text string
	chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector('.content') ? document.querySelector('.content').innerText.slice(0,1500) : document.body.innerText.slice(0,800)`, &text))
	log.Print(strings.TrimSpace(text))
}
