package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/inbox"
)

// Notifier handles notify:new_message and notify:escalation. Who is notified is the inbox's
// decision (R19, inbox.Recipients); the handler only drives it.
//
// While the worker runs (Run), NEW_MESSAGE tasks that arrive while
// another message's notifications are being written are written together,
// as one batch (inbox.NotifyNewMessages: one read of each kind, one
// transaction), the way a database commits a group: a task alone is
// written alone, at once; under load the tasks waiting meanwhile share the
// next write. A batch that fails is retried message by message, each in
// its own task, so one message cannot hold up the others.
type Notifier struct {
	svc *inbox.Service
	// in hands a task's message to the batch loop while it runs (nil:
	// every task is written alone).
	in      chan *notifyCall
	stopped chan struct{}
}

type notifyCall struct {
	id    int64
	alone bool // the batch failed: write it alone
	done  chan struct{}
}

// notifyBatchTimeout bounds one batch's write (the tasks' own deadlines
// are their leases, a minute and more).
const notifyBatchTimeout = 30 * time.Second

// NewNotifier builds the handler.
func NewNotifier(svc *inbox.Service) *Notifier {
	return &Notifier{svc: svc}
}

// ProcessTask implements asynq.Handler.
func (n *Notifier) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p NewMessagePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.MessageID <= 0 {
		return fmt.Errorf("notify payload %q: %v: %w", t.Payload(), err, asynq.SkipRetry)
	}
	if t.Type() == inbox.TaskNotifyEscalation {
		_, err := n.svc.NotifyEscalation(ctx, p.MessageID)
		return err
	}
	if n.in == nil {
		_, err := n.svc.NotifyNewMessage(ctx, p.MessageID)
		return err
	}
	c := &notifyCall{id: p.MessageID, done: make(chan struct{})}
	select {
	case n.in <- c:
	case <-n.stopped:
		_, err := n.svc.NotifyNewMessage(ctx, p.MessageID)
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		// Written or not, the row goes out again when its lease ends,
		// and the second run adds nothing.
		return ctx.Err()
	}
	if c.alone {
		_, err := n.svc.NotifyNewMessage(ctx, p.MessageID)
		return err
	}
	return nil
}

// start runs the batch loop until stop is called; ProcessTask hands it
// the NEW_MESSAGE tasks meanwhile. The worker stops it after its job
// server has stopped, so no handler waits on a loop that is gone.
func (n *Notifier) start() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	n.in = make(chan *notifyCall)
	n.stopped = make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		n.batchLoop(ctx)
	}()
	return func() {
		cancel()
		<-finished
	}
}

// batchMax bounds a batch; the worker's concurrency bounds it too (a task
// waits in its batch).
const batchMax = 100

func (n *Notifier) batchLoop(ctx context.Context) {
	defer close(n.stopped)
	for {
		var calls []*notifyCall
		select {
		case <-ctx.Done():
			return
		case c := <-n.in:
			calls = append(calls, c)
		}
		// Every task that is waiting to be handed over joins the batch;
		// none is waited for.
	more:
		for len(calls) < batchMax {
			select {
			case c := <-n.in:
				calls = append(calls, c)
			default:
				break more
			}
		}
		n.write(ctx, calls)
	}
}

func (n *Notifier) write(ctx context.Context, calls []*notifyCall) {
	defer func() {
		// A panic here would end the worker, where one in a handler only
		// fails its task (Asynq recovers it): the tasks run alone instead.
		if p := recover(); p != nil {
			for _, c := range calls {
				c.alone = true
			}
		}
		for _, c := range calls {
			close(c.done)
		}
	}()
	wctx, cancel := context.WithTimeout(ctx, notifyBatchTimeout)
	defer cancel()
	var err error
	if len(calls) == 1 {
		_, err = n.svc.NotifyNewMessage(wctx, calls[0].id)
	} else {
		ids := make([]int64, len(calls))
		for i, c := range calls {
			ids[i] = c.id
		}
		_, err = n.svc.NotifyNewMessages(wctx, ids)
	}
	if err != nil {
		// Each task tries again on its own, under its own deadline (the
		// loop may be stopping; one message may be what failed).
		for _, c := range calls {
			c.alone = true
		}
	}
}
