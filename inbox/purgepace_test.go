package inbox

import (
	"testing"
	"time"
)

// The adaptive pace: it works more while the probes during batches stay
// under paceTarget × the probes between them, yields when they do not, and
// stays within its bounds.
func TestPurgePace(t *testing.T) {
	ms := time.Millisecond
	// The default ceiling: the share never climbs above it.
	d := newPacer(0, 0, nil)
	if !d.adaptive() || d.share != min(paceStartShare, DefaultPurgeMaxShare) {
		t.Fatalf("new adaptive pacer: %+v", d)
	}
	for range 100 {
		d.adjust(2*ms, 2*ms)
	}
	if d.share != DefaultPurgeMaxShare {
		t.Errorf("share %v after unaffected probes, want the default ceiling %v", d.share, DefaultPurgeMaxShare)
	}
	p := newPacer(0, 1, nil)
	if !p.adaptive() || p.share != paceStartShare {
		t.Fatalf("new adaptive pacer: %+v", p)
	}
	// Unaffected probes (busy ≈ idle): the share climbs to its ceiling, 1.
	for range 100 {
		p.adjust(2*ms, 2*ms)
	}
	if p.share != 1 {
		t.Errorf("share %v after unaffected probes, want 1", p.share)
	}
	// Batches that slow the probe threefold: it halves its share, once per
	// fresh window, down to the floor.
	p.adjust(6*ms, 2*ms)
	if p.share != 1 {
		t.Errorf("share %v after one slow probe: want no change before the window judges", p.share)
	}
	var shares []float64
	for range 100 {
		before := p.share
		p.adjust(6*ms, 2*ms)
		if p.share != before {
			shares = append(shares, p.share)
		}
	}
	if len(shares) == 0 || shares[0] != 0.5 || p.share != paceMinShare {
		t.Errorf("shares while slowed: %v, final %v; want 0.5 first, %v at the end", shares, p.share, paceMinShare)
	}
	// Each halving waited for probeDecide fresh probes: at most one
	// change per probeDecide batches.
	if len(shares) > 100/probeDecide+1 {
		t.Errorf("%d changes in 100 batches: the window was not renewed after a decrease", len(shares))
	}
	// Just under the target is fine; batches without a probe during them
	// (busy 0) count for nothing.
	p = newPacer(0, 1, nil)
	for range 20 {
		p.adjust(0, 2*ms)
	}
	if p.share != paceStartShare {
		t.Errorf("share %v with no busy probes, want it unchanged", p.share)
	}
	for range 20 {
		p.adjust(time.Duration(float64(2*ms)*paceTarget*0.95), 2*ms)
	}
	if p.share <= paceStartShare {
		t.Errorf("share %v just under the target, want it higher", p.share)
	}
	// A fixed share never moves and never probes.
	f := newPacer(0.3, 0, nil)
	for range 50 {
		f.adjust(10*ms, ms)
	}
	if f.adaptive() || f.share != 0.3 {
		t.Errorf("fixed pacer: %+v", f)
	}
}
