package models_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/models/storetest"
)

// TestExclusive: holders of one lock name on one MySQL database never
// overlap (each holds its own session, as separate processes would).
func TestExclusive(t *testing.T) {
	for _, b := range storetest.Backends() {
		if b.Name != "mysql" {
			continue
		}
		s := storetest.Open(t, b)
		var inside, overlaps atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := s.Exclusive(context.Background(), "test", func() error {
					if inside.Add(1) > 1 {
						overlaps.Add(1)
					}
					time.Sleep(50 * time.Millisecond)
					inside.Add(-1)
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if n := overlaps.Load(); n != 0 {
			t.Errorf("%d overlapping holders", n)
		}
		return
	}
	t.Skip("PARLEY_TEST_MYSQL_URL not set")
}
