package admin_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/parleyhq/parley/models"
)

// themes runs a page benchmark through Parley's theme (templates parsed
// once) and through GoAdmin's stock adminlte theme (parsed per request,
// chosen by its cookie): the before and after of admin/theme.go.
func themes(b *testing.B, cl *client, path string) {
	for _, th := range []struct {
		name  string
		stock bool
	}{{"parley", false}, {"adminlte", true}} {
		b.Run(th.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if res := cl.getAs(path, th.stock, false); res.StatusCode != 200 {
					b.Fatalf("%d", res.StatusCode)
				}
			}
		})
	}
}

// BenchmarkThreadPage renders the conversation page of a 10-message thread
// (go test -run XXX -bench ThreadPage ./admin; add -cpuprofile to see where
// the time goes).
func BenchmarkThreadPage(b *testing.B) {
	t := &testing.T{}
	admin := newStaff(t, "chat_admin")
	c := newConversation(t, "bench", "message 0")
	for i := 1; i < 10; i++ {
		env.svc.Send(context.Background(), actorOf(admin), c.ID, models.KindReply, fmt.Sprintf("message %d", i))
	}
	cl := login(t, admin)
	cl.t = t
	themes(b, cl, editPath(c.ID))
}

// BenchmarkListPage renders the conversation list's default view (25 of
// 30 conversations) for a chat admin (go test -run XXX -bench ListPage ./admin).
func BenchmarkListPage(b *testing.B) {
	t := &testing.T{}
	admin := newStaff(t, "chat_admin")
	for i := 0; i < 30; i++ {
		newConversation(t, fmt.Sprintf("bench list %d", i), "message")
	}
	cl := login(t, admin)
	cl.t = t
	themes(b, cl, "/admin/info/conversation")
}

// BenchmarkProfilePage renders a Parley page inside GoAdmin's layout
// (engine.Content): the layout's own cost, without the table machinery.
func BenchmarkProfilePage(b *testing.B) {
	t := &testing.T{}
	admin := newStaff(t, "chat_admin")
	cl := login(t, admin)
	cl.t = t
	themes(b, cl, "/admin/profile")
}
