package models_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

// TestOutboxMarkedDoneWhileClaiming: handlers marking their rows done
// while relays claim the next batches (a burst of sends with a worker
// alongside) all succeed: a deadlock between the two is retried, never
// left to the row's lease. Every marked row is done, every other claimed
// once. (The deadlock itself came from bench/send with a worker alongside,
// thousands of rows in flight; this test does not produce it reliably.)
func TestOutboxMarkedDoneWhileClaiming(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		now := models.Now(time.Now())
		const n = 1000
		for i := range n {
			if err := st.InsertOutbox(ctx, "test:race", fmt.Sprintf(`{"n":%d}`, i), now); err != nil {
				t.Fatal(err)
			}
		}
		items, err := st.PendingOutbox(ctx, n)
		if err != nil || len(items) != n {
			t.Fatalf("%d rows, %v", len(items), err)
		}
		var ids []int64
		for _, it := range items {
			ids = append(ids, it.ID)
		}
		lease := func(int) time.Time { return now.Add(time.Hour) }
		handed, rest := ids[:n/2], ids[n/2:]
		if claimed, err := st.ClaimOutbox(ctx, handed, now, lease); err != nil || len(claimed) != len(handed) {
			t.Fatalf("claimed %d of %d: %v", len(claimed), len(handed), err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for w := range 8 { // relays marking their finished rows, a few at a time
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []int64
				for i := w; i < len(handed); i += 8 {
					mine = append(mine, handed[i])
				}
				for batch := range slices.Chunk(mine, 5) {
					if err := st.MarkOutboxDone(ctx, batch, now); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		var claims sync.Map
		for w := range 3 { // relays claiming the rest in batches
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < len(rest); i += 100 {
					batch := rest[i:min(i+100, len(rest))]
					if w%2 == 1 { // another relay reads them the other way
						batch = append([]int64(nil), batch...)
						for a, b := 0, len(batch)-1; a < b; a, b = a+1, b-1 {
							batch[a], batch[b] = batch[b], batch[a]
						}
					}
					claimed, err := st.ClaimOutbox(ctx, batch, now, lease)
					if err != nil {
						errs <- err
						return
					}
					for id := range claimed {
						if _, dup := claims.LoadOrStore(id, w); dup {
							errs <- fmt.Errorf("row %d claimed twice", id)
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		left, err := st.PendingOutbox(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) != len(rest) {
			t.Errorf("%d rows not done, want the %d never handed", len(left), len(rest))
		}
		count := 0
		claims.Range(func(any, any) bool { count++; return true })
		if count != len(rest) {
			t.Errorf("%d rows claimed, want %d", count, len(rest))
		}
	})
}
