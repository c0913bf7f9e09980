package inbox_test

import (
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

const raceRounds = 20

// assignEvents counts a conversation's assigned events and audit entries.
func (e *env) assignEvents(id int64) (events, audits int) {
	e.t.Helper()
	events = e.count("messages", "conversation_id = ? AND event = ?", id, inbox.EventAssigned)
	audits = e.count("audit_log", "subject_type = ? AND subject_id = ? AND action = ?", "conversation", id, "conversation.assigned")
	return
}

// TestTakeRace: R6. Of two simultaneous "Take it", exactly one wins and the
// other gets conflict; the row has exactly one assignee.
func TestTakeRace(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu := e.MustCustomer()
		for round := range raceRounds {
			c := e.MustStart(e.chatAdmin, inbox.StartInput{CustomerID: cu.ID, Subject: "Race", Body: "Who takes it?"})
			takers := []models.Actor{e.agent, e.agent2}
			errs := race(
				func() error { _, err := e.svc.Take(e.ctx, takers[0], c.ID); return err },
				func() error { _, err := e.svc.Take(e.ctx, takers[1], c.ID); return err },
			)
			winner := -1
			for i, err := range errs {
				switch models.ErrorCode(err) {
				case "":
					if winner >= 0 {
						t.Fatalf("round %d: both takes succeeded", round)
					}
					winner = i
				case models.ECONFLICT:
				default:
					t.Fatalf("round %d: taker %d: %v; want success or conflict", round, i, err)
				}
			}
			if winner < 0 {
				t.Fatalf("round %d: no take succeeded: %v", round, errs)
			}
			got := e.MustConv(c.ID)
			if got.AssignedTo == nil || *got.AssignedTo != takers[winner].ID {
				t.Fatalf("round %d: assignee %s; want the winner %d", round, idOf(got.AssignedTo), takers[winner].ID)
			}
			if ev, au := e.assignEvents(c.ID); ev != 1 || au != 1 {
				t.Fatalf("round %d: %d assigned events, %d audit entries; want 1 and 1", round, ev, au)
			}
		}
	})
}

// TestUpdateTakeRace: the same through Update (PATCH assigned_to=self):
// the loser hears conflict, not not_found.
func TestUpdateTakeRace(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu := e.MustCustomer()
		for round := range raceRounds {
			c := e.MustStart(e.chatAdmin, inbox.StartInput{CustomerID: cu.ID, Subject: "Race", Body: "Who takes it?"})
			takers := []models.Actor{e.agent, e.agent2}
			take := func(a models.Actor) func() error {
				return func() error {
					_, err := e.svc.Update(e.ctx, a, c.ID, inbox.Update{SetAssignee: true, AssignTo: &a.ID})
					return err
				}
			}
			errs := race(take(takers[0]), take(takers[1]))
			winners := 0
			for i, err := range errs {
				switch models.ErrorCode(err) {
				case "":
					winners++
				case models.ECONFLICT:
				default:
					t.Errorf("round %d: taker %d: %v; want success or conflict", round, i, err)
				}
			}
			if winners != 1 {
				t.Fatalf("round %d: %d takes succeeded; want 1: %v", round, winners, errs)
			}
			if ev, au := e.assignEvents(c.ID); ev != 1 || au != 1 {
				t.Fatalf("round %d: %d assigned events, %d audit entries; want 1 and 1", round, ev, au)
			}
		}
	})
}

// TestAssignTakeRace: a chat admin assigning to agent2 while agent takes.
// Whatever the order, the row ends with exactly one assignee, each event is
// recorded once per change, and a losing take is a conflict.
func TestAssignTakeRace(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu := e.MustCustomer()
		outcomes := map[string]int{}
		for round := range raceRounds {
			c := e.MustStart(e.chatAdmin, inbox.StartInput{CustomerID: cu.ID, Subject: "Race", Body: "Who gets it?"})
			errs := race(
				func() error { _, err := e.svc.Take(e.ctx, e.agent, c.ID); return err },
				func() error { _, err := e.svc.Assign(e.ctx, e.chatAdmin, c.ID, &e.agent2.ID); return err },
			)
			takeErr, assignErr := errs[0], errs[1]
			if assignErr != nil {
				t.Fatalf("round %d: assign: %v", round, assignErr)
			}
			got := e.MustConv(c.ID)
			if got.AssignedTo == nil || *got.AssignedTo != e.agent2.ID {
				t.Fatalf("round %d: assignee %s; want agent2 (%d), the chat admin's choice", round, idOf(got.AssignedTo), e.agent2.ID)
			}
			ev, au := e.assignEvents(c.ID)
			switch models.ErrorCode(takeErr) {
			case models.ECONFLICT: // the assignment came first
				outcomes["assign first"]++
				if ev != 1 || au != 1 {
					t.Fatalf("round %d: %d events, %d audits; want 1 and 1", round, ev, au)
				}
			case "": // the take came first, the chat admin then reassigned
				outcomes["take first"]++
				if ev != 2 || au != 2 {
					t.Fatalf("round %d: %d events, %d audits; want 2 and 2", round, ev, au)
				}
			default:
				t.Fatalf("round %d: take: %v; want success or conflict", round, takeErr)
			}
		}
		t.Logf("outcomes: %v", outcomes)
	})
}

// TestDeleteReplyRace: R2 against a staff reply on a CLOSED conversation.
// Either the delete wins (the reply is not_found) or the reply wins (the
// delete is a conflict): never both, never a half state.
func TestDeleteReplyRace(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu := e.MustCustomer()
		outcomes := map[string]int{}
		for round := range raceRounds {
			c := e.MustStart(e.chatAdmin, inbox.StartInput{CustomerID: cu.ID, Subject: "Race", Body: "Closing soon"})
			e.MustChangeStatus(e.chatAdmin, c.ID, models.StatusClosed, "")
			msgs := e.count("messages", "conversation_id = ?", c.ID)
			errs := race(
				func() error { return e.svc.Delete(e.ctx, e.chatAdmin, c.ID) },
				func() error {
					_, _, err := e.svc.Send(e.ctx, e.agent, c.ID, models.KindReply, "Wait, one more thing")
					return err
				},
			)
			delErr, replyErr := errs[0], errs[1]
			switch {
			case delErr == nil && models.ErrorCode(replyErr) == models.ENOTFOUND:
				outcomes["delete won"]++
				if n := e.count("conversations", "id = ?", c.ID); n != 0 {
					t.Fatalf("round %d: delete won but the conversation is still there", round)
				}
				if n := e.count("messages", "conversation_id = ?", c.ID); n != 0 {
					t.Fatalf("round %d: delete won but %d messages remain", round, n)
				}
			case replyErr == nil && models.ErrorCode(delErr) == models.ECONFLICT:
				outcomes["reply won"]++
				got := e.MustConv(c.ID)
				if got.Status != models.StatusAwaitingUser {
					t.Fatalf("round %d: reply won but status is %s", round, got.Status)
				}
				if n := e.count("messages", "conversation_id = ? AND kind = ?", c.ID, models.KindReply); n != 2 {
					t.Fatalf("round %d: %d replies; want 2", round, n)
				}
				if n := e.count("messages", "conversation_id = ?", c.ID); n <= msgs {
					t.Fatalf("round %d: messages %d, not more than %d", round, n, msgs)
				}
			default:
				t.Fatalf("round %d: delete: %v, reply: %v; want exactly one to win", round, delErr, replyErr)
			}
		}
		t.Logf("outcomes: %v", outcomes)
	})
}
