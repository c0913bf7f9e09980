package inbox

import (
	"context"
	"slices"
	"time"
)

// The purge's pace (R14: sends are never blocked by it). With no fixed
// share (PurgeOptions.Share 0, production's), the purge measures what it
// does to everyone else and works as much as that allows: it times a small
// probe — the settings read every customer's send starts with — once while
// a batch runs and once while it pauses, and compares the slow end (the
// 90th percentile) of the last probeWindow of each. While the busy probes
// stay under paceTarget × the idle ones it works a larger share of the
// time, up to its ceiling (PurgeOptions.MaxShare, DefaultPurgeMaxShare);
// above it, it halves its share (down to paceMinShare) and measures
// afresh. So it yields as soon as its batches slow other statements down —
// whatever the machine, the data or the other load.
//
// The ceiling is there because the probe, one statement, under-reads what
// a batch does to a send (ten statements and a commit): on the quiet
// 2-core machine the pace climbed to working all of the time for stretches
// and the sends' p99 went to 4.8× idle, while working half of the time
// kept it at 0.7–1.6× (docs/send-mail-purge.md). The purge thread is
// CPU-bound whatever a message costs, so what it does to sends follows the
// share of the time it works more than its rate: a cheaper purge deletes
// more at the same share.
const (
	paceStartShare = 0.5  // share of the time worked before anything is measured (at most the ceiling)
	paceMinShare   = 0.05 // it never works less than this
	paceTarget     = 1.6  // busy/idle probe latency (90th percentiles) it keeps under (the goal: sends' p99 under 2× idle)
	paceStep       = 0.05 // share added after a batch that stayed under the target
	probeWindow    = 16   // probes of each kind compared
	probeDecide    = 8    // probes of each kind needed before the share changes
)

// DefaultPurgeMaxShare is the adaptive pace's ceiling: the most of the
// time the purge works (see above).
const DefaultPurgeMaxShare = 0.5

// pacer decides the pause after each batch.
type pacer struct {
	fixed      float64 // a fixed share (PurgeOptions.Share), 0: adaptive
	ceiling    float64 // the adaptive share's ceiling
	share      float64
	probe      func(context.Context) error
	busy, idle []time.Duration
}

// newPacer paces a fixed share, or with share 0 adapts it under ceiling
// (0: DefaultPurgeMaxShare).
func newPacer(share, ceiling float64, probe func(context.Context) error) *pacer {
	if ceiling <= 0 {
		ceiling = DefaultPurgeMaxShare
	}
	p := &pacer{fixed: share, ceiling: ceiling, share: min(paceStartShare, ceiling), probe: probe}
	if share > 0 {
		p.share = share
	}
	return p
}

// adaptive reports whether the pacer measures (no fixed share).
func (p *pacer) adaptive() bool { return p.fixed == 0 }

// during starts a probe meant to land in the middle of a batch expected to
// take about expect; the answer is its latency, or 0 when it ran after the
// batch ended (batchDone closed) or failed.
func (p *pacer) during(ctx context.Context, expect time.Duration, batchDone <-chan struct{}) <-chan time.Duration {
	out := make(chan time.Duration, 1)
	if !p.adaptive() {
		out <- 0
		return out
	}
	go func() {
		select {
		case <-time.After(expect / 2):
		case <-batchDone:
			out <- 0
			return
		case <-ctx.Done():
			out <- 0
			return
		}
		t := time.Now()
		if err := p.probe(ctx); err != nil {
			out <- 0
			return
		}
		out <- time.Since(t)
	}()
	return out
}

// pause runs after a batch that took d, with busy the latency of the
// probe that ran during it (0: none): it measures an idle probe, adjusts
// the share and waits out the rest of the pause. It reports the time it
// paused.
func (p *pacer) pause(ctx context.Context, d, busy, extra time.Duration) (time.Duration, error) {
	start := time.Now()
	if p.adaptive() {
		t := time.Now()
		if err := p.probe(ctx); err != nil {
			return time.Since(start), err
		}
		p.adjust(busy, time.Since(t))
	}
	wait := extra + time.Duration(float64(d)*(1-p.share)/p.share) - time.Since(start)
	if wait > 0 {
		select {
		case <-ctx.Done():
			return time.Since(start), ctx.Err()
		case <-time.After(wait):
		}
	}
	return time.Since(start), nil
}

// adjust takes a batch's probes (busy 0: none ran during it) and moves
// the share.
func (p *pacer) adjust(busy, idle time.Duration) {
	if !p.adaptive() {
		return
	}
	p.busy = window(p.busy, busy)
	p.idle = window(p.idle, idle)
	if len(p.busy) < probeDecide || len(p.idle) < probeDecide {
		return
	}
	if float64(p90(p.busy)) > paceTarget*float64(p90(p.idle)) {
		// Yield, then judge the new pace on fresh probes only: a slow
		// probe must not halve the share once per batch for as long as it
		// stays in the window.
		p.share = min(max(p.share/2, paceMinShare), p.ceiling)
		p.busy, p.idle = p.busy[:0], p.idle[:0]
		return
	}
	p.share = min(p.share+paceStep, p.ceiling)
}

// window adds a sample (0: none) to a window of the last probeWindow.
func window(w []time.Duration, d time.Duration) []time.Duration {
	if d <= 0 {
		return w
	}
	w = append(w, d)
	if len(w) > probeWindow {
		w = w[len(w)-probeWindow:]
	}
	return w
}

func p90(w []time.Duration) time.Duration {
	s := slices.Clone(w)
	slices.Sort(s)
	return s[(len(s)-1)*9/10]
}
