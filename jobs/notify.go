package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync/atomic"
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
// next write. When a batch fails its messages are written again one at a
// time, so a message that cannot be written fails its own task only. A
// task returns when its message's notifications are committed (or its
// write failed), so the relay marks its outbox row as before.
type Notifier struct {
	svc *inbox.Service
	log *slog.Logger
	// loop is the running batch loop (nil: every task writes alone).
	loop atomic.Pointer[notifyLoop]
	// failBatch, when set (tests), makes every batch write fail.
	failBatch func() error
}

// notifyLoop is one run of the batch loop: in hands it a task's message;
// stopped is closed when it has ended.
type notifyLoop struct {
	in      chan *notifyCall
	stopped chan struct{}
}

type notifyCall struct {
	id    int64
	err   error
	alone bool // not written by the loop (it stopped, or panicked): the task writes it
	done  chan struct{}
}

// notifyWriteTimeout bounds one write of the loop, a batch or a message:
// shorter than a task's lease (a minute and more), so a stalled database
// fails the write and the tasks fail or fall back before their leases end.
const notifyWriteTimeout = 10 * time.Second

// NewNotifier builds the handler.
func NewNotifier(svc *inbox.Service) *Notifier {
	return &Notifier{svc: svc, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
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
	if alone, err := n.hand(ctx, p.MessageID); !alone {
		return err
	}
	_, err := n.svc.NotifyNewMessage(ctx, p.MessageID)
	return err
}

// hand gives a message to the running loop and waits for its write, and
// answers its outcome, or alone when the task is to write it itself: no
// loop runs, it stopped, or it left the message alone.
func (n *Notifier) hand(ctx context.Context, id int64) (alone bool, err error) {
	l := n.loop.Load()
	if l == nil {
		return true, nil
	}
	c := &notifyCall{id: id, done: make(chan struct{})}
	select {
	case l.in <- c:
	case <-l.stopped:
		return true, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
	select {
	case <-c.done:
		return c.alone, c.err
	case <-ctx.Done():
		// Written or not, the row goes out again when its lease ends,
		// and the second run adds nothing.
		return false, ctx.Err()
	}
}

// start runs a batch loop until stop is called; ProcessTask hands it the
// NEW_MESSAGE tasks meanwhile. The worker stops it after its job server
// has stopped, so no handler waits on a loop that is gone.
func (n *Notifier) start() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	l := &notifyLoop{in: make(chan *notifyCall), stopped: make(chan struct{})}
	n.loop.Store(l)
	go n.batchLoop(ctx, l)
	return func() {
		cancel()
		<-l.stopped
		n.loop.CompareAndSwap(l, nil)
	}
}

// batchMax bounds a batch; the worker's concurrency bounds it too (a task
// waits in its batch).
const batchMax = 100

func (n *Notifier) batchLoop(ctx context.Context, l *notifyLoop) {
	defer close(l.stopped)
	for {
		var calls []*notifyCall
		select {
		case <-ctx.Done():
			return
		case c := <-l.in:
			calls = append(calls, c)
		}
		// Every task that is waiting to be handed over joins the batch;
		// none is waited for.
	more:
		for len(calls) < batchMax {
			select {
			case c := <-l.in:
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
		// fails its task (Asynq recovers it): the tasks write alone.
		if p := recover(); p != nil {
			n.log.Error("notify batch panicked; its tasks write alone", "panic", p, "stack", string(debug.Stack()))
			for _, c := range calls {
				c.alone = true
			}
		}
		for _, c := range calls {
			close(c.done)
		}
	}()
	if len(calls) > 1 {
		ids := make([]int64, len(calls))
		for i, c := range calls {
			ids[i] = c.id
		}
		err := n.batch(ctx, ids)
		if err == nil {
			return
		}
		n.log.Warn("notify batch failed; writing its messages one at a time", "messages", len(ids), "err", err)
	}
	// A lone task, or a failed batch's: one message at a time, one after
	// another (not one transaction per waiting task at once).
	for _, c := range calls {
		if ctx.Err() != nil {
			c.alone = true // the loop is stopping: the task writes it
			continue
		}
		wctx, cancel := context.WithTimeout(ctx, notifyWriteTimeout)
		_, c.err = n.svc.NotifyNewMessage(wctx, c.id)
		cancel()
		if c.err != nil && ctx.Err() != nil {
			c.alone, c.err = true, nil
		}
	}
}

func (n *Notifier) batch(ctx context.Context, ids []int64) error {
	if n.failBatch != nil {
		if err := n.failBatch(); err != nil {
			return err
		}
	}
	wctx, cancel := context.WithTimeout(ctx, notifyWriteTimeout)
	defer cancel()
	_, err := n.svc.NotifyNewMessages(wctx, ids)
	return err
}
