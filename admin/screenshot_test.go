package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
)

// TestScreenshots renders the list and the edit page in headless Chromium
// as a signed-in chat admin. It runs only with PARLEY_ADMIN_SCREENSHOTS set
// to an output directory and Chromium installed.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("PARLEY_ADMIN_SCREENSHOTS")
	if dir == "" {
		t.Skip("set PARLEY_ADMIN_SCREENSHOTS=<dir> to take screenshots")
	}
	browser, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("no chromium installed")
	}
	ctx := context.Background()
	chat := newStaff(t, "chat_admin")
	agent := newStaff(t, "agent")
	c := newConversation(t, `Order #1042 never arrived <script>alert(1)</script>`, "Hello, my parcel is two weeks late.\nCan you check?")
	if _, _, err := env.svc.Send(ctx, actorOf(chat), c.ID, models.KindReply, "Sorry about that! Looking into it now."); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.svc.Send(ctx, actorOf(chat), c.ID, models.KindNote, "Carrier says it is lost; refund approved."); err != nil {
		t.Fatal(err)
	}
	takenBy(t, agent, "Wrong size delivered")
	newConversation(t, "Can I change my address?", "Moving next week.")
	cl := login(t, chat)
	sid := cl.sessionCookie().Value

	// Chromium gets the session through a local redirect that sets the cookie.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/__session" {
			http.SetCookie(w, &http.Cookie{Name: "go_admin_session", Value: sid, Path: "/", HttpOnly: true})
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
			return
		}
		env.srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer srv.Close()
	for name, to := range map[string]string{
		"list": "/admin/info/conversation",
		"edit": editPath(c.ID),
	} {
		out := filepath.Join(dir, name+".png")
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
			"--user-data-dir="+t.TempDir(), "--screenshot="+out, "--window-size=1280,900", "--virtual-time-budget=3000",
			fmt.Sprintf("%s/__session?to=%s", srv.URL, to))
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("chromium %s: %v %s", name, err, b)
		}
		cancel()
		t.Logf("wrote %s", out)
	}
}
