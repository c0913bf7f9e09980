package models_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

// A duration counted under a staff member is read back under them and,
// once, in the store's histogram; new conversations are counted once.
func TestMetricStoreWideRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) { testMetricStoreWideRows(t, st) })
}

func testMetricStoreWideRows(t *testing.T, st *models.Store) {
	ctx := context.Background()
	count := func(day, metric string, staff int64, bucket int) {
		t.Helper()
		if err := st.CountMetric(ctx, day, metric, staff, bucket); err != nil {
			t.Fatal(err)
		}
	}
	count("2026-11-01", models.MetricFirstResponse, 7, 40)
	count("2026-11-01", models.MetricFirstResponse, 7, 40)
	count("2026-11-01", models.MetricFirstResponse, 8, 40)
	count("2026-11-02", models.MetricFirstResponse, 8, 55)
	count("2026-11-02", models.MetricResolution, 0, 60) // unassigned
	count("2026-11-02", models.MetricConversations, 0, 3)
	count("2026-11-02", models.MetricConversations, 0, 3)

	sum := func(metric string, staff *int64) map[string]int64 {
		t.Helper()
		cs, err := st.MetricCounts(ctx, metric, "2026-11-01", "2026-11-30", staff)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int64{}
		for _, c := range cs {
			out[c.Day] += c.N
		}
		return out
	}
	seven, eight := int64(7), int64(8)
	if got := sum(models.MetricFirstResponse, nil); got["2026-11-01"] != 3 || got["2026-11-02"] != 1 {
		t.Errorf("store-wide first responses %v, want 3 and 1", got)
	}
	if got := sum(models.MetricFirstResponse, &seven); got["2026-11-01"] != 2 || got["2026-11-02"] != 0 {
		t.Errorf("staff 7's first responses %v, want 2 and 0", got)
	}
	if got := sum(models.MetricFirstResponse, &eight); got["2026-11-01"] != 1 || got["2026-11-02"] != 1 {
		t.Errorf("staff 8's first responses %v, want 1 and 1", got)
	}
	if got := sum(models.MetricResolution, nil); got["2026-11-02"] != 1 {
		t.Errorf("store-wide resolutions %v, want 1", got)
	}
	if got := sum(models.MetricConversations, nil); got["2026-11-02"] != 2 {
		t.Errorf("new conversations %v, want 2 (counted once)", got)
	}
}
