package inbox_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

func (e *env) MustSetting(name, value string) {
	e.t.Helper()
	if err := e.st.PutSetting(e.ctx, name, value, e.clock.Now()); err != nil {
		e.t.Fatalf("setting %s: %v", name, err)
	}
}

// monthly reads a month's counter of inbound customer messages.
func (e *env) monthly(month string) int {
	e.t.Helper()
	n, err := e.st.MonthlyCustomerMessages(e.ctx, month)
	if err != nil {
		e.t.Fatalf("monthly usage %s: %v", month, err)
	}
	return n
}

// wantMonthFull checks a refusal by R10 that stored nothing.
func (e *env) wantMonthFull(step string, send func() error) {
	e.t.Helper()
	before := e.rows()
	err := send()
	if models.ErrorCode(err) != models.EFORBIDDEN || models.AsError(err).Message != "the store cannot take more messages this month; please try again later" {
		e.t.Errorf("%s: %v; want the monthly cap's refusal", step, err)
	}
	e.sameRows(before)
}

// TestMonthlyCap: R10. Inbound customer messages are counted per calendar
// month in the store's time zone (a customer's Start and a message landing
// in a follow-up included; staff replies and notes not); over the cap
// customers' sends and starts are refused and store nothing, staff still
// write; the next month starts from zero.
func TestMonthlyCap(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		june := "2025-06"
		if got := models.MonthOf(e.clock.Now(), time.UTC); got != june {
			t.Fatalf("set-up: clock in %s", got)
		}
		// Uncapped (the default) months are counted too.
		cu, c := e.MustCustomerConv()
		if n := e.monthly(june); n != 1 {
			t.Fatalf("after a customer's start, %s counted %d; want 1", june, n)
		}
		e.MustSetting(models.SettingMaxCustomerMonthly, "3")
		e.MustSend(cu, c.ID, models.KindReply, "second")
		e.MustSend(e.agent, c.ID, models.KindReply, "staff reply, not counted")
		e.MustSend(e.agent, c.ID, models.KindNote, "note, not counted")
		e.MustStart(e.agent, inbox.StartInput{CustomerID: cu.ID, Subject: "Outreach", Body: "not counted"})
		e.MustChangeStatus(e.chatAdmin, c.ID, models.StatusClosed, "")
		if _, f := e.MustSend(cu, c.ID, models.KindReply, "third, in a follow-up"); f.ID == c.ID {
			t.Fatalf("set-up: no follow-up")
		}
		if n := e.monthly(june); n != 3 {
			t.Fatalf("%s counted %d; want 3", june, n)
		}

		other := e.MustCustomer()
		full := func(step string) {
			t.Helper()
			e.wantMonthFull(step+": send", func() error { _, _, err := e.svc.Send(e.ctx, cu, c.ID, models.KindReply, "fourth"); return err })
			e.wantMonthFull(step+": start", func() error {
				_, _, err := e.svc.Start(e.ctx, other, inbox.StartInput{Subject: "S", Body: "B"})
				return err
			})
		}
		full("cap reached")
		if n := e.monthly(june); n != 3 {
			t.Errorf("refusals counted: %s = %d; want 3", june, n)
		}
		e.MustSend(e.agent, c.ID, models.KindReply, "staff write on")

		// Month boundaries follow the store's time zone (UTC by default).
		e.clock.Advance(time.Date(2025, 6, 30, 22, 30, 0, 0, time.UTC).Sub(e.clock.Now()))
		full("22:30 UTC on June 30")
		e.MustSetting(models.SettingTimeZone, "Europe/Berlin") // 00:30 on July 1 there
		e.MustSend(cu, c.ID, models.KindReply, "first of July in Berlin")
		if n := e.monthly("2025-07"); n != 1 {
			t.Errorf("2025-07 counted %d; want 1", n)
		}
		e.MustSetting(models.SettingTimeZone, "Nowhere/Unknown") // unknown: UTC
		full("unknown time zone, June 30 in UTC")
		e.MustSetting(models.SettingTimeZone, "")
		full("no time zone, June 30 in UTC")
		e.clock.Advance(90 * time.Minute) // July in UTC too
		e.MustSend(cu, c.ID, models.KindReply, "first of July in UTC")
		if n, m := e.monthly(june), e.monthly("2025-07"); n != 3 || m != 2 {
			t.Errorf("counters June %d, July %d; want 3 and 2", n, m)
		}

		// -1 lifts the cap; 0 refuses every inbound message.
		e.MustSetting(models.SettingMaxCustomerMonthly, "-1")
		e.MustStart(other, inbox.StartInput{Subject: "S", Body: "B"})
		e.MustSetting(models.SettingMaxCustomerMonthly, "0")
		full("cap 0")
	})
}

// TestMonthlyCapRace: R10 under concurrency. Of N customers sending at
// once into the month's last slot exactly one gets through; the others are
// refused and their messages are not stored.
func TestMonthlyCapRace(t *testing.T) {
	const senders, rounds = 6, 5
	eachEnv(t, func(t *testing.T, e *env) {
		month := models.MonthOf(e.clock.Now(), time.UTC)
		custs := make([]models.Actor, senders)
		convs := make([]models.Conversation, senders)
		for i := range custs {
			custs[i], convs[i] = e.MustCustomerConv()
		}
		// raceSends has every customer send at once and counts the sends
		// that passed; any refusal but the monthly cap fails the test.
		raceSends := func(what string) int {
			sends := make([]func() error, senders)
			for i := range sends {
				sends[i] = func() error {
					_, _, err := e.svc.Send(e.ctx, custs[i], convs[i].ID, models.KindReply, what)
					return err
				}
			}
			passed := 0
			for i, err := range race(sends...) {
				switch models.ErrorCode(err) {
				case "":
					passed++
				case models.EFORBIDDEN:
				default:
					t.Errorf("%s: sender %d: %v; want success or the monthly cap", what, i, err)
				}
			}
			return passed
		}
		for round := range rounds {
			inbound := e.count("messages", "kind = ? AND author_type = ?", models.KindReply, models.ActorCustomer)
			e.MustSetting(models.SettingMaxCustomerMonthly, strconv.Itoa(inbound+1))
			replies := e.count("messages", "kind = ?", models.KindReply)
			outbox := e.count("outbox", "")
			passed := raceSends(fmt.Sprintf("round %d", round))
			if passed != 1 {
				t.Errorf("round %d: %d sends passed the last slot; want 1", round, passed)
			}
			if n := e.count("messages", "kind = ?", models.KindReply); n != replies+passed {
				t.Errorf("round %d: %d replies stored; want %d", round, n-replies, passed)
			}
			if n := e.count("outbox", ""); n != outbox+passed {
				t.Errorf("round %d: %d notifications queued; want %d", round, n-outbox, passed)
			}
			if n := e.monthly(month); n != inbound+passed {
				t.Errorf("round %d: counter %d; want %d", round, n, inbound+passed)
			}
		}

		// The first messages of a month race to create its counter: with one
		// slot exactly one passes; uncapped, all pass and all count.
		for _, tc := range []struct {
			max, want int
		}{{1, 1}, {-1, senders}} {
			e.clock.Advance(31 * 24 * time.Hour)
			month := models.MonthOf(e.clock.Now(), time.UTC)
			e.MustSetting(models.SettingMaxCustomerMonthly, strconv.Itoa(tc.max))
			passed := raceSends(fmt.Sprintf("%s, cap %d", month, tc.max))
			if n := e.monthly(month); passed != tc.want || n != tc.want {
				t.Errorf("%s, cap %d: %d passed, %d counted; want %d", month, tc.max, passed, n, tc.want)
			}
		}
	})
}
