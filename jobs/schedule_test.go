package jobs_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/jobs"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

func (f *fixture) scheduler(now *time.Time) *jobs.Scheduler {
	s := jobs.NewScheduler(f.store, f.client, quiet())
	s.Queue = f.queue
	s.Now = func() time.Time { return *now }
	return s
}

func (f *fixture) tasks(t *testing.T, typ string) []*asynq.TaskInfo {
	t.Helper()
	var out []*asynq.TaskInfo
	for _, list := range []func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){f.insp.ListPendingTasks, f.insp.ListCompletedTasks} {
		ts, err := list(f.queue)
		if err != nil && !strings.Contains(err.Error(), "not found") {
			t.Fatal(err)
		}
		for _, ti := range ts {
			if ti.Type == typ {
				out = append(out, ti)
			}
		}
	}
	return out
}

// TestSchedulersRunOneSlotOnce: two schedulers ticking at the same time
// enqueue each slot once, and two workers handling the slot's task (a
// duplicate) purge it once: one audit entry.
func TestSchedulersRunOneSlotOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		for range 3 {
			if _, _, err := f.svc.Start(ctx, f.alice, inbox.StartInput{Subject: "Old", Body: "an old question"}); err != nil {
				t.Fatal(err)
			}
		}
		for name, v := range map[string]string{models.SettingRetentionDays: "1", models.SettingTimeZone: "Europe/Berlin",
			models.SettingRetentionPurgeTime: "04:30", models.SettingDistributionMode: models.DistributionAuto} {
			if err := s.PutSetting(ctx, name, v, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Now().Add(72 * time.Hour)
		a, b := f.scheduler(&now), f.scheduler(&now)
		var ids []string
		for _, sch := range []*jobs.Scheduler{a, b, a} {
			got, err := sch.Tick(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, got...)
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				t.Errorf("task %s enqueued twice", id)
			}
			seen[id] = true
		}
		purges := f.tasks(t, jobs.TypeRetentionPurge)
		if len(purges) != 1 || len(f.tasks(t, jobs.TypeDistribute)) != 1 || len(f.tasks(t, jobs.TypeAutoClose)) != 1 || len(f.tasks(t, jobs.TypeCleanup)) != 1 {
			t.Fatalf("tasks after three ticks: %v", ids)
		}
		// The slot is the purge time in the store's zone.
		st, _ := s.Settings(ctx)
		slot := inbox.RetentionSlot(st, now)
		if loc := slot.In(st.Location()); loc.Hour() != 4 || loc.Minute() != 30 || !strings.Contains(purges[0].ID, ":") {
			t.Errorf("slot %s in Berlin is not 04:30", loc)
		}
		// Two workers get the task (a duplicate delivery): one purge.
		w1 := jobs.NewWorker(asynq.RedisClientOpt{}, f.client, s, f.pol, quiet())
		w2 := jobs.NewWorker(asynq.RedisClientOpt{}, f.client, s, f.pol, quiet())
		task := asynq.NewTask(purges[0].Type, purges[0].Payload)
		var wg sync.WaitGroup
		for _, w := range []*jobs.Worker{w1, w2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := w.Retention.ProcessTask(ctx, task); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		run, err := s.RetentionRunAt(ctx, slot)
		if err != nil || run.FinishedAt == nil || run.Counts.DeletedMessages != 3 || run.Attempts != 1 {
			t.Fatalf("run %+v, %v", run, err)
		}
		audits, _ := s.AuditEntries(ctx, "retention_run", run.ID, 10)
		if len(audits) != 1 || audits[0].Action != inbox.AuditRetentionPurge {
			t.Errorf("audit entries %+v", audits)
		}
		// A finished slot is not scheduled again.
		if got, err := a.Tick(ctx); err != nil || len(got) != 0 {
			t.Errorf("tick after the slot: %v, %v", got, err)
		}
		// The next day's slot is.
		now = now.Add(24 * time.Hour)
		got, err := b.Tick(ctx)
		if err != nil || !hasPrefix(got, jobs.TypeRetentionPurge) {
			t.Errorf("next day: %v, %v", got, err)
		}
	})
}

// TestSchedulerResumesADeadSlot: a slot whose worker died (its lease ran
// out before it finished) is enqueued again under a new task id.
func TestSchedulerResumesADeadSlot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		if err := s.PutSetting(ctx, models.SettingRetentionDays, "1", time.Now()); err != nil {
			t.Fatal(err)
		}
		now := time.Now().Add(72 * time.Hour)
		sch := f.scheduler(&now)
		first, err := sch.Tick(ctx)
		if err != nil || !hasPrefix(first, jobs.TypeRetentionPurge) {
			t.Fatalf("first tick: %v, %v", first, err)
		}
		st, _ := s.Settings(ctx)
		slot := inbox.RetentionSlot(st, now)
		// A worker claims the slot, then dies.
		if _, ok, err := s.ClaimRetentionRun(ctx, slot, slot.Add(-24*time.Hour), 1, 0, "dead", now, now.Add(2*time.Minute)); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		if got, _ := sch.Tick(ctx); hasPrefix(got, jobs.TypeRetentionPurge) {
			t.Errorf("re-enqueued while the lease holds: %v", got)
		}
		now = now.Add(3 * time.Minute)
		got, err := sch.Tick(ctx)
		if err != nil || !hasPrefix(got, jobs.TypeRetentionPurge) {
			t.Fatalf("after the lease: %v, %v", got, err)
		}
	})
}

func hasPrefix(ids []string, prefix string) bool {
	for _, id := range ids {
		if strings.HasPrefix(id, prefix+":") {
			return true
		}
	}
	return false
}
