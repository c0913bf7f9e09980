package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/jobs"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

// TestCleanupExpiredAdminSessions: logins and unused form tokens older than
// the session lifetime go; younger ones stay.
func TestCleanupExpiredAdminSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
		rows := []struct {
			sid, values string
			age         time.Duration
		}{
			{"old-login", `{"user_id":1}`, 9 * time.Hour},
			{"old-token", "__csrf_token__", 30 * time.Hour},
			{"new-login", `{"user_id":1}`, time.Hour},
			{"new-token", "__csrf_token__", time.Minute},
		}
		for _, r := range rows {
			at := now.Add(-r.age).Format("2006-01-02 15:04:05")
			if _, err := s.DB.ExecContext(ctx, "INSERT INTO goadmin_session (sid, `values`, created_at, updated_at) VALUES (?, ?, ?, ?)", r.sid, r.values, at, at); err != nil {
				t.Fatal(err)
			}
		}
		c := jobs.NewCleanup(s, nil, f.relay(&now), 8*time.Hour)
		c.Now = func() time.Time { return now }
		res, err := c.Run(ctx)
		if err != nil || res.AdminSessions != 2 {
			t.Fatalf("cleanup: %+v, %v", res, err)
		}
		for _, r := range rows {
			var n int
			s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM goadmin_session WHERE sid = ?`, r.sid).Scan(&n)
			if want := r.age < 8*time.Hour; (n == 1) != want {
				t.Errorf("%s: kept=%v", r.sid, n == 1)
			}
		}
	})
}

// TestCleanupSweepsPurgedWords: the words of conversations the purge
// deleted (listed in conversation_words_gone) go, a chunk at a time until
// none is left; other conversations' words stay.
func TestCleanupSweepsPurgedWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		defer jobs.SetSweep(100, 0)()
		for id := 1001; id <= 1250; id++ {
			for _, q := range []string{`INSERT INTO conversation_words (conversation_id, word) VALUES (?, 'gone')`,
				`INSERT INTO conversation_words (conversation_id, word) VALUES (?, 'another')`,
				`INSERT INTO conversation_words_gone (conversation_id) VALUES (?)`} {
				if _, err := s.DB.ExecContext(ctx, q, id); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := s.DB.ExecContext(ctx, `INSERT INTO conversation_words (conversation_id, word) VALUES (2000, 'kept')`); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		c := jobs.NewCleanup(s, nil, f.relay(&now), 8*time.Hour)
		res, err := c.Run(ctx)
		if err != nil || res.WordsSwept != 250 {
			t.Fatalf("cleanup: %+v, %v; want 250 conversations swept", res, err)
		}
		var words, queued int
		s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM conversation_words`).Scan(&words)
		s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM conversation_words_gone`).Scan(&queued)
		if words != 1 || queued != 0 {
			t.Errorf("after the sweep: %d words, %d queued; want the 1 kept word, none queued", words, queued)
		}
	})
}
