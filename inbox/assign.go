package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// Take self-assigns an unassigned conversation ("Take it", R6). Of two
// simultaneous takes one wins; the other gets a conflict.
func (s *Service) Take(ctx context.Context, a models.Actor, id int64) (models.Conversation, error) {
	var ch change
	err := s.store.InTx(ctx, func(tx *models.Tx) (err error) {
		ch, err = s.take(ctx, tx, a, id)
		return err
	})
	if err != nil {
		return models.Conversation{}, fmt.Errorf("take %d: %w", id, err)
	}
	s.publish(ctx, ch.events()...)
	return ch.after, nil
}

// change is a conversation before and after an assignment, as take and
// assign found and left it under its lock.
type change struct{ before, after models.Conversation }

// events are what the assignment publishes (changed: who can read it now,
// and who could before when the assignee moved).
func (ch change) events() []Event { return changed(ch.before, &ch.after) }

func (s *Service) take(ctx context.Context, tx *models.Tx, a models.Actor, id int64) (change, error) {
	c, err := s.load(ctx, tx.Queries, a, id, true)
	if err != nil {
		if lost, lerr := s.lostTake(ctx, tx, a, c, id); lerr != nil {
			return change{}, lerr
		} else if lost {
			return change{}, models.Errorf(models.ECONFLICT, "conversation %d was already taken by someone else", id)
		}
		return change{}, err
	}
	if !a.IsStaff() {
		return change{}, models.Errorf(models.EFORBIDDEN, "only staff take conversations")
	}
	if c.AssignedTo != nil {
		if *c.AssignedTo == a.ID {
			return change{}, models.Errorf(models.ECONFLICT, "conversation %d is already yours", id)
		}
		return change{}, models.Errorf(models.ECONFLICT, "conversation %d was already taken by someone else", id)
	}
	if !s.can(a, policies.Take, &c) {
		return change{}, models.Errorf(models.EFORBIDDEN, "you may not take conversation %d", id)
	}
	after, err := s.reassign(ctx, tx, a, c, &a.ID)
	return change{c, after}, err
}

// LostTakeWindow is how long after an unassigned conversation was assigned
// a staff member who could have taken it still hears "already taken"
// (conflict) rather than not_found: long enough for the loser of two
// simultaneous takes, short enough that probing ids tells nothing (R6a).
const LostTakeWindow = 10 * time.Second

// lostTake reports whether a staff member's take of a conversation outside
// their scope lost a race (R6): unassigned they could have seen and taken
// it, and it went from unassigned to its assignee within LostTakeWindow.
// Every other access to the thread stays not_found (R6a), a take of a
// thread assigned earlier, or handed from one assignee to another, included.
func (s *Service) lostTake(ctx context.Context, tx *models.Tx, a models.Actor, c models.Conversation, id int64) (bool, error) {
	if !a.IsStaff() || c.ID != id || c.AssignedTo == nil {
		return false, nil
	}
	free := c
	free.AssignedTo = nil
	if !s.can(a, policies.Read, &free) || !s.can(a, policies.Take, &free) {
		return false, nil
	}
	evs, err := tx.LastEvents(ctx, c.ID, []string{EventAssigned, EventUnassigned}, 2)
	if err != nil {
		return false, err
	}
	if len(evs) == 0 || evs[0].Event != EventAssigned {
		return false, nil
	}
	if len(evs) == 2 && evs[1].Event == EventAssigned {
		return false, nil // handed over from another assignee: never free meanwhile
	}
	return s.now().Sub(evs[0].CreatedAt) <= LostTakeWindow, nil
}

// Assign gives a conversation to a staff member who holds the
// conversation-management right, or unassigns it with to == nil ("Assign
// it", chat admins, R6). An agent naming themselves on an unassigned
// conversation takes it.
func (s *Service) Assign(ctx context.Context, a models.Actor, id int64, to *int64) (models.Conversation, error) {
	var ch change
	err := s.store.InTx(ctx, func(tx *models.Tx) (err error) {
		ch, err = s.assign(ctx, tx, a, id, to)
		return err
	})
	if err != nil {
		return models.Conversation{}, fmt.Errorf("assign %d: %w", id, err)
	}
	s.publish(ctx, ch.events()...)
	return ch.after, nil
}

func (s *Service) assign(ctx context.Context, tx *models.Tx, a models.Actor, id int64, to *int64) (change, error) {
	if to != nil && *to == a.ID && a.IsStaff() && !s.can(a, policies.Assign, nil) {
		return s.take(ctx, tx, a, id)
	}
	c, err := s.load(ctx, tx.Queries, a, id, true)
	if err != nil {
		return change{}, err
	}
	if !a.IsStaff() && a.Kind != models.ActorSystem {
		return change{}, models.Errorf(models.EFORBIDDEN, "only staff assign conversations")
	}
	if !s.can(a, policies.Assign, &c) {
		return change{}, models.Errorf(models.EFORBIDDEN, "you may not assign conversation %d", id)
	}
	if sameAssignee(c.AssignedTo, to) {
		return change{c, c}, nil
	}
	if to != nil {
		if err := s.assignable(ctx, tx, *to); err != nil {
			return change{}, err
		}
	}
	after, err := s.reassign(ctx, tx, a, c, to)
	return change{c, after}, err
}

func sameAssignee(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// assignable checks the target is an active staff member whose role may
// work conversations.
func (s *Service) assignable(ctx context.Context, tx *models.Tx, staffID int64) error {
	st, err := tx.StaffMember(ctx, staffID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return models.Errorf(models.EINVALID, "staff user %d does not exist", staffID)
	} else if err != nil {
		return err
	}
	if !st.Active {
		return models.Errorf(models.EINVALID, "staff user %s is deactivated", st.Username)
	}
	for _, r := range s.pol.HolderRoles("conversation", policies.Reply) {
		if r == st.Role {
			return nil
		}
	}
	return models.Errorf(models.EINVALID, "staff user %s may not work conversations", st.Username)
}

// reassign moves a locked conversation from its current assignee to `to`
// with a compare-and-set, then records the event.
func (s *Service) reassign(ctx context.Context, tx *models.Tx, a models.Actor, c models.Conversation, to *int64) (models.Conversation, error) {
	now := s.now()
	ok, err := tx.SetAssigneeIf(ctx, c.ID, c.AssignedTo, to, now)
	if err != nil {
		return c, err
	}
	if !ok {
		return c, models.Errorf(models.ECONFLICT, "conversation %d was assigned by someone else meanwhile", c.ID)
	}
	before := viewOf(c)
	c.AssignedTo = to
	name, body := EventUnassigned, "Unassigned"
	if to != nil {
		name = EventAssigned
		body = fmt.Sprintf("Assigned to staff #%d", *to)
		if st, err := tx.StaffMember(ctx, *to); err == nil {
			body = "Assigned to " + st.Username
		}
	}
	if err := s.event(ctx, tx, &c, a, name, body, false); err != nil {
		return c, err
	}
	if err := tx.SaveConversation(ctx, c); err != nil {
		return c, err
	}
	return c, s.audit(ctx, tx, a, "conversation."+name, "conversation", c.ID, before, viewOf(c))
}
