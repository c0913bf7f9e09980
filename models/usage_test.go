package models_test

import (
	"context"
	"io/fs"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/parleyhq/parley/migrations"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

// monthlyUsageMigration is the migration that adds the monthly counters.
const monthlyUsageMigration = 6

// TestMonthlyUsageBackfill: the migration that adds the R10 counters counts
// the inbound customer messages already stored, per UTC month, so a cap
// holds on the day of the upgrade.
func TestMonthlyUsageBackfill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		dialect, dir := goose.DialectSQLite3, "sqlite"
		if st.Config.Dialect == models.MySQL {
			dialect, dir = goose.DialectMySQL, "mysql"
		}
		sub, err := fs.Sub(migrations.FS, dir)
		if err != nil {
			t.Fatal(err)
		}
		p, err := goose.NewProvider(dialect, st.DB, sub)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, monthlyUsageMigration-1); err != nil {
			t.Fatalf("down to %d: %v", monthlyUsageMigration-1, err)
		}

		at := func(s string) time.Time {
			v, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				t.Fatal(err)
			}
			return models.Now(v)
		}
		cu := models.Customer{Email: "backfill@example.com", Name: "B", CreatedAt: at("2025-01-01T00:00:00Z")}
		if err := st.InsertCustomer(ctx, &cu, ""); err != nil {
			t.Fatal(err)
		}
		c := models.Conversation{CustomerID: cu.ID, Subject: "S", Status: models.StatusOpen, CreatedAt: cu.CreatedAt,
			UpdatedAt: cu.CreatedAt, LastMessageAt: cu.CreatedAt, PublicLastAt: cu.CreatedAt}
		if err := st.InsertConversation(ctx, &c); err != nil {
			t.Fatal(err)
		}
		for _, m := range []struct {
			kind   string
			author models.ActorKind
			at     string
		}{
			{models.KindReply, models.ActorCustomer, "2025-06-01T00:00:00Z"},
			{models.KindReply, models.ActorGuest, "2025-06-15T12:00:00.5Z"},
			{models.KindReply, models.ActorCustomer, "2025-06-30T23:59:59.999999Z"},
			{models.KindReply, models.ActorStaff, "2025-06-10T00:00:00Z"},
			{models.KindNote, models.ActorStaff, "2025-06-10T00:00:00Z"},
			{models.KindSystem, models.ActorCustomer, "2025-06-10T00:00:00Z"},
			{models.KindReply, models.ActorCustomer, "2025-07-01T00:00:00Z"},
			{models.KindReply, models.ActorCustomer, "2024-12-31T23:59:59Z"},
		} {
			msg := models.Message{ConversationID: c.ID, Kind: m.kind, AuthorType: m.author, Body: "x", CreatedAt: at(m.at)}
			if err := st.InsertMessage(ctx, &msg); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatalf("up: %v", err)
		}
		for month, want := range map[string]int{"2024-12": 1, "2025-06": 3, "2025-07": 1, "2025-05": 0} {
			if n, err := st.MonthlyCustomerMessages(ctx, month); err != nil || n != want {
				t.Errorf("%s counted %d, %v; want %d", month, n, err, want)
			}
		}
	})
}

// TestCountCustomerMessage: the conditional count of R10.
func TestCountCustomerMessage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		for i, want := range []bool{true, true, false, false} {
			ok, err := st.CountCustomerMessage(ctx, "2025-06", 2)
			if err != nil || ok != want {
				t.Errorf("count %d under a cap of 2: %v, %v; want %v", i+1, ok, err, want)
			}
		}
		for range 3 { // no cap
			if ok, err := st.CountCustomerMessage(ctx, "2025-06", -1); err != nil || !ok {
				t.Errorf("uncapped count: %v, %v", ok, err)
			}
		}
		if ok, err := st.CountCustomerMessage(ctx, "2025-07", 0); err != nil || ok {
			t.Errorf("count under a cap of 0: %v, %v; want refused", ok, err)
		}
		for month, want := range map[string]int{"2025-06": 5, "2025-07": 0} {
			if n, err := st.MonthlyCustomerMessages(ctx, month); err != nil || n != want {
				t.Errorf("%s = %d, %v; want %d", month, n, err, want)
			}
		}
		berlin, err := time.LoadLocation("Europe/Berlin")
		if err != nil {
			t.Fatal(err)
		}
		edge := time.Date(2025, 6, 30, 22, 30, 0, 0, time.UTC)
		if a, b := models.MonthOf(edge, time.UTC), models.MonthOf(edge, berlin); a != "2025-06" || b != "2025-07" {
			t.Errorf("MonthOf(%v) = %s in UTC, %s in Berlin", edge, a, b)
		}
		if loc := (models.Settings{TimeZone: "Nowhere/Unknown"}).Location(); loc != time.UTC {
			t.Errorf("unknown time zone → %v; want UTC", loc)
		}
	})
}

// TestCountCustomerMessageShards: uncapped counts spread over the month's
// shard rows (so concurrent sends do not queue on one row) and sum exactly;
// a cap then holds against the sum of all the month's rows; migration 00022
// turns the old single rows into shard 0 and back into sums.
func TestCountCustomerMessageShards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		const month, uncapped = "2025-09", 200
		for range uncapped {
			if ok, err := st.CountCustomerMessage(ctx, month, -1); err != nil || !ok {
				t.Fatalf("uncapped count: %v, %v", ok, err)
			}
		}
		var rows int
		if err := st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM monthly_usage WHERE month = ?`, month).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows < 2 || rows > models.UsageShards {
			t.Errorf("%d uncapped counts in %d rows; want them spread over 2..%d shards", uncapped, rows, models.UsageShards)
		}
		if n, err := st.MonthlyCustomerMessages(ctx, month); err != nil || n != uncapped {
			t.Fatalf("month counted %d, %v; want %d", n, err, uncapped)
		}
		// A cap of uncapped+3 leaves three slots whatever shard holds what.
		for i, want := range []bool{true, true, true, false, false} {
			if ok, err := st.CountCustomerMessage(ctx, month, uncapped+3); err != nil || ok != want {
				t.Errorf("capped count %d: %v, %v; want %v", i+1, ok, err, want)
			}
		}
		if n, err := st.MonthlyCustomerMessages(ctx, month); err != nil || n != uncapped+3 {
			t.Fatalf("month counted %d, %v; want %d", n, err, uncapped+3)
		}

		// Down to the unsharded table and up again: the sums survive.
		dialect, dir := goose.DialectSQLite3, "sqlite"
		if st.Config.Dialect == models.MySQL {
			dialect, dir = goose.DialectMySQL, "mysql"
		}
		sub, err := fs.Sub(migrations.FS, dir)
		if err != nil {
			t.Fatal(err)
		}
		p, err := goose.NewProvider(dialect, st.DB, sub)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 21); err != nil {
			t.Fatalf("down to 21: %v", err)
		}
		var old int
		if err := st.DB.QueryRowContext(ctx, `SELECT customer_messages FROM monthly_usage WHERE month = ?`, month).Scan(&old); err != nil || old != uncapped+3 {
			t.Fatalf("unsharded row %d, %v; want %d", old, err, uncapped+3)
		}
		if _, err := p.Up(ctx); err != nil {
			t.Fatalf("up: %v", err)
		}
		var shard, n int
		if err := st.DB.QueryRowContext(ctx, `SELECT shard, customer_messages FROM monthly_usage WHERE month = ?`, month).Scan(&shard, &n); err != nil || shard != 0 || n != uncapped+3 {
			t.Fatalf("after 00022: shard %d holds %d, %v; want shard 0 with %d", shard, n, err, uncapped+3)
		}
	})
}
