package inbox

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/parleyhq/parley/models"
)

// distributionPointer names the job_state row of the round-robin pointer:
// the agent who got the last conversation.
const distributionPointer = "distribution.last_agent"

// DistributeResult says what a distribution run did (or would do).
type DistributeResult struct {
	DryRun   bool
	Mode     string
	Waiting  int            // unassigned conversations waiting before the run
	Assigned int            // handed out
	PerAgent map[int64]int  // handed out per staff id
	Online   []int64        // agents online with room (auto)
	Skipped  map[string]int // per reason: no_one_online, no_capacity, manager_unavailable, taken_meanwhile
	Loads    map[int64]int  // open assigned conversations per agent after the run (auto)
}

// Distribute hands out waiting conversations (unassigned, OPEN or
// AWAITING_ADMIN), oldest first, per the settings (R17): off does nothing;
// manager gives them all to the default manager when that is an active
// staff member who may work conversations; auto gives each to the online
// agent with the fewest open assigned conversations below the capacity,
// round-robin among ties (the pointer is kept in the database), so waiting
// ones go out as capacity frees. Each assignment is conditional: a
// concurrent "Take it" wins and the conversation is skipped.
func (s *Service) Distribute(ctx context.Context, dryRun bool) (DistributeResult, error) {
	res := DistributeResult{DryRun: dryRun, PerAgent: map[int64]int{}, Skipped: map[string]int{}}
	st, err := s.store.Settings(ctx)
	if err != nil {
		return res, err
	}
	res.Mode = st.DistributionMode
	if st.DistributionMode == models.DistributionOff {
		return res, nil
	}
	waiting, err := s.store.UnassignedWaiting(ctx, 1000)
	if err != nil {
		return res, err
	}
	res.Waiting = len(waiting)
	if len(waiting) == 0 {
		return res, nil
	}
	if st.DistributionMode == models.DistributionManager {
		to := st.DistributionManager
		if to <= 0 || s.assignableStaff(ctx, to) != nil {
			res.Skipped["manager_unavailable"] = len(waiting)
			return res, nil
		}
		for _, id := range waiting {
			ok := true
			if !dryRun {
				if ok, err = s.distributeOne(ctx, id, to, false); err != nil {
					return res, err
				}
			}
			if ok {
				res.Assigned++
				res.PerAgent[to]++
			} else {
				res.Skipped["taken_meanwhile"]++
			}
		}
		return res, nil
	}
	agents, err := s.onlineAgents(ctx)
	if err != nil {
		return res, err
	}
	res.Online = agents
	if len(agents) == 0 {
		res.Skipped["no_one_online"] = len(waiting)
		return res, nil
	}
	loads, err := s.store.OpenAssignedCounts(ctx, agents)
	if err != nil {
		return res, err
	}
	last := int64(0)
	if v, ok, err := s.store.JobState(ctx, distributionPointer); err != nil {
		return res, err
	} else if ok {
		last, _ = strconv.ParseInt(v, 10, 64)
	}
	for i, id := range waiting {
		to, ok := pickAgent(agents, loads, st.DistributionCapacity, last)
		if !ok {
			res.Skipped["no_capacity"] = len(waiting) - i
			break
		}
		assigned := true
		if !dryRun {
			if assigned, err = s.distributeOne(ctx, id, to, true); err != nil {
				return res, err
			}
		}
		if !assigned {
			res.Skipped["taken_meanwhile"]++
			continue
		}
		loads[to]++
		last = to
		res.Assigned++
		res.PerAgent[to]++
	}
	res.Loads = loads
	return res, nil
}

// pickAgent chooses among agents (sorted by id) the one with the fewest
// open conversations below capacity; among equals, the first after the
// last one served, wrapping around (round-robin).
func pickAgent(agents []int64, loads map[int64]int, capacity int, last int64) (int64, bool) {
	best := -1
	for _, a := range agents {
		if loads[a] < capacity && (best < 0 || loads[a] < best) {
			best = loads[a]
		}
	}
	if best < 0 {
		return 0, false
	}
	var first int64
	for _, a := range agents {
		if loads[a] != best {
			continue
		}
		if first == 0 {
			first = a
		}
		if a > last {
			return a, true
		}
	}
	return first, true
}

// PickAgent exposes the choice for property tests.
func PickAgent(agents []int64, loads map[int64]int, capacity int, last int64) (int64, bool) {
	return pickAgent(agents, loads, capacity, last)
}

// onlineAgents lists the active agents who are online, by id.
func (s *Service) onlineAgents(ctx context.Context) ([]int64, error) {
	if s.presence == nil {
		return nil, nil
	}
	staff, err := s.store.ListStaff(ctx)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, st := range staff {
		if !st.Active || st.Role != models.RoleAgent {
			continue
		}
		on, err := s.presence.Online(ctx, models.ActorStaff, st.ID)
		if err != nil {
			return nil, fmt.Errorf("presence of %d: %w", st.ID, err)
		}
		if on {
			out = append(out, st.ID)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (s *Service) assignableStaff(ctx context.Context, id int64) error {
	return s.store.InTx(ctx, func(tx *models.Tx) error { return s.assignable(ctx, tx, id) })
}

// distributeOne assigns one waiting conversation as the system, if it is
// still unassigned and waiting; with pointer it moves the round-robin
// pointer in the same transaction.
func (s *Service) distributeOne(ctx context.Context, id, to int64, pointer bool) (bool, error) {
	assigned := false
	var ch change
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		assigned = false
		c, err := tx.LockConversation(ctx, id)
		if models.ErrorCode(err) == models.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if c.AssignedTo != nil || (c.Status != models.StatusOpen && c.Status != models.StatusAwaitingAdmin) {
			return nil
		}
		ch.before = c
		if ch.after, err = s.reassign(ctx, tx, models.System, c, &to); err != nil {
			if models.ErrorCode(err) == models.ECONFLICT {
				return nil
			}
			return err
		}
		if pointer {
			if err := tx.PutJobState(ctx, distributionPointer, strconv.FormatInt(to, 10), s.now()); err != nil {
				return err
			}
		}
		assigned = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("distribute %d: %w", id, err)
	}
	if assigned {
		s.publish(ctx, ch.events()...)
	}
	return assigned, nil
}
