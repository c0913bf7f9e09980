package inbox_test

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
)

const day = 24 * time.Hour

func TestAutoClose(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		take := func(id int64) {
			if _, err := e.svc.Take(e.ctx, e.agent, id); err != nil {
				t.Fatal(err)
			}
		}
		_, awaitingUser := e.MustCustomerConv()
		take(awaitingUser.ID)
		e.MustSend(e.agent, awaitingUser.ID, models.KindReply, "here you go")
		_, resolved := e.MustCustomerConv()
		take(resolved.ID)
		e.MustChangeStatus(e.agent, resolved.ID, models.StatusResolved, "")
		cuA, awaitingAdmin := e.MustCustomerConv()
		take(awaitingAdmin.ID)
		e.MustSend(e.agent, awaitingAdmin.ID, models.KindReply, "answer")
		e.MustSend(cuA, awaitingAdmin.ID, models.KindReply, "one more question")
		_, unassigned := e.MustCustomerConv()
		_, escalated := e.MustConvIn(models.StatusEscalated)
		_, noted := e.MustCustomerConv()
		take(noted.ID)
		e.MustSend(e.agent, noted.ID, models.KindReply, "answer")

		e.clock.Advance(6 * day)
		// A note and a staff-only event are not activity.
		e.MustSend(e.agent, noted.ID, models.KindNote, "customer is slow")
		e.clock.Advance(2 * day)

		dry, err := e.svc.AutoClose(e.ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if dry.ClosedAssigned != 3 || dry.ClosedUnassigned != 0 {
			t.Errorf("dry run at day 8: %+v, want 3 assigned", dry)
		}
		if got := e.MustConv(awaitingUser.ID); got.Status != models.StatusAwaitingUser {
			t.Fatalf("the dry run closed %d", got.ID)
		}
		res, err := e.svc.AutoClose(e.ctx, false)
		if err != nil || res.ClosedAssigned != 3 || res.ClosedUnassigned != 0 {
			t.Fatalf("day 8: %+v, %v", res, err)
		}
		status := func(id int64) models.Status { return e.MustConv(id).Status }
		for _, id := range []int64{awaitingUser.ID, resolved.ID, noted.ID} {
			if status(id) != models.StatusClosed {
				t.Errorf("conversation %d: %s, want CLOSED", id, status(id))
			}
			audits := e.audits("conversation", id)
			if last := audits[len(audits)-1]; last.ActorType != models.ActorSystem || last.Action != "conversation.status" {
				t.Errorf("conversation %d: last audit %+v", id, last)
			}
		}
		for _, id := range []int64{awaitingAdmin.ID, unassigned.ID, escalated.ID} {
			if status(id) == models.StatusClosed {
				t.Errorf("conversation %d closed too early", id)
			}
		}
		if res, err := e.svc.AutoClose(e.ctx, false); err != nil || res.ClosedAssigned+res.ClosedUnassigned != 0 {
			t.Errorf("second run at day 8: %+v, %v", res, err)
		}

		e.clock.Advance(23 * day) // day 31
		res, err = e.svc.AutoClose(e.ctx, false)
		if err != nil || res.ClosedUnassigned != 1 || res.ClosedAssigned != 0 {
			t.Fatalf("day 31: %+v, %v", res, err)
		}
		if status(unassigned.ID) != models.StatusClosed || status(escalated.ID) != models.StatusEscalated || status(awaitingAdmin.ID) != models.StatusAwaitingAdmin {
			t.Errorf("day 31: unassigned %s, escalated %s, awaiting admin %s", status(unassigned.ID), status(escalated.ID), status(awaitingAdmin.ID))
		}
	})
}

func TestAutoCloseThenCustomerWritesLandsInFollowUp(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu, c := e.MustCustomerConv()
		e.clock.Advance(31 * day)
		if res, err := e.svc.AutoClose(e.ctx, false); err != nil || res.ClosedUnassigned != 1 {
			t.Fatalf("auto-close: %+v, %v", res, err)
		}
		_, landed := e.MustSend(cu, c.ID, models.KindReply, "back again")
		if landed.ID == c.ID || landed.FollowUpOf == nil || *landed.FollowUpOf != c.ID {
			t.Errorf("customer message after the close landed in %+v", landed)
		}
	})
}

func TestAutoCloseOffAtZero(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.setSetting(models.SettingAutoCloseUnassigned, "0")
		e.MustCustomerConv()
		e.clock.Advance(400 * day)
		if res, err := e.svc.AutoClose(e.ctx, false); err != nil || res.ClosedUnassigned != 0 {
			t.Fatalf("auto-close off: %+v, %v", res, err)
		}
	})
}

// R16: idle means no message from either side. A public status event
// (resolving the thread) moves public_last_at but is not a message: the
// thread closes auto_close_after days after its last reply, not after
// the event; a reply after the cut-off keeps it open.
func TestAutoCloseIgnoresStatusEvents(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		_, c := e.MustCustomerConv()
		if _, err := e.svc.Take(e.ctx, e.agent, c.ID); err != nil {
			t.Fatal(err)
		}
		e.MustSend(e.agent, c.ID, models.KindReply, "here you go")
		_, kept := e.MustCustomerConv()
		if _, err := e.svc.Take(e.ctx, e.agent, kept.ID); err != nil {
			t.Fatal(err)
		}
		e.MustSend(e.agent, kept.ID, models.KindReply, "first answer")
		t0 := e.clock.Now()
		e.clock.Advance(6 * day)
		e.MustChangeStatus(e.agent, c.ID, models.StatusResolved, "") // a public event, no message
		e.MustSend(e.agent, kept.ID, models.KindReply, "second answer")
		e.MustChangeStatus(e.agent, kept.ID, models.StatusResolved, "")
		if got := e.MustConv(c.ID); !got.PublicLastAt.After(t0.Add(5 * day)) {
			t.Fatalf("the resolved event did not move public_last_at: %v", got.PublicLastAt)
		}
		e.clock.Advance(2 * day) // 8 days after the first reply, 2 after the event
		res, err := e.svc.AutoClose(e.ctx, false)
		if err != nil || res.ClosedAssigned != 1 {
			t.Fatalf("auto-close: %+v, %v", res, err)
		}
		if got := e.MustConv(c.ID); got.Status != models.StatusClosed {
			t.Errorf("idle since its last reply 8 days ago: %s, want CLOSED", got.Status)
		}
		if got := e.MustConv(kept.ID); got.Status != models.StatusResolved {
			t.Errorf("replied 2 days ago: %s, want RESOLVED", got.Status)
		}
	})
}
