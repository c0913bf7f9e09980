package inbox_test

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

func TestDurationBucketsWithinFivePercent(t *testing.T) {
	for _, d := range []time.Duration{time.Second, 42 * time.Second, 7 * time.Minute, 3 * time.Hour, 50 * time.Hour, 40 * 24 * time.Hour} {
		got := models.BucketDuration(models.DurationBucket(d))
		if diff := float64(got-d) / float64(d); diff > 0.05 || diff < -0.05 {
			t.Errorf("%v reads back as %v (%.1f%%)", d, got, diff*100)
		}
	}
	if models.DurationBucket(300*time.Millisecond) != 0 || models.BucketDuration(0) != 0 {
		t.Error("sub-second durations are bucket 0")
	}
}

// near checks a histogram figure within the buckets' 5%.
func near(t *testing.T, what string, got, want time.Duration) {
	t.Helper()
	if diff := float64(got-want) / float64(want); diff > 0.05 || diff < -0.05 {
		t.Errorf("%s = %v, want about %v", what, got, want)
	}
}

// The dashboard's first-response and resolution times come from the daily
// histograms: each conversation counts once, under the replier (first
// response) or its assignee (resolution); notes are not responses; a
// reopened thread resolved again does not count twice; staff outreach (R5)
// has no first response.
func TestDashboardTimings(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		var custs []models.Actor
		var convs []models.Conversation
		for range 3 {
			cu, c := e.MustCustomerConv()
			custs, convs = append(custs, cu), append(convs, c)
		}
		outreach := e.MustStart(e.agent, inbox.StartInput{CustomerID: custs[2].ID, Subject: "We reached out", Body: "Hello from the store"})
		e.clock.Advance(10 * time.Minute)
		e.MustSend(e.agent, convs[0].ID, models.KindNote, "a note is not a response")
		e.clock.Advance(5 * time.Minute)
		first, _ := e.MustSend(e.agent, convs[0].ID, models.KindReply, "first answer after 15 minutes")
		e.clock.Advance(15 * time.Minute)
		e.MustSend(e.agent, convs[0].ID, models.KindReply, "a second answer does not count")
		e.MustSend(e.agent, outreach.ID, models.KindReply, "a reply to the store's own outreach is no first response")
		// The stamp is the first public reply's time, set once (the send's
		// one conversation UPDATE writes it); outreach keeps its start.
		for _, tc := range []struct {
			id   int64
			want time.Time
		}{{convs[0].ID, first.CreatedAt}, {outreach.ID, outreach.CreatedAt}} {
			c, err := e.st.Conversation(e.ctx, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if c.FirstResponseAt == nil || !c.FirstResponseAt.Equal(tc.want) {
				t.Errorf("conversation %d: first response stamped %v; want %v", tc.id, c.FirstResponseAt, tc.want)
			}
		}
		if c, err := e.st.Conversation(e.ctx, convs[2].ID); err != nil || c.FirstResponseAt != nil {
			t.Errorf("unanswered conversation: first response %v, %v; want none", c.FirstResponseAt, err)
		}
		e.MustSend(e.chatAdmin, convs[1].ID, models.KindReply, "answer after 30 minutes")
		e.clock.Advance(30 * time.Minute)
		e.MustChangeStatus(e.chatAdmin, convs[1].ID, models.StatusResolved, "")  // resolved after an hour
		e.MustSend(custs[1], convs[1].ID, models.KindReply, "one more question") // reopened
		e.clock.Advance(time.Hour)
		e.MustChangeStatus(e.chatAdmin, convs[1].ID, models.StatusClosed, "") // not counted again

		all, err := e.svc.Metrics(e.ctx, e.owner, inbox.Period{})
		if err != nil {
			t.Fatal(err)
		}
		if all.Scoped || all.FirstResponse.Count != 2 || all.Resolution.Count != 1 || all.Conversations != 3 {
			t.Fatalf("owner's dashboard: scoped=%v first responses %d, resolutions %d, conversations %d; want 2, 1, 3",
				all.Scoped, all.FirstResponse.Count, all.Resolution.Count, all.Conversations)
		}
		near(t, "median first response", all.FirstResponse.Median, 15*time.Minute) // of 15 and 30 minutes, the lower
		near(t, "p90 first response", all.FirstResponse.P90, 15*time.Minute)
		near(t, "median resolution", all.Resolution.Median, time.Hour)

		mine, err := e.svc.Metrics(e.ctx, e.agent, inbox.Period{})
		if err != nil {
			t.Fatal(err)
		}
		if !mine.Scoped || mine.FirstResponse.Count != 1 || mine.Resolution.Count != 0 || mine.Conversations != 0 {
			t.Fatalf("agent's dashboard: scoped=%v first responses %d, resolutions %d, conversations %d; want their own 1, 0, 0",
				mine.Scoped, mine.FirstResponse.Count, mine.Resolution.Count, mine.Conversations)
		}
	})
}

// The live counts cover what the caller may read (R6): an agent's exclude
// another agent's threads; per-agent load shows only what they may see.
func TestDashboardCountsInScope(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		_, mine := e.MustCustomerConv()
		_, theirs := e.MustCustomerConv()
		_, nobodys := e.MustCustomerConv()
		_, esc := e.MustCustomerConv()
		if _, err := e.svc.Take(e.ctx, e.agent, mine.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Take(e.ctx, e.agent2, theirs.ID); err != nil {
			t.Fatal(err)
		}
		e.MustSend(e.agent2, theirs.ID, models.KindReply, "on it")
		e.MustChangeStatus(e.chatAdmin, esc.ID, models.StatusEscalated, "refund")
		_ = nobodys

		all, err := e.svc.Metrics(e.ctx, e.chatAdmin, inbox.Period{})
		if err != nil {
			t.Fatal(err)
		}
		if all.Open != 2 || all.AwaitingUser != 1 || all.Escalated != 1 || all.Unassigned != 2 || all.MessagesToday != 5 || len(all.Load) != 2 {
			t.Fatalf("chat admin: open %d awaiting user %d escalated %d unassigned %d messages %d load %v",
				all.Open, all.AwaitingUser, all.Escalated, all.Unassigned, all.MessagesToday, all.Load)
		}
		ag, err := e.svc.Metrics(e.ctx, e.agent, inbox.Period{})
		if err != nil {
			t.Fatal(err)
		}
		// agent1 sees their own thread and the unassigned ones (the
		// escalated one too while unassigned), never agent2's.
		if ag.AwaitingUser != 0 || ag.Open != 2 || ag.MessagesToday != 3 || len(ag.Load) != 1 || ag.Load[0].StaffID != e.agent.ID {
			t.Fatalf("agent: open %d awaiting user %d messages %d load %v", ag.Open, ag.AwaitingUser, ag.MessagesToday, ag.Load)
		}
	})
}

func TestParsePeriod(t *testing.T) {
	if _, err := inbox.ParsePeriod("2026-01-01", "2026-12-31"); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{{"2026-01-02", "2026-01-01"}, {"2025-01-01", "2026-12-31"}, {"2026-1-1", "2026-01-02"}, {"", ""}, {"2026-01-01T00:00:00Z", "2026-01-02"}} {
		if _, err := inbox.ParsePeriod(c[0], c[1]); models.ErrorCode(err) != models.EINVALID {
			t.Errorf("%q..%q: %v", c[0], c[1], err)
		}
	}
}
