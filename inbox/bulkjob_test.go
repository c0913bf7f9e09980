package inbox_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// mustMany stores n conversations of one fresh customer in a status,
// straight through the store (a set-up for jobs over several batches),
// and answers the customer and the ids in order.
func (e *env) mustMany(n int, status models.Status) (int64, []int64) {
	e.t.Helper()
	cu := e.MustCustomer()
	ids := make([]int64, 0, n)
	err := e.st.InTx(e.ctx, func(tx *models.Tx) error {
		for i := range n {
			at := e.clock.Now().UTC().Truncate(time.Microsecond).Add(time.Duration(i) * time.Millisecond)
			c := models.Conversation{CustomerID: cu.ID, CustomerName: "Many", CustomerEmail: cu.Name, Subject: fmt.Sprintf("bulk %d", i),
				Status: status, IsReadByAdmin: true, IsReadByUser: true, CreatedAt: at, UpdatedAt: at, LastMessageAt: at, PublicLastAt: at}
			if err := tx.InsertConversation(e.ctx, &c); err != nil {
				return err
			}
			ids = append(ids, c.ID)
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	return cu.ID, ids
}

func (e *env) mustStartJob(a models.Actor, action string, filter string) models.BulkJob {
	e.t.Helper()
	q, err := url.ParseQuery(filter)
	if err != nil {
		e.t.Fatal(err)
	}
	j, err := e.svc.StartBulkJob(e.ctx, a, inbox.BulkJobInput{Action: action, Filter: q})
	if err != nil {
		e.t.Fatalf("start %s over %s: %v", action, filter, err)
	}
	return j
}

func (e *env) mustJob(a models.Actor, id int64) (models.BulkJob, []models.BulkJobBatch) {
	e.t.Helper()
	j, bs, err := e.svc.BulkJob(e.ctx, a, id)
	if err != nil {
		e.t.Fatalf("bulk job %d: %v", id, err)
	}
	return j, bs
}

// TestBulkJobOverBatches: "close all matching" over 1,100 conversations
// runs in batches of 500; stopped after the first batch (a crash between
// batches) and then run twice at once, every conversation is closed
// exactly once and the job reads done with three batches. A staff action
// during the job and a conversation that starts matching after the
// snapshot are handled as documented.
func TestBulkJobOverBatches(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cid, ids := e.mustMany(1100, models.StatusOpen)
		j := e.mustStartJob(e.chatAdmin, inbox.BulkClose, fmt.Sprintf("customer_id=%d&status=OPEN", cid))
		if n := e.count("outbox", "task_type = ? AND payload = ?", inbox.TaskBulkJob, fmt.Sprintf(`{"job_id":%d}`, j.ID)); n != 1 {
			t.Fatalf("%d outbox tasks for the job", n)
		}
		if j.State != models.BulkQueued {
			t.Errorf("new job state %s", j.State)
		}

		// Snapshot and one batch, then the "crash".
		finished, err := e.svc.RunBulkJobBatches(e.ctx, j.ID, 1)
		if err != nil || finished {
			t.Fatalf("first batch: finished %v, %v", finished, err)
		}
		got, _ := e.mustJob(e.chatAdmin, j.ID)
		if got.State != models.BulkRunning || got.Total != 1100 || got.Done != 500 || got.Batches != 1 || got.LastID != ids[499] {
			t.Fatalf("after one batch: %+v", got)
		}
		if e.MustConv(ids[499]).Status != models.StatusClosed || e.MustConv(ids[500]).Status != models.StatusOpen {
			t.Error("the first batch is not exactly the first 500 ids")
		}
		// Meanwhile: a staff member closes a row of the second batch, and a
		// new conversation of the customer starts matching.
		e.MustChangeStatus(e.chatAdmin, ids[700], models.StatusClosed, "")
		late := e.MustStart(e.MustCustomer(), inbox.StartInput{Subject: "late"})
		_ = late

		// Two runs at once (a duplicated task) finish it.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = e.svc.RunBulkJob(e.ctx, j.ID) }()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		got, batches := e.mustJob(e.chatAdmin, j.ID)
		if got.State != models.BulkDone || got.Done != 1100 || got.Refused != 0 || got.Batches != 3 || got.FinishedAt == nil {
			t.Errorf("finished job: %+v", got)
		}
		if len(batches) != 3 || batches[0].Size != 500 || batches[2].Size != 100 || !batches[1].OK || batches[2].LastID != ids[1099] {
			t.Errorf("batches: %+v", batches)
		}
		// Exactly one close event per conversation: no batch applied twice.
		closes := e.count("audit_log", "action = ? AND subject_type = ? AND subject_id IN (SELECT id FROM conversations WHERE customer_id = ?)",
			"conversation.status", "conversation", cid)
		if closes != 1100 {
			t.Errorf("%d close events for 1,100 conversations", closes)
		}
		if n := e.count("conversations", "customer_id = ? AND status <> ?", cid, models.StatusClosed); n != 0 {
			t.Errorf("%d conversations left open", n)
		}
		if e.MustConv(late.ID).Status != models.StatusOpen {
			t.Error("a conversation started after the snapshot was closed")
		}
		if n := e.count("bulk_job_items", "job_id = ?", j.ID); n != 0 {
			t.Errorf("%d snapshot rows left after the job", n)
		}
		// A finished job runs again as a no-op.
		if err := e.svc.RunBulkJob(e.ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		if again, _ := e.mustJob(e.chatAdmin, j.ID); again.Batches != 3 || again.Done != 1100 {
			t.Errorf("rerun changed the job: %+v", again)
		}
	})
}

// TestBulkJobDeleteRefusesBatch: delete all matching is only for a
// status=CLOSED filter; a batch with one conversation reopened since the
// snapshot is refused whole, named, and the other batches go through (R2).
func TestBulkJobDeleteRefusesBatch(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cid, ids := e.mustMany(600, models.StatusClosed)
		for _, filter := range []string{fmt.Sprintf("customer_id=%d", cid), "status=CLOSED,RESOLVED", "status=OPEN"} {
			q, _ := url.ParseQuery(filter)
			_, err := e.svc.StartBulkJob(e.ctx, e.chatAdmin, inbox.BulkJobInput{Action: inbox.BulkDelete, Filter: q})
			wantCode(t, err, models.EINVALID)
		}
		for _, bad := range []inbox.BulkJobInput{
			{Action: "explode"},
			{Action: inbox.BulkAssign},
			{Action: inbox.BulkClose, HasAssignee: true},
			{Action: inbox.BulkClose, Filter: url.Values{"limit": {"5"}}},
			{Action: inbox.BulkClose, Filter: url.Values{"cursor": {"x"}}},
			{Action: inbox.BulkClose, Filter: url.Values{"status": {"NOPE"}}},
			{Action: inbox.BulkClose, Filter: url.Values{"colour": {"red"}}},
		} {
			_, err := e.svc.StartBulkJob(e.ctx, e.chatAdmin, bad)
			wantCode(t, err, models.EINVALID)
		}
		_, err := e.svc.StartBulkJob(e.ctx, e.agent, inbox.BulkJobInput{Action: inbox.BulkDelete, Filter: url.Values{"status": {"CLOSED"}}})
		wantCode(t, err, models.EFORBIDDEN)
		_, err = e.svc.StartBulkJob(e.ctx, e.agent, inbox.BulkJobInput{Action: inbox.BulkAssign, HasAssignee: true, AssignTo: &e.agent.ID})
		wantCode(t, err, models.EFORBIDDEN)
		_, err = e.svc.StartBulkJob(e.ctx, w0(e), inbox.BulkJobInput{Action: inbox.BulkClose})
		wantCode(t, err, models.EFORBIDDEN)

		j := e.mustStartJob(e.chatAdmin, inbox.BulkDelete, fmt.Sprintf("status=CLOSED&customer_id=%d", cid))
		if _, err := e.svc.RunBulkJobBatches(e.ctx, j.ID, -1); err != nil { // snapshot only
			t.Fatal(err)
		}
		reopened := ids[550]
		e.MustChangeStatus(e.chatAdmin, reopened, models.StatusOpen, "")
		if err := e.svc.RunBulkJob(e.ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		got, batches := e.mustJob(e.chatAdmin, j.ID)
		if got.State != models.BulkDone || got.Done != 500 || got.Refused != 100 || len(batches) != 2 {
			t.Fatalf("job %+v, batches %+v", got, batches)
		}
		b := batches[1]
		if b.OK || b.Code != string(models.ECONFLICT) || !slices.Equal(b.IDs, []int64{reopened}) || !strings.Contains(b.Message, fmt.Sprint(reopened)) {
			t.Errorf("refused batch: %+v", b)
		}
		if n := e.count("conversations", "customer_id = ?", cid); n != 100 {
			t.Errorf("%d conversations left, want the refused batch's 100", n)
		}
		if n := e.count("conversations", "id = ?", ids[0]); n != 0 {
			t.Error("the first batch was not deleted")
		}
	})
}

// w0 is a customer actor (no bulk jobs for customers).
func w0(e *env) models.Actor { return e.MustCustomer() }

// TestBulkJobScope: a job covers only its creator's scope, a row that
// leaves that scope refuses its batch (not found), and only the creator
// and admins read the job.
func TestBulkJobScope(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		w := newScopeWorld(e)
		_, other := e.MustCustomerConv() // unassigned too
		if _, err := e.svc.Bulk(e.ctx, e.chatAdmin, inbox.BulkMarkRead, []int64{w.theirs.ID, w.mine.ID, w.unassigned.ID}); err != nil {
			t.Fatal(err)
		}
		j := e.mustStartJob(e.agent, inbox.BulkMarkUnread, "")
		if _, err := e.svc.RunBulkJobBatches(e.ctx, j.ID, -1); err != nil {
			t.Fatal(err)
		}
		got, _ := e.mustJob(e.agent, j.ID)
		if got.Total != 3 { // unassigned, other, mine; never theirs
			t.Fatalf("agent's snapshot has %d rows, want 3", got.Total)
		}
		if err := e.svc.RunBulkJob(e.ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		if e.MustConv(w.mine.ID).IsReadByAdmin || e.MustConv(w.unassigned.ID).IsReadByAdmin {
			t.Error("the agent's rows are still read")
		}
		if !e.MustConv(w.theirs.ID).IsReadByAdmin {
			t.Error("the agent's job touched another agent's thread")
		}

		// A row leaving the scope mid-job refuses its batch.
		j = e.mustStartJob(e.agent, inbox.BulkMarkRead, "")
		if _, err := e.svc.RunBulkJobBatches(e.ctx, j.ID, -1); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Assign(e.ctx, e.chatAdmin, other.ID, &e.agent2.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RunBulkJob(e.ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		got, batches := e.mustJob(e.agent, j.ID)
		if got.Refused != 3 || len(batches) != 1 || batches[0].Code != string(models.ENOTFOUND) || !slices.Equal(batches[0].IDs, []int64{other.ID}) {
			t.Errorf("job %+v batches %+v", got, batches)
		}
		if e.MustConv(w.mine.ID).IsReadByAdmin {
			t.Error("a refused batch still marked a row read")
		}

		// Who reads the job.
		_, _, err := e.svc.BulkJob(e.ctx, e.agent2, j.ID)
		wantCode(t, err, models.ENOTFOUND)
		_, _, err = e.svc.BulkJob(e.ctx, e.chatAdmin, j.ID)
		wantCode(t, err, models.ENOTFOUND)
		e.mustJob(e.admin, j.ID)
		e.mustJob(e.owner, j.ID)
		_, _, err = e.svc.BulkJob(e.ctx, e.agent, 999999)
		wantCode(t, err, models.ENOTFOUND)
	})
}

// TestBulkJobCancel: a job stopped after its first batch keeps that
// batch and runs no other, even when its task runs again; a retried
// cancel answers the same job; an ended job cannot be cancelled; another
// agent cannot even see it.
func TestBulkJobCancel(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cid, ids := e.mustMany(1100, models.StatusOpen)
		j := e.mustStartJob(e.chatAdmin, inbox.BulkClose, fmt.Sprintf("customer_id=%d&status=OPEN", cid))
		if finished, err := e.svc.RunBulkJobBatches(e.ctx, j.ID, 1); err != nil || finished {
			t.Fatalf("first batch: finished %v, %v", finished, err)
		}
		if _, err := e.svc.CancelBulkJob(e.ctx, e.agent, j.ID); models.ErrorCode(err) != models.ENOTFOUND {
			t.Errorf("an agent cancels a chat admin's job: %v", err)
		}
		got, err := e.svc.CancelBulkJob(e.ctx, e.chatAdmin, j.ID)
		if err != nil || got.State != models.BulkCancelled || got.FinishedAt == nil || !strings.Contains(got.Message, e.chatAdmin.Name) {
			t.Fatalf("cancel: %+v, %v", got, err)
		}
		if again, err := e.svc.CancelBulkJob(e.ctx, e.chatAdmin, j.ID); err != nil || again.State != models.BulkCancelled {
			t.Errorf("cancel again: %+v, %v", again, err)
		}
		// The task runs on (it was queued): nothing more happens.
		if err := e.svc.RunBulkJob(e.ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		after, batches := e.mustJob(e.chatAdmin, j.ID)
		if after.State != models.BulkCancelled || after.Done != 500 || after.Batches != 1 || len(batches) != 1 {
			t.Errorf("after the cancel: %+v, %d batches", after, len(batches))
		}
		if n := e.count("conversations", "customer_id = ? AND status = ?", cid, models.StatusClosed); n != 500 {
			t.Errorf("%d closed, want the first batch's 500", n)
		}
		if e.MustConv(ids[500]).Status != models.StatusOpen {
			t.Error("a conversation after the first batch was closed")
		}
		if n := e.count("bulk_job_items", "job_id = ?", j.ID); n != 0 {
			t.Errorf("%d snapshot rows left after the cancel", n)
		}
		// A job that ran to its end is a conflict.
		done := e.mustStartJob(e.chatAdmin, inbox.BulkClose, fmt.Sprintf("customer_id=%d&status=OPEN", cid))
		if err := e.svc.RunBulkJob(e.ctx, done.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CancelBulkJob(e.ctx, e.chatAdmin, done.ID); models.ErrorCode(err) != models.ECONFLICT {
			t.Errorf("cancel a finished job: %v", err)
		}
	})
}
