package jobs

import "context"

// WriteBatch runs one write of the notifier's batch loop for the messages
// and answers, per message, whether the loop left it to its task (alone)
// and the error of its write.
func (n *Notifier) WriteBatch(ctx context.Context, ids []int64) (alone []bool, errs []error) {
	calls := make([]*notifyCall, len(ids))
	for i, id := range ids {
		calls[i] = &notifyCall{id: id, done: make(chan struct{})}
	}
	n.write(ctx, calls)
	for _, c := range calls {
		alone = append(alone, c.alone)
		errs = append(errs, c.err)
	}
	return alone, errs
}

// StartBatches starts the batch loop as the worker does.
func (n *Notifier) StartBatches() (stop func()) { return n.start() }

// FailBatches makes every batch write of the notifier fail with err
// (nil: none).
func (n *Notifier) FailBatches(err error) {
	if err == nil {
		n.failBatch = nil
		return
	}
	n.failBatch = func() error { return err }
}

// SetSweep sets the clean-up's word sweep: conversations per transaction
// and the pause after each (times the chunk's time).
func SetSweep(chunk int, pause float64) (restore func()) {
	c, p := sweepChunk, sweepPause
	sweepChunk, sweepPause = chunk, pause
	return func() { sweepChunk, sweepPause = c, p }
}
