package admin_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/parleyhq/parley/models"
)

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
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := cl.get(editPath(c.ID)); res.StatusCode != 200 {
			b.Fatalf("%d", res.StatusCode)
		}
	}
}
