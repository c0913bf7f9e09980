package models_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

// Item 10: two transactions locking the same rows in opposite orders
// deadlock on MySQL; InTx runs the victim again, so both succeed.
func TestInTxRetriesDeadlocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		if st.Config.Dialect != models.MySQL {
			t.Skip("SQLite's IMMEDIATE transactions queue instead of deadlocking")
		}
		ctx := context.Background()
		for _, k := range []string{"a", "b"} {
			row := models.IdempotencyKey{Scope: "test", Key: k, RequestHash: "h", Token: "t", CreatedAt: models.Now(time.Now())}
			if err := st.InsertIdempotencyKey(ctx, &row); err != nil {
				t.Fatal(err)
			}
		}
		var runs atomic.Int32
		var both sync.WaitGroup
		both.Add(2)
		lockBoth := func(first, second string) error {
			return st.InTx(ctx, func(tx *models.Tx) error {
				n := runs.Add(1)
				if _, err := tx.LockIdempotencyKey(ctx, "test", first); err != nil {
					return err
				}
				if n <= 2 { // the first run of each: hold the first lock until both hold one
					both.Done()
					both.Wait()
				}
				_, err := tx.LockIdempotencyKey(ctx, "test", second)
				return err
			})
		}
		errs := make(chan error, 2)
		go func() { errs <- lockBoth("a", "b") }()
		go func() { errs <- lockBoth("b", "a") }()
		for range 2 {
			if err := <-errs; err != nil {
				t.Errorf("transaction failed: %v", err)
			}
		}
		if runs.Load() < 3 {
			t.Errorf("%d runs: the deadlock victim was not run again", runs.Load())
		}
	})
}
