package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

type allowAll struct{}

func (allowAll) Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	return true, 0, nil
}

func TestJobRunCommands(t *testing.T) {
	env := testEnv(t)
	if out, err := runCLI(t, env, "", "job", "run", "retention", "--dry-run"); err != nil || !strings.Contains(out, "retention: off") {
		t.Fatalf("dry run with retention off: %q %v", out, err)
	}
	// A conversation from ten days ago, and 7 days of retention.
	ctx := context.Background()
	cfg, err := parseConfig("test", nil, func(k string) string { return env[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pol, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	acc := inbox.NewAccounts(st, pol, inbox.SystemClock{}, nil, []byte("k"), time.Hour)
	cu, err := acc.CreateCustomer(ctx, "old@example.com", "Old", "")
	if err != nil {
		t.Fatal(err)
	}
	old := inbox.New(st, pol, fixedClock(time.Now().Add(-10*24*time.Hour)), allowAll{})
	if _, _, err := old.Start(ctx, models.Actor{Kind: models.ActorCustomer, ID: cu.ID, Role: models.RoleCustomer, Name: cu.Email},
		inbox.StartInput{Subject: "Old", Body: "an old question"}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSetting(ctx, models.SettingRetentionDays, "7", time.Now()); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, env, "", "job", "run", "retention", "--dry-run")
	if err != nil || !strings.Contains(out, "messages to delete: 1") || !strings.Contains(out, "conversations to delete (left empty): 1") {
		t.Fatalf("dry run: %q %v", out, err)
	}
	if n := countRows(t, st, "messages"); n != 1 {
		t.Fatalf("the dry run deleted: %d messages left", n)
	}
	out, err = runCLI(t, env, "", "job", "run", "retention")
	if err != nil || !strings.Contains(out, "messages deleted: 1") {
		t.Fatalf("run: %q %v", out, err)
	}
	if n := countRows(t, st, "messages"); n != 0 {
		t.Fatalf("%d messages left after the purge", n)
	}
	for _, args := range [][]string{{"auto_close", "--dry-run"}, {"auto_close"}, {"distribute", "--dry-run"}, {"distribute"}, {"cleanup"}} {
		out, err := runCLI(t, env, "", append([]string{"job", "run"}, args...)...)
		if err != nil || out == "" {
			t.Errorf("job run %v: %q %v", args, out, err)
		}
	}
	if _, err := runCLI(t, env, "", "job", "run", "nonsense"); err == nil || !strings.Contains(err.Error(), "unknown job") {
		t.Errorf("unknown job: %v", err)
	}
}

func countRows(t *testing.T, st *models.Store, table string) int {
	t.Helper()
	var n int
	if err := st.DB.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
