package policies

import (
	"testing"

	"github.com/parleyhq/parley/models"
)

// TestCompiledMatchesCasbin holds Can (the compiled lines) to Casbin's own
// answer for every role, object and action of the policy, plus unknown
// ones, over conversations in every status, assigned to nobody, the actor
// or someone else, owned by the actor or not, and with no conversation.
func TestCompiledMatchesCasbin(t *testing.T) {
	e := MustNew(t)
	lines, err := e.se.GetPolicy()
	if err != nil {
		t.Fatal(err)
	}
	objs, acts := map[string]bool{"nothing": true}, map[Action]bool{"nothing": true, ManageAdmins: true, Purge: true}
	for _, p := range lines {
		objs[p[1]] = true
		if p[2] != "*" {
			acts[Action(p[2])] = true
		}
	}
	convs := []*models.Conversation{nil}
	for _, s := range models.Statuses {
		for _, assigned := range []*int64{nil, ptr(7), ptr(8)} {
			for _, customer := range []int64{7, 8} {
				convs = append(convs, &models.Conversation{ID: 1, Status: s, AssignedTo: assigned, CustomerID: customer})
			}
		}
	}
	actors := []models.Actor{{Kind: models.ActorStaff, ID: 7, Role: models.RoleCustomer}, {Kind: models.ActorCustomer, ID: 7, Role: models.RoleAgent},
		{Kind: models.ActorStaff, ID: 7, Role: "nobody"}}
	for _, role := range actorRoles {
		actors = append(actors, actorFor(role, 7))
	}
	checked, allowed := 0, 0
	for _, a := range actors {
		for obj := range objs {
			for act := range acts {
				for _, c := range convs {
					got, want := e.Can(a, obj, act, c), e.enforce(a, obj, act, c)
					if got != want {
						t.Fatalf("%s %s %s on %+v: compiled %v, casbin %v", a.Role, act, obj, c, got, want)
					}
					checked++
					if got {
						allowed++
					}
				}
			}
		}
	}
	if allowed == 0 || allowed == checked {
		t.Fatalf("%d of %d allowed: the cases do not tell allow from deny", allowed, checked)
	}
	t.Logf("%d decisions, %d allowed", checked, allowed)
}

// BenchmarkCanCompiled compares the compiled check with Casbin's (go test -bench Can ./policies).
func BenchmarkCanCompiled(b *testing.B) {
	e := MustNew(b)
	a := actorFor(models.RoleAgent, 7)
	c := &models.Conversation{ID: 1, Status: models.StatusOpen, AssignedTo: ptr(7), CustomerID: 8}
	b.Run("compiled", func(b *testing.B) {
		for b.Loop() {
			e.Can(a, ObjConversation, Reply, c)
		}
	})
	b.Run("casbin", func(b *testing.B) {
		for b.Loop() {
			e.enforce(a, ObjConversation, Reply, c)
		}
	})
}
