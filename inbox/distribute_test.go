package inbox_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// fakePresence is who is online, set by hand.
type fakePresence struct {
	mu     sync.Mutex
	online map[int64]bool
}

func (p *fakePresence) Online(_ context.Context, kind models.ActorKind, id int64) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return kind == models.ActorStaff && p.online[id], nil
}

func (p *fakePresence) Touch(context.Context, models.ActorKind, int64) error { return nil }

func (e *env) distributor(online ...models.Actor) *inbox.Service {
	p := &fakePresence{online: map[int64]bool{}}
	for _, a := range online {
		p.online[a.ID] = true
	}
	return inbox.New(e.st, e.pol, e.clock, nil, inbox.WithPresence(p))
}

func TestDistributeOffAndManager(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		svc := e.distributor(e.agent, e.agent2)
		_, c1 := e.MustCustomerConv()
		_, c2 := e.MustCustomerConv()
		if res, err := svc.Distribute(e.ctx, false); err != nil || res.Assigned != 0 {
			t.Fatalf("off: %+v, %v", res, err)
		}
		e.setSetting(models.SettingDistributionMode, models.DistributionManager)
		e.setSetting(models.SettingDistributionManager, "999999")
		if res, err := svc.Distribute(e.ctx, false); err != nil || res.Assigned != 0 || res.Skipped["manager_unavailable"] != 2 {
			t.Fatalf("unknown manager: %+v, %v", res, err)
		}
		e.setSetting(models.SettingDistributionManager, strconv.FormatInt(e.chatAdmin.ID, 10))
		dry, err := svc.Distribute(e.ctx, true)
		if err != nil || dry.Assigned != 2 || e.MustConv(c1.ID).AssignedTo != nil {
			t.Fatalf("manager dry run: %+v, %v", dry, err)
		}
		if res, err := svc.Distribute(e.ctx, false); err != nil || res.Assigned != 2 {
			t.Fatalf("manager: %+v, %v", res, err)
		}
		for _, id := range []int64{c1.ID, c2.ID} {
			if got := e.MustConv(id).AssignedTo; got == nil || *got != e.chatAdmin.ID {
				t.Errorf("conversation %d assigned to %v", id, got)
			}
			audits := e.audits("conversation", id)
			if last := audits[len(audits)-1]; last.Action != "conversation.assigned" || last.ActorType != models.ActorSystem {
				t.Errorf("audit %+v", last)
			}
		}
	})
}

func TestDistributeAuto(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.setSetting(models.SettingDistributionMode, models.DistributionAuto)
		e.setSetting(models.SettingDistributionCapacity, "2")
		agent3 := e.MustStaff("agent3", models.RoleAgent) // offline
		svc := e.distributor(e.agent, e.agent2, e.chatAdmin)
		var convs []models.Conversation
		for range 5 {
			_, c := e.MustCustomerConv()
			convs = append(convs, c)
		}
		res, err := svc.Distribute(e.ctx, false)
		if err != nil || res.Assigned != 4 || res.Skipped["no_capacity"] != 1 {
			t.Fatalf("first run: %+v, %v", res, err)
		}
		if res.PerAgent[e.agent.ID] != 2 || res.PerAgent[e.agent2.ID] != 2 || res.PerAgent[agent3.ID] != 0 || res.PerAgent[e.chatAdmin.ID] != 0 {
			t.Errorf("per agent %v: only online agents, 2 each", res.PerAgent)
		}
		// Round-robin: the first four alternate between the two agents.
		var order []int64
		for _, c := range convs[:4] {
			order = append(order, *e.MustConv(c.ID).AssignedTo)
		}
		if order[0] == order[1] || order[0] != order[2] || order[1] != order[3] {
			t.Errorf("assignment order %v is not round-robin", order)
		}
		if e.MustConv(convs[4].ID).AssignedTo != nil {
			t.Fatal("a fifth conversation went over capacity")
		}
		// Capacity frees: agent2 resolves one; the waiting one goes to them.
		var freed int64
		for _, c := range convs[:4] {
			if *e.MustConv(c.ID).AssignedTo == e.agent2.ID {
				freed = c.ID
				break
			}
		}
		e.MustChangeStatus(e.agent2, freed, models.StatusResolved, "")
		res, err = svc.Distribute(e.ctx, false)
		if err != nil || res.Assigned != 1 {
			t.Fatalf("second run: %+v, %v", res, err)
		}
		if got := e.MustConv(convs[4].ID).AssignedTo; got == nil || *got != e.agent2.ID {
			t.Errorf("waiting conversation went to %v, want agent2", got)
		}
	})
}

// TestDistributeRacesTake: a concurrent "Take it" wins cleanly — every
// conversation ends with one assignee and one assignment event.
func TestDistributeRacesTake(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.setSetting(models.SettingDistributionMode, models.DistributionAuto)
		svc := e.distributor(e.agent)
		var convs []models.Conversation
		for range 6 {
			_, c := e.MustCustomerConv()
			convs = append(convs, c)
		}
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := svc.Distribute(e.ctx, false); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			for _, c := range convs {
				if _, err := e.svc.Take(e.ctx, e.agent2, c.ID); err != nil && models.ErrorCode(err) != models.ECONFLICT && models.ErrorCode(err) != models.ENOTFOUND {
					t.Errorf("take %d: %v", c.ID, err)
				}
			}
		}()
		wg.Wait()
		for _, c := range convs {
			if e.MustConv(c.ID).AssignedTo == nil {
				t.Errorf("conversation %d unassigned", c.ID)
			}
			if n := e.count("messages", "conversation_id = ? AND event = ?", c.ID, inbox.EventAssigned); n != 1 {
				t.Errorf("conversation %d: %d assignment events", c.ID, n)
			}
		}
	})
}

// TestPickAgentSpreadProperty: with equal capacities, handing out any
// number of conversations one by one keeps every agent within one of the
// others, never over capacity, and serves ties in turn.
func TestPickAgentSpreadProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 2000 {
		n := 1 + r.IntN(8)
		capacity := 1 + r.IntN(12)
		var agents []int64
		for len(agents) < n {
			id := int64(1 + r.IntN(100))
			if !slices.Contains(agents, id) {
				agents = append(agents, id)
			}
		}
		slices.Sort(agents)
		loads := map[int64]int{}
		last := int64(r.IntN(101))
		k := r.IntN(n*capacity + 5)
		for i := range k {
			to, ok := inbox.PickAgent(agents, loads, capacity, last)
			if i >= n*capacity {
				if ok {
					t.Fatalf("trial %d: assigned over capacity", trial)
				}
				break
			}
			if !ok {
				t.Fatalf("trial %d: no agent with %d of %d handed out", trial, i, n*capacity)
			}
			loads[to]++
			last = to
			lo, hi := capacity, 0
			for _, a := range agents {
				lo, hi = min(lo, loads[a]), max(hi, loads[a])
			}
			if hi-lo > 1 || hi > capacity {
				t.Fatalf("trial %d: loads %v spread %d..%d", trial, loads, lo, hi)
			}
		}
	}
}
