package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/mail"
	"github.com/parleyhq/parley/models"
)

// Sender delivers one e-mail to an SMTP server (mail.Client; the same in
// embedded and production mode: only the server differs).
type Sender interface {
	Send(ctx context.Context, m mail.Message) error
}

// MailPayload names the notification whose e-mail is due.
type MailPayload struct {
	NotificationID int64 `json:"notification_id"`
}

// MailJob sends NEW_MESSAGE e-mails, exactly once in effect (R19).
//
// E-mails are driven from notification rows, not from tasks: a row is due
// at email_due_at. The sweep (Run, every Interval) enqueues a
// mail:notification task for each due row, under a task id naming the row
// and its attempt, so one attempt is queued once. The task claims the row —
// and the rest of the recipient's burst in that conversation — with a lease
// in the database, sends one e-mail, then commits emailed_at. So a
// duplicated or retried task finds the rows claimed or sent and sends
// nothing; Redis losing the task loses nothing, since the row stays due
// and the next sweep enqueues it again. A failed send comes due again
// after a backoff; after inbox.EmailAttempts it is given up and shown to
// admins.
//
// The one duplicate left: the SMTP server accepts the message and the
// process dies (or the database is unreachable) before emailed_at is
// committed. The lease runs out, the row is due again and the same e-mail
// goes out a second time — with the same Message-ID, which many mail
// clients use to hide the copy.
type MailJob struct {
	svc      *inbox.Service
	store    *models.Store
	client   *asynq.Client
	sender   Sender
	composer *mail.Composer
	log      *slog.Logger
	instance instanceID

	Interval time.Duration
	Batch    int
	Queue    string
}

// NewMailJob builds the job. client may be nil: the sweep then sends
// inline (tests, `parley job run`).
func NewMailJob(svc *inbox.Service, store *models.Store, client *asynq.Client, sender Sender, composer *mail.Composer, log *slog.Logger) *MailJob {
	return &MailJob{svc: svc, store: store, client: client, sender: sender, composer: composer, log: log,
		Interval: 10 * time.Second, Batch: 100, Queue: "default"}
}

// ProcessTask implements asynq.Handler for mail:notification.
func (j *MailJob) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p MailPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.NotificationID <= 0 {
		return fmt.Errorf("mail payload %q: %v: %w", t.Payload(), err, asynq.SkipRetry)
	}
	_, err := j.Deliver(ctx, p.NotificationID)
	return err
}

// Deliver sends the e-mail of one due notification (with its burst) if it
// is still to send, and reports whether an e-mail went out. A failed send
// is recorded on the rows (retry with backoff, or given up) and is not an
// error of the task: the rows drive the retries.
func (j *MailJob) Deliver(ctx context.Context, notificationID int64) (bool, error) {
	e, ok, err := j.svc.ClaimEmail(ctx, notificationID)
	if err != nil || !ok {
		return false, err
	}
	inst, err := j.instance.load(ctx, j.store)
	if err != nil {
		return false, err
	}
	// A copy with the instance id: the composer is shared by the tasks
	// delivering at once, and its Message-IDs carry the id.
	c := *j.composer
	c.Instance = inst
	msg, err := c.Compose(e)
	if err == nil {
		err = j.sender.Send(ctx, msg)
	}
	if err != nil {
		gaveUp, ferr := j.svc.EmailFailed(ctx, e, err)
		if ferr != nil {
			return false, errors.Join(err, ferr)
		}
		if gaveUp {
			j.log.Error("e-mail given up", "notification", e.Lead.ID, "to", e.Recipient.Kind, "err", err)
		} else {
			j.log.Warn("e-mail failed; retrying later", "notification", e.Lead.ID, "err", err)
		}
		return false, nil
	}
	// Between the server's acceptance above and this commit lies the one
	// possible duplicate (see MailJob).
	if err := j.svc.EmailSent(ctx, e); err != nil {
		return true, err
	}
	return true, nil
}

// Sweep enqueues (or, without a queue, sends) every due e-mail and reports
// how many it handed on.
func (j *MailJob) Sweep(ctx context.Context) (int, error) {
	due, err := j.svc.DueEmails(ctx, j.Batch)
	if err != nil {
		return 0, err
	}
	inst, err := j.instance.load(ctx, j.store)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, row := range due {
		if j.client == nil {
			if _, err := j.Deliver(ctx, row.ID); err != nil {
				return n, err
			}
			n++
			continue
		}
		b, _ := json.Marshal(MailPayload{NotificationID: row.ID})
		_, err := j.client.EnqueueContext(ctx, asynq.NewTask(inbox.TaskSendEmail, b),
			asynq.TaskID(inbox.EmailTaskID(inst, row)), asynq.Queue(j.Queue), asynq.MaxRetry(0),
			asynq.Timeout(inbox.EmailLease), asynq.Retention(time.Hour))
		if errors.Is(err, asynq.ErrTaskIDConflict) {
			continue // this attempt is queued already
		}
		if err != nil {
			return n, fmt.Errorf("enqueue e-mail %d: %w", row.ID, err)
		}
		n++
	}
	return n, nil
}

// Run sweeps until ctx ends.
func (j *MailJob) Run(ctx context.Context) {
	t := time.NewTicker(j.Interval)
	defer t.Stop()
	for {
		if _, err := j.Sweep(ctx); err != nil && ctx.Err() == nil {
			j.log.Warn("mail sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
