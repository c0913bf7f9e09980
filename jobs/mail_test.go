package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/jobs"
	"github.com/parleyhq/parley/mail"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/policies"
	"github.com/parleyhq/parley/ratelimit"
	"github.com/parleyhq/parley/ratelimit/redistest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// mailWorld is a store, the inbox on a fake clock with Redis presence, a
// real SMTP server started for the test and the mail job sending to it.
type mailWorld struct {
	t        *testing.T
	ctx      context.Context
	store    *models.Store
	clock    *clock
	svc      *inbox.Service
	presence *mail.Presence
	rdb      redis.UniversalClient
	smtp     *mail.Server
	job      *jobs.MailJob
	staff    map[string]models.Actor
	alice    models.Actor
}

func newMailWorld(t *testing.T, s *models.Store) *mailWorld {
	t.Helper()
	ctx := context.Background()
	pol, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	rdb, prefix := storetest.Redis(t)
	srv, err := mail.StartServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	w := &mailWorld{t: t, ctx: ctx, store: s, clock: &clock{t: time.Now().UTC().Truncate(time.Second)},
		presence: mail.NewPresence(rdb, prefix), rdb: rdb, smtp: srv, staff: map[string]models.Actor{}}
	lim := ratelimit.NewLimiter(rdb, prefix)
	w.svc = inbox.New(s, pol, w.clock, lim, inbox.WithPresence(w.presence), inbox.WithSecret([]byte("app-secret")))
	w.job = jobs.NewMailJob(w.svc, s, nil, mail.NewClient(srv.Config()),
		&mail.Composer{PublicURL: "http://parley.test", From: "support@shop.test", ShopName: "Shop"}, quiet())
	acc := inbox.NewAccounts(s, pol, w.clock, lim, []byte("k"), 1e12)
	for _, u := range []struct{ name, role string }{{"agent1", "agent"}, {"agent2", "agent"}, {"chatadmin", "chat_admin"}, {"admin", "admin"}, {"owner", "owner"}} {
		st, err := acc.CreateStaff(ctx, models.System, u.name, u.role, u.name+"@staff.test", "x")
		if err != nil {
			t.Fatal(err)
		}
		w.staff[u.name] = models.Actor{Kind: models.ActorStaff, ID: st.ID, Role: st.Role, Name: st.Username}
	}
	c, err := acc.CreateCustomer(ctx, "alice@example.com", "Alice", "")
	if err != nil {
		t.Fatal(err)
	}
	w.alice = models.Actor{Kind: models.ActorCustomer, ID: c.ID, Role: models.RoleCustomer, Name: c.Email}
	return w
}

// start opens a conversation as Alice (its notifications written).
func (w *mailWorld) start(subject string) models.Conversation {
	w.t.Helper()
	c, m, err := w.svc.Start(w.ctx, w.alice, inbox.StartInput{Subject: subject, Body: "Where is my parcel?"})
	if err != nil {
		w.t.Fatal(err)
	}
	w.notify(m.ID)
	return c
}

// send writes a message and runs its notify task (as the worker would).
func (w *mailWorld) send(a models.Actor, convID int64, kind, body string) models.Message {
	w.t.Helper()
	m, _, err := w.svc.Send(w.ctx, a, convID, kind, body)
	if err != nil {
		w.t.Fatal(err)
	}
	w.notify(m.ID)
	return m
}

func (w *mailWorld) notify(id int64) {
	w.t.Helper()
	if _, err := w.svc.NotifyNewMessage(w.ctx, id); err != nil {
		w.t.Fatal(err)
	}
}

func (w *mailWorld) sweep() int {
	w.t.Helper()
	n, err := w.job.Sweep(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// mailsTo lists the received messages addressed to addr, oldest first.
func (w *mailWorld) mailsTo(addr string) []mail.Received {
	var out []mail.Received
	msgs := w.smtp.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, to := range msgs[i].To {
			if to == addr {
				out = append(out, msgs[i])
			}
		}
	}
	return out
}

// customerNotification is Alice's newest notification.
func (w *mailWorld) customerNotification() models.Notification {
	w.t.Helper()
	ns, err := w.store.RecipientNotifications(w.ctx, models.ActorCustomer, w.alice.ID, 1)
	if err != nil || len(ns) == 0 {
		w.t.Fatalf("alice's notifications: %v %v", ns, err)
	}
	return ns[0]
}

// TestMailStaffReplyOnce: a staff reply to an offline customer is one
// e-mail after the burst window, with threading, unsubscribe and links; a
// second run of the same task, a later sweep and a duplicated delivery
// send nothing more.
func TestMailStaffReplyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		w := newMailWorld(t, s)
		c := w.start("Parcel <b>late</b>")
		w.send(w.staff["agent1"], c.ID, models.KindReply, "It ships today.")
		n := w.customerNotification()
		if n.EmailDueAt == nil {
			t.Fatalf("the reply's notification has no e-mail due: %+v", n)
		}
		if w.sweep(); len(w.mailsTo("alice@example.com")) != 0 {
			t.Fatal("an e-mail went out before the burst window ended")
		}
		w.clock.Advance(inbox.EmailWindow)
		for i := 0; i < 2; i++ { // the task, then the same task again
			sent, err := w.job.Deliver(w.ctx, n.ID)
			if err != nil || sent != (i == 0) {
				t.Fatalf("delivery %d: sent=%v err=%v", i+1, sent, err)
			}
		}
		w.clock.Advance(time.Hour)
		w.sweep()
		got := w.mailsTo("alice@example.com")
		if len(got) != 1 {
			t.Fatalf("alice got %d e-mails, want 1", len(got))
		}
		m := got[0]
		inst, _ := s.InstanceID(w.ctx)
		wantID := "<notification-" + itoa(n.ID) + "." + inst + "@parley.test>"
		root := "<conversation-" + itoa(c.ID) + "." + inst + "@parley.test>"
		for h, want := range map[string]string{"Message-Id": wantID, "In-Reply-To": root, "References": root,
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"} {
			if g := m.Header.Get(h); g != want {
				t.Errorf("%s = %q, want %q", h, g, want)
			}
		}
		if _, err := m.Header.Date(); err != nil {
			t.Errorf("Date: %v", err)
		}
		if lu := m.Header.Get("List-Unsubscribe"); !strings.HasPrefix(lu, "<http://parley.test/unsubscribe?c="+itoa(w.alice.ID)+"&t=") {
			t.Errorf("List-Unsubscribe = %q", lu)
		}
		if !strings.Contains(m.Text, "It ships today.") || !strings.Contains(m.Text, "http://parley.test/dashboard/messages/"+itoa(c.ID)) {
			t.Errorf("text part:\n%s", m.Text)
		}
		if strings.Contains(m.Text, "agent1") || strings.Contains(m.HTML, "agent1") {
			t.Error("the customer's e-mail names the staff member's username")
		}
		if !strings.Contains(m.HTML, "Parcel &lt;b&gt;late&lt;/b&gt;") {
			t.Errorf("HTML part does not escape the subject:\n%s", m.HTML)
		}
		if after, _ := s.NotificationByID(w.ctx, n.ID); after.EmailedAt == nil || after.EmailOutcome != models.EmailSent {
			t.Errorf("notification after sending: %+v", after)
		}
	})
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestMailBurstIsOneEmail: three quick replies make one e-mail quoting all
// three; a note makes none.
func TestMailBurstIsOneEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		w := newMailWorld(t, s)
		c := w.start("Refund")
		for i, body := range []string{"First.", "Second.", "Third."} {
			if i > 0 {
				w.clock.Advance(30 * time.Second)
			}
			w.send(w.staff["agent1"], c.ID, models.KindReply, body)
		}
		w.send(w.staff["agent1"], c.ID, models.KindNote, "SECRET note")
		for i := 0; i < 10; i++ {
			w.clock.Advance(time.Minute)
			w.sweep()
		}
		got := w.mailsTo("alice@example.com")
		if len(got) != 1 {
			t.Fatalf("alice got %d e-mails for a burst of three, want 1", len(got))
		}
		for _, b := range []string{"First.", "Second.", "Third."} {
			if !strings.Contains(got[0].Text, b) {
				t.Errorf("the e-mail misses %q:\n%s", b, got[0].Text)
			}
		}
		if strings.Contains(got[0].Text, "SECRET") || strings.Contains(got[0].HTML, "SECRET") {
			t.Error("a note reached the customer's e-mail")
		}
	})
}

// TestMailNoteSendsNothing: a note alone notifies nobody and e-mails nobody.
func TestMailNoteSendsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		w := newMailWorld(t, s)
		c := w.start("Order")
		w.clock.Advance(time.Hour) // the customer's own message has been mailed to staff by now
		w.sweep()
		before := len(w.smtp.Messages())
		w.send(w.staff["agent1"], c.ID, models.KindNote, "internal")
		w.clock.Advance(time.Hour)
		w.sweep()
		if n := len(w.smtp.Messages()) - before; n != 0 {
			t.Fatalf("a note sent %d e-mails", n)
		}
		if u, _ := s.UnreadNotifications(w.ctx, models.ActorCustomer, w.alice.ID); u != 0 {
			t.Fatalf("a note gave the customer %d notifications", u)
		}
	})
}

// TestMailOnlyOfflineAndUnread: a recipient who read the thread in time,
// or who is online when it is due, gets no e-mail.
func TestMailOnlyOfflineAndUnread(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		w := newMailWorld(t, s)
		c := w.start("Sizes")
		// Online and reads it.
		if err := w.svc.Heartbeat(w.ctx, w.alice); err != nil {
			t.Fatal(err)
		}
		w.send(w.staff["agent1"], c.ID, models.KindReply, "Size M fits.")
		if _, err := w.svc.Open(w.ctx, w.alice, c.ID); err != nil {
			t.Fatal(err)
		}
		if u, _ := w.svc.UnreadCount(w.ctx, w.alice); u != 0 {
			t.Fatalf("unread after opening the thread = %d", u)
		}
		w.clock.Advance(inbox.EmailWindow)
		w.sweep()
		if n := w.customerNotification(); n.EmailOutcome != models.EmailRead {
			t.Errorf("outcome = %q, want read", n.EmailOutcome)
		}
		// Online, not read: the in-app badge is enough.
		w.send(w.staff["agent1"], c.ID, models.KindReply, "Anything else?")
		w.clock.Advance(inbox.EmailWindow)
		w.sweep()
		if n := w.customerNotification(); n.EmailOutcome != models.EmailOnline {
			t.Errorf("outcome = %q, want online", n.EmailOutcome)
		}
		if got := w.mailsTo("alice@example.com"); len(got) != 0 {
			t.Fatalf("alice, online, got %d e-mails", len(got))
		}
		// Offline (the presence key expired), not read: an e-mail.
		if ttl := w.rdb.TTL(w.ctx, w.presence.Key(models.ActorCustomer, w.alice.ID)).Val(); ttl <= 0 || ttl > inbox.PresenceTTL {
			t.Fatalf("presence key TTL = %v, want within %v", ttl, inbox.PresenceTTL)
		}
		w.rdb.Del(w.ctx, w.presence.Key(models.ActorCustomer, w.alice.ID)) // as its TTL would
		w.send(w.staff["agent1"], c.ID, models.KindReply, "Still there?")
		w.clock.Advance(inbox.EmailWindow)
		w.sweep()
		if got := w.mailsTo("alice@example.com"); len(got) != 1 {
			t.Fatalf("alice, offline, got %d e-mails, want 1", len(got))
		}
	})
}

// TestMailStaffRecipientsAndPreference: a customer message to an
// unassigned thread e-mails the agents and chat admins (not admins or
// owners), except an agent who turned e-mails off; assigned, only the
// assignee.
func TestMailStaffRecipientsAndPreference(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		w := newMailWorld(t, s)
		if err := w.svc.SetEmailNotifications(w.ctx, w.staff["agent2"], false); err != nil {
			t.Fatal(err)
		}
		c := w.start("Broken zip")
		w.clock.Advance(inbox.EmailWindow)
		w.sweep()
		for name, want := range map[string]int{"agent1": 1, "agent2": 0, "chatadmin": 1, "admin": 0, "owner": 0} {
			if got := len(w.mailsTo(name + "@staff.test")); got != want {
				t.Errorf("%s got %d e-mails, want %d", name, got, want)
			}
		}
		if u, _ := w.svc.UnreadCount(w.ctx, w.staff["agent2"]); u != 1 {
			t.Errorf("agent2 (e-mails off) has %d unread in-app, want 1", u)
		}
		// Assigned to agent1: the next customer message e-mails agent1 only.
		agent1 := w.staff["agent1"].ID
		if _, err := w.svc.Assign(w.ctx, w.staff["chatadmin"], c.ID, &agent1); err != nil {
			t.Fatal(err)
		}
		w.send(w.alice, c.ID, models.KindReply, "Any news?")
		w.clock.Advance(inbox.EmailWindow)
		w.sweep()
		for name, want := range map[string]int{"agent1": 2, "agent2": 0, "chatadmin": 1, "admin": 0, "owner": 0} {
			if got := len(w.mailsTo(name + "@staff.test")); got != want {
				t.Errorf("after assignment %s has %d e-mails, want %d", name, got, want)
			}
		}
		got := w.mailsTo("agent1@staff.test")
		if !strings.Contains(got[1].Text, "/admin/info/conversation/edit?__goadmin_edit_pk="+itoa(c.ID)) {
			t.Errorf("staff e-mail links elsewhere:\n%s", got[1].Text)
		}
	})
}

// TestMailEscalationToFinance: an escalation notifies admins and owners.
func TestMailEscalationToFinance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		w := newMailWorld(t, s)
		c := w.start("Refund please")
		if _, err := w.svc.ChangeStatus(w.ctx, w.staff["agent1"], c.ID, models.StatusEscalated, "refund over limit"); err != nil {
			t.Fatal(err)
		}
		id, err := s.LastEventID(w.ctx, c.ID, inbox.EventStatus)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := w.svc.NotifyEscalation(w.ctx, id); err != nil || n != 2 {
			t.Fatalf("escalation notified %d, %v; want admin and owner", n, err)
		}
		w.clock.Advance(inbox.EmailWindow)
		w.sweep()
		for _, name := range []string{"admin", "owner"} {
			got := w.mailsTo(name + "@staff.test")
			if len(got) != 1 || !strings.Contains(got[0].Subject, "Escalated") || !strings.Contains(got[0].Text, "refund over limit") {
				t.Errorf("%s: %d e-mails %+v", name, len(got), got)
			}
		}
	})
}

// TestMailUnsubscribeStopsEmails: after the one-click unsubscribe the
// customer gets no more e-mails; a token for another customer is refused.
func TestMailUnsubscribeStopsEmails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		w := newMailWorld(t, s)
		c := w.start("Hello")
		if err := w.svc.Unsubscribe(w.ctx, w.alice.ID+1, w.svc.UnsubscribeToken(w.alice.ID)); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("a token of another customer: %v", err)
		}
		if err := w.svc.Unsubscribe(w.ctx, w.alice.ID, w.svc.UnsubscribeToken(w.alice.ID)); err != nil {
			t.Fatal(err)
		}
		w.send(w.staff["agent1"], c.ID, models.KindReply, "Hi")
		w.clock.Advance(inbox.EmailWindow)
		w.sweep()
		if got := w.mailsTo("alice@example.com"); len(got) != 0 {
			t.Fatalf("an unsubscribed customer got %d e-mails", len(got))
		}
		if n := w.customerNotification(); n.EmailOutcome != models.EmailOff {
			t.Errorf("outcome = %q, want off", n.EmailOutcome)
		}
	})
}

// TestMailFailuresRetryThenShow: SMTP refusals retry with backoff and,
// after the last attempt, the e-mail is given up and listed for admins.
func TestMailFailuresRetryThenShow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		w := newMailWorld(t, s)
		w.smtp.Reject = func(string, []string) error { return errors.New("mailbox busy") }
		c := w.start("Hello")
		w.clock.Advance(time.Hour) // staff e-mails of the start fail too; not this test's subject
		w.send(w.staff["agent1"], c.ID, models.KindReply, "Hi")
		n := w.customerNotification()
		w.clock.Advance(inbox.EmailWindow)
		for i := 1; i <= inbox.EmailAttempts; i++ {
			if _, err := w.job.Deliver(w.ctx, n.ID); err != nil {
				t.Fatal(err)
			}
			row, _ := s.NotificationByID(w.ctx, n.ID)
			if row.EmailAttempts != i || !strings.Contains(row.EmailError, "mailbox busy") {
				t.Fatalf("after attempt %d: %+v", i, row)
			}
			if i < inbox.EmailAttempts {
				if row.EmailDueAt == nil || !row.EmailDueAt.After(w.clock.Now()) {
					t.Fatalf("attempt %d: not due later: %+v", i, row)
				}
				// Not before its backoff.
				if sent, _ := w.job.Deliver(w.ctx, n.ID); sent {
					t.Fatal("retried before the backoff")
				}
				w.clock.Advance(row.EmailDueAt.Sub(w.clock.Now()))
			} else if row.EmailOutcome != models.EmailFailed || row.EmailDueAt != nil {
				t.Fatalf("after the last attempt: %+v", row)
			}
		}
		failed, err := w.svc.FailedEmails(w.ctx, w.staff["admin"], 10)
		if err != nil || len(failed) == 0 || failed[0].ID != n.ID {
			t.Fatalf("failed e-mails for admins: %+v %v", failed, err)
		}
		if _, err := w.svc.FailedEmails(w.ctx, w.staff["agent1"], 10); models.ErrorCode(err) != models.EFORBIDDEN {
			t.Fatalf("an agent sees failed e-mails: %v", err)
		}
	})
}

// TestMailHistoryNotMailed: a message notified more than an hour after it
// was written (demo seeding, a backlog) is in-app only.
func TestMailHistoryNotMailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		w := newMailWorld(t, s)
		c, _, err := w.svc.Start(w.ctx, w.alice, inbox.StartInput{Subject: "Old", Body: "old"})
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := w.svc.Send(w.ctx, w.staff["agent1"], c.ID, models.KindReply, "old reply")
		if err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(2 * inbox.MaxEmailAge)
		w.notify(m.ID)
		if n := w.customerNotification(); n.EmailDueAt != nil {
			t.Fatalf("history got an e-mail due: %+v", n)
		}
		w.clock.Advance(time.Hour)
		w.sweep()
		if got := w.mailsTo("alice@example.com"); len(got) != 0 {
			t.Fatalf("history mailed: %d", len(got))
		}
	})
}

// TestMailSurvivesRedisFlush: on a Redis of the test's own, the e-mail
// task is lost (FLUSHALL) after it was queued; the next sweep queues it
// again and exactly one e-mail goes out, even when the task then runs twice.
func TestMailSurvivesRedisFlush(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		rs := redistest.Start(t)
		rdb := rs.Client()
		w := newMailWorld(t, s)
		client := asynq.NewClientFromRedisClient(rdb)
		insp := asynq.NewInspectorFromRedisClient(rdb)
		job := jobs.NewMailJob(w.svc, s, client, mail.NewClient(w.smtp.Config()),
			&mail.Composer{PublicURL: "http://parley.test", From: "support@shop.test"}, quiet())
		job.Queue = "mailtest"
		c := w.start("Flush")
		w.clock.Advance(time.Hour)
		job.Sweep(w.ctx)
		drain(t, insp, job) // the start's staff e-mails
		w.send(w.staff["agent1"], c.ID, models.KindReply, "Queued, then lost")
		w.clock.Advance(inbox.EmailWindow)
		if n, err := job.Sweep(w.ctx); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		if err := rdb.FlushAll(w.ctx).Err(); err != nil {
			t.Fatal(err)
		}
		if tasks, _ := insp.ListPendingTasks("mailtest"); len(tasks) != 0 {
			t.Fatalf("flush left %d tasks", len(tasks))
		}
		if n, err := job.Sweep(w.ctx); err != nil || n != 1 {
			t.Fatalf("sweep after the flush: %d %v", n, err)
		}
		// The client remembers it registered the queue and does not register
		// it again after the flush; the worker reads its queues from its
		// config, the inspector from the registry.
		rdb.SAdd(w.ctx, "asynq:queues", "mailtest")
		tasks, err := insp.ListPendingTasks("mailtest")
		if err != nil || len(tasks) != 1 {
			t.Fatalf("pending after the flush: %d %v", len(tasks), err)
		}
		for i := 0; i < 2; i++ { // the task runs twice
			if err := job.ProcessTask(w.ctx, asynq.NewTask(tasks[0].Type, tasks[0].Payload)); err != nil {
				t.Fatal(err)
			}
		}
		if got := w.mailsTo("alice@example.com"); len(got) != 1 {
			t.Fatalf("alice got %d e-mails, want exactly 1", len(got))
		}
	})
}

// drain runs every pending task of the mail queue once.
func drain(t *testing.T, insp *asynq.Inspector, job *jobs.MailJob) {
	t.Helper()
	tasks, err := insp.ListPendingTasks("mailtest")
	if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
		t.Fatal(err)
	}
	for _, ti := range tasks {
		if err := job.ProcessTask(context.Background(), asynq.NewTask(ti.Type, ti.Payload)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMailConcurrentTasksSendOnce: two workers running the same task at
// once send one e-mail: the database lease lets one of them claim it.
func TestMailConcurrentTasksSendOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		w := newMailWorld(t, s)
		c := w.start("Race")
		w.send(w.staff["agent1"], c.ID, models.KindReply, "Once only.")
		n := w.customerNotification()
		w.clock.Advance(inbox.EmailWindow)
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := w.job.Deliver(w.ctx, n.ID); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if got := w.mailsTo("alice@example.com"); len(got) != 1 {
			t.Fatalf("alice got %d e-mails from 4 concurrent runs, want 1", len(got))
		}
	})
}

// TestMailStoreTimeZone: the e-mail quotes the message's time in the
// store's time zone (settings' time_zone), with the zone named.
func TestMailStoreTimeZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		w := newMailWorld(t, s)
		if err := s.PutSetting(w.ctx, models.SettingTimeZone, "Asia/Tokyo", w.clock.Now()); err != nil {
			t.Fatal(err)
		}
		c := w.start("Time zones")
		m := w.send(w.staff["agent1"], c.ID, models.KindReply, "It ships today.")
		w.clock.Advance(inbox.EmailWindow + time.Minute)
		w.sweep()
		got := w.mailsTo("alice@example.com")
		if len(got) != 1 {
			t.Fatalf("alice got %d e-mails, want 1", len(got))
		}
		tokyo, _ := time.LoadLocation("Asia/Tokyo")
		want := m.CreatedAt.In(tokyo).Format("2 Jan 2006 15:04") + " JST (Asia/Tokyo)"
		if !strings.Contains(got[0].Text, want) || !strings.Contains(got[0].HTML, want) {
			t.Errorf("the e-mail does not quote %q:\n%s", want, got[0].Text)
		}
		if strings.Contains(got[0].Text, " UTC") {
			t.Errorf("the e-mail quotes a UTC time:\n%s", got[0].Text)
		}
	})
}
