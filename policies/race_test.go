package policies

import (
	"sync"
	"testing"

	"github.com/parleyhq/parley/models"
)

// TestConcurrentCan runs Can, Scope and CanRoute from many goroutines; run
// with -race. Every answer must equal the single-threaded one.
func TestConcurrentCan(t *testing.T) {
	e := MustNew(t)
	roles := []string{models.RoleOwner, models.RoleAdmin, models.RoleChatAdmin, models.RoleAgent, models.RoleCustomer, models.RoleGuest}
	acts := []Action{Read, Reply, Delete, Take, LeaveEscalated}
	sits := situations()
	type q struct {
		a   models.Actor
		act Action
		c   *models.Conversation
	}
	var qs []q
	var want []bool
	for _, r := range roles {
		for _, act := range acts {
			for _, s := range sits {
				qs = append(qs, q{actorFor(r, me), act, s.conv})
				want = append(want, e.Can(actorFor(r, me), ObjConversation, act, s.conv))
			}
		}
	}
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range qs {
				j := (i + g*7) % len(qs)
				if got := e.Can(qs[j].a, ObjConversation, qs[j].act, qs[j].c); got != want[j] {
					t.Errorf("goroutine %d: %s %s: got %v, want %v", g, qs[j].a.Role, qs[j].act, got, want[j])
					return
				}
				if i%50 == 0 {
					e.Scope(qs[j].a)
					e.CanRoute(models.RoleAgent, "GET", "/admin/info/conversation")
				}
			}
		}()
	}
	wg.Wait()
}
