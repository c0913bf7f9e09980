package jobs

import "context"

// WriteBatch runs one write of the notifier's batch loop for the messages
// and answers, per message, whether it was left to be written alone (the
// batch failed).
func (n *Notifier) WriteBatch(ctx context.Context, ids []int64) []bool {
	calls := make([]*notifyCall, len(ids))
	for i, id := range ids {
		calls[i] = &notifyCall{id: id, done: make(chan struct{})}
	}
	n.write(ctx, calls)
	alone := make([]bool, len(calls))
	for i, c := range calls {
		<-c.done
		alone[i] = c.alone
	}
	return alone
}

// StartBatches starts the batch loop as the worker does.
func (n *Notifier) StartBatches() (stop func()) { return n.start() }
