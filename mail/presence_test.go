package mail

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

// TestOnlineMany: one pipeline answers who of many is online, by kind.
func TestOnlineMany(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	p := NewPresence(rdb, prefix)
	ctx := context.Background()
	for _, id := range []int64{2, 5} {
		if err := p.Touch(ctx, models.ActorCustomer, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Touch(ctx, models.ActorStaff, 3); err != nil {
		t.Fatal(err)
	}
	on, err := p.OnlineMany(ctx, models.ActorCustomer, []int64{1, 2, 3, 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(on) != 2 || !on[2] || !on[5] {
		t.Fatalf("online: %v; want customers 2 and 5 (not staff 3)", on)
	}
}
