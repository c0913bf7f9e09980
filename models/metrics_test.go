package models_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

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
		out := map[string]int64{}
		for _, day := range []string{"2026-11-01", "2026-11-02"} {
			steps, err := st.MetricSteps(ctx, metric, day, day, staff, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range steps {
				for _, c := range s.Buckets {
					out[day] += c.N
				}
			}
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

// A period's histogram and series read whole weeks from metric_weekly and
// the days around them from metric_daily: whatever the period's ends, each
// count is read exactly once, and the series' steps (days, or weeks cut at
// the period's ends) hold their own histograms.
func TestMetricWeeklyRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) { testMetricWeeklyRows(t, st) })
}

func testMetricWeeklyRows(t *testing.T, st *models.Store) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(6, 24))
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) // a Sunday
	const days = 45
	type count struct {
		day    string
		staff  int64
		bucket int
	}
	var counts []count
	for range 400 {
		c := count{start.AddDate(0, 0, rng.IntN(days)).Format(time.DateOnly), int64(1 + rng.IntN(2)), 60 + rng.IntN(40)}
		if err := st.CountMetric(ctx, c.day, models.MetricFirstResponse, c.staff, c.bucket); err != nil {
			t.Fatal(err)
		}
		counts = append(counts, c)
	}
	// want: the buckets counted from..to (staff 0: everyone), sorted.
	want := func(from, to string, staff int64) []int {
		var out []int
		for _, c := range counts {
			if c.day >= from && c.day <= to && (staff == 0 || c.staff == staff) {
				out = append(out, c.bucket)
			}
		}
		slices.Sort(out)
		return out
	}
	one := int64(1)
	for f := -2; f < days+2; f += 1 + rng.IntN(3) {
		for to := f; to < days+2; to += 1 + rng.IntN(9) {
			from, until := start.AddDate(0, 0, f).Format(time.DateOnly), start.AddDate(0, 0, to).Format(time.DateOnly)
			for _, staff := range []*int64{nil, &one} {
				var who int64
				if staff != nil {
					who = *staff
				}
				w := want(from, until, who)
				// The period's histogram: its weekly steps added up.
				steps, err := st.MetricSteps(ctx, models.MetricFirstResponse, from, until, staff, true)
				if err != nil {
					t.Fatal(err)
				}
				var hs [][]models.BucketCount
				for _, s := range steps {
					hs = append(hs, s.Buckets)
				}
				h := models.MergeHistograms(hs...)
				var got []int
				for _, b := range h {
					for range b.N {
						got = append(got, b.Bucket)
					}
				}
				if !slices.Equal(got, w) {
					t.Fatalf("%s to %s (staff %v): histogram %v, want %v", from, until, who, h, w)
				}
				for _, weekly := range []bool{false, true} {
					pts, err := st.MetricSteps(ctx, models.MetricFirstResponse, from, until, staff, weekly)
					if err != nil {
						t.Fatal(err)
					}
					var wantPts []models.MetricStep
					for d := start.AddDate(0, 0, f); d.Format(time.DateOnly) <= until; {
						end := d
						if weekly {
							for end.Weekday() != time.Sunday && end.Format(time.DateOnly) < until {
								end = end.AddDate(0, 0, 1)
							}
						}
						if b := want(d.Format(time.DateOnly), end.Format(time.DateOnly), who); len(b) > 0 {
							s := models.MetricStep{Start: d.Format(time.DateOnly)}
							for _, x := range b {
								if n := len(s.Buckets); n > 0 && s.Buckets[n-1].Bucket == x {
									s.Buckets[n-1].N++
								} else {
									s.Buckets = append(s.Buckets, models.BucketCount{Bucket: x, N: 1})
								}
							}
							wantPts = append(wantPts, s)
						}
						d = end.AddDate(0, 0, 1)
					}
					if fmt.Sprint(pts) != fmt.Sprint(wantPts) {
						t.Fatalf("%s to %s (staff %v, weekly %v): series %v, want %v", from, until, who, weekly, pts, wantPts)
					}
				}
			}
		}
	}
}
