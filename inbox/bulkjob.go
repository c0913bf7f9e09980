package inbox

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// Bulk actions over "all N matching this filter" run as a background job.
//
// Starting a job checks the action and the filter and stores the job with
// its task in one transaction (the outbox hands the task to Asynq). The
// worker then:
//
//  1. snapshots the ids of the conversations matching the filter in the
//     creator's scope at that moment (walked by keyset, at most MaxBulkJob;
//     more and the job fails before touching anything);
//  2. applies the action in batches of at most MaxBulk ids, in id order.
//     Each batch is one transaction through bulkTx — the very code of the
//     selected-rows bulk, so scope (R6a), R2, R6, R7 hold alike — that also
//     records the batch and moves the job's cursor. A refusal rolls the
//     batch back whole and is recorded with its message naming the row;
//     the job goes on with the next batch. A crash or a duplicated task
//     resumes after the last committed batch: no batch applies twice.
//
// Rows that change while the job runs are judged when their batch runs:
// a row reopened before a "delete" batch refuses that batch (R2), a row
// that left the creator's scope refuses its batch (not found), a row
// already in the target state is left as it is. Rows that start matching
// the filter after the snapshot are not included.

// TaskBulkJob is the outbox task that runs a bulk job ({"job_id":N}).
const TaskBulkJob = "bulk:run"

// MaxBulkJob bounds the rows one job covers: a wider filter is refused
// before any row changes.
const MaxBulkJob = 100000

// bulkJobSlice is how long one task works before it hands the job on to a
// fresh task (the relay cuts a task off when its lease ends).
const bulkJobMargin = 15 * time.Second

// BulkJobInput starts a job: the action, its assignee (assign only) and
// the list filter, with the keys of GET /staff/conversations.
type BulkJobInput struct {
	Action      string
	HasAssignee bool
	AssignTo    *int64
	Filter      url.Values
}

// pagingKeys are list parameters that are not filters.
var pagingKeys = []string{models.ParamLimit, models.ParamCursor, models.ParamBefore}

// parseJobFilter reads a job's filter for its creator; paging keys are
// refused.
func parseJobFilter(q url.Values, me int64) (models.ConversationFilter, error) {
	for _, k := range pagingKeys {
		if _, ok := q[k]; ok {
			return models.ConversationFilter{}, models.Errorf(models.EINVALID, "filter: %s is paging, not a filter", k)
		}
	}
	f, err := models.ParseConversationQuery(q, models.QueryOptions{Staff: true, Me: me, MaxLimit: MaxPageSize})
	if err != nil {
		if e := models.AsError(err); e != nil {
			return f, &models.Error{Code: e.Code, Message: "filter: " + e.Message}
		}
		return f, err
	}
	return f, nil
}

// MayDeleteAll reports whether "delete all matching" fits a filter: only
// when it lists CLOSED conversations alone (R2).
func MayDeleteAll(f models.ConversationFilter) bool {
	return len(f.Statuses) == 1 && f.Statuses[0] == models.StatusClosed
}

// StartBulkJob checks and stores a bulk job over every conversation
// matching the filter in the actor's scope; the worker runs it.
func (s *Service) StartBulkJob(ctx context.Context, a models.Actor, in BulkJobInput) (models.BulkJob, error) {
	if !a.IsStaff() {
		return models.BulkJob{}, models.Errorf(models.EFORBIDDEN, "staff only")
	}
	if err := checkBulkAction(in.Action, in.HasAssignee); err != nil {
		return models.BulkJob{}, err
	}
	f, err := parseJobFilter(in.Filter, a.ID)
	if err != nil {
		return models.BulkJob{}, err
	}
	switch in.Action {
	case BulkDelete:
		if !MayDeleteAll(f) {
			return models.BulkJob{}, models.Errorf(models.EINVALID, "delete all matching needs the filter status=CLOSED (only closed conversations can be deleted)")
		}
		if !s.can(a, policies.Delete, &models.Conversation{Status: models.StatusClosed}) {
			return models.BulkJob{}, models.Errorf(models.EFORBIDDEN, "you may not delete conversations")
		}
	case BulkAssign:
		if !s.MayAssign(a) {
			return models.BulkJob{}, models.Errorf(models.EFORBIDDEN, "you may not assign conversations")
		}
	}
	j := models.BulkJob{CreatedBy: a.ID, Action: in.Action, Filter: in.Filter.Encode(), State: models.BulkQueued, CreatedAt: s.now()}
	if in.Action == BulkAssign {
		j.AssignTo = in.AssignTo
	}
	err = s.store.InTx(ctx, func(tx *models.Tx) error {
		if err := tx.InsertBulkJob(ctx, &j); err != nil {
			return err
		}
		return tx.InsertOutbox(ctx, TaskBulkJob, fmt.Sprintf(`{"job_id":%d}`, j.ID), s.now())
	})
	if err != nil {
		return models.BulkJob{}, fmt.Errorf("start bulk job: %w", err)
	}
	return j, nil
}

// BulkJob reads a job and its batches: for its creator, and for admins
// and owners; not found for anyone else (R6a).
func (s *Service) BulkJob(ctx context.Context, a models.Actor, id int64) (models.BulkJob, []models.BulkJobBatch, error) {
	notFound := models.Errorf(models.ENOTFOUND, "bulk job %d not found", id)
	if !a.IsStaff() {
		return models.BulkJob{}, nil, notFound
	}
	j, err := s.store.BulkJob(ctx, id, false)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return j, nil, notFound
	}
	if err != nil {
		return j, nil, err
	}
	if !mayReadBulkJob(a, j) {
		return models.BulkJob{}, nil, notFound
	}
	batches, err := s.store.BulkJobBatches(ctx, id)
	return j, batches, err
}

// mayReadBulkJob: a job is its creator's, and admins' and owners'.
func mayReadBulkJob(a models.Actor, j models.BulkJob) bool {
	return a.IsStaff() && (j.CreatedBy == a.ID || a.Role == models.RoleAdmin || a.Role == models.RoleOwner)
}

// CancelBulkJob stops a job before its next batch, for whoever may read
// it: the batches already applied stay applied (each was all or nothing),
// the rest never runs; a batch committing at the same moment either lands
// first or is rolled back whole (bulkJobBatch moves the job only while it
// is running, under the same row lock). Cancelling a cancelled job answers
// it again (a retried request); a job that has ended otherwise is a
// conflict.
func (s *Service) CancelBulkJob(ctx context.Context, a models.Actor, id int64) (models.BulkJob, error) {
	var out models.BulkJob
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		j, err := tx.BulkJob(ctx, id, true)
		if models.ErrorCode(err) == models.ENOTFOUND || (err == nil && !mayReadBulkJob(a, j)) {
			return models.Errorf(models.ENOTFOUND, "bulk job %d not found", id)
		}
		if err != nil {
			return err
		}
		switch {
		case j.State == models.BulkCancelled:
			out = j
			return nil
		case j.Finished():
			return models.Errorf(models.ECONFLICT, "bulk job %d has already ended (%s)", id, j.State)
		}
		now := s.now()
		j.State, j.FinishedAt, j.Message = models.BulkCancelled, &now, "stopped by "+a.Name
		if err := tx.ClearBulkJobItems(ctx, id); err != nil {
			return err
		}
		out = j
		return tx.SaveBulkJob(ctx, j)
	})
	return out, err
}

// errBulkMoved: another run of the job committed this batch first.
var errBulkMoved = errors.New("bulk job moved on")

// RunBulkJob runs a job to its end (the worker's handler): snapshot, then
// every batch. It is idempotent: a finished job is left alone, and an
// interrupted one resumes after its last committed batch. When ctx has a
// deadline it stops in time and hands the rest on to a fresh task.
func (s *Service) RunBulkJob(ctx context.Context, id int64) error {
	_, err := s.RunBulkJobBatches(ctx, id, 0)
	return err
}

// RunBulkJobBatches is RunBulkJob stopping after max batches (0: no
// limit); finished tells whether the job is over. Tests use it to stop a
// job between batches as a crash would.
func (s *Service) RunBulkJobBatches(ctx context.Context, id int64, max int) (finished bool, err error) {
	j, err := s.store.BulkJob(ctx, id, false)
	if err != nil {
		return false, fmt.Errorf("run bulk job %d: %w", id, err)
	}
	if j.Finished() {
		return true, nil
	}
	a, ok, err := s.jobActor(ctx, j)
	if err != nil || !ok {
		return !ok && err == nil, err
	}
	if j.State == models.BulkQueued || j.State == models.BulkCollecting {
		if j, err = s.snapshotBulkJob(ctx, a, j); err != nil || j.Finished() {
			return j.Finished(), err
		}
	}
	for n := 0; max == 0 || n < max; n++ {
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < bulkJobMargin {
			return false, s.store.InTx(ctx, func(tx *models.Tx) error {
				return tx.InsertOutbox(ctx, TaskBulkJob, fmt.Sprintf(`{"job_id":%d}`, id), s.now())
			})
		}
		done, err := s.bulkJobBatch(ctx, a, id)
		if err != nil || done {
			return done, err
		}
		if a, ok, err = s.jobActor(ctx, j); err != nil || !ok {
			return !ok && err == nil, err
		}
	}
	return false, nil
}

// jobActor is the job's creator as an actor; when they are no longer
// active staff the job fails (ok false).
func (s *Service) jobActor(ctx context.Context, j models.BulkJob) (models.Actor, bool, error) {
	st, err := s.store.StaffMember(ctx, j.CreatedBy)
	if err == nil && st.Active {
		return models.Actor{Kind: models.ActorStaff, ID: st.ID, Role: st.Role, Name: st.Username}, true, nil
	}
	if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
		return models.Actor{}, false, err
	}
	return models.Actor{}, false, s.failBulkJob(ctx, j.ID, "its creator is no longer active staff")
}

// failBulkJob stops a job for good with a reason.
func (s *Service) failBulkJob(ctx context.Context, id int64, why string) error {
	return s.store.InTx(ctx, func(tx *models.Tx) error {
		j, err := tx.BulkJob(ctx, id, true)
		if err != nil || j.Finished() {
			return err
		}
		now := s.now()
		j.State, j.Message, j.FinishedAt = models.BulkFailed, why, &now
		if err := tx.ClearBulkJobItems(ctx, id); err != nil {
			return err
		}
		return tx.SaveBulkJob(ctx, j)
	})
}

// snapshotBulkJob stores the ids matching the job's filter in the actor's
// scope and moves the job to running (or fails it when too many match).
// The walk reads outside the write transaction; ids seen twice count once.
func (s *Service) snapshotBulkJob(ctx context.Context, a models.Actor, j models.BulkJob) (models.BulkJob, error) {
	q, err := url.ParseQuery(j.Filter)
	if err != nil {
		return j, s.failBulkJob(ctx, j.ID, "its filter cannot be read")
	}
	f, err := parseJobFilter(q, a.ID)
	if err != nil {
		return j, s.failBulkJob(ctx, j.ID, errMessage(err))
	}
	f.Limit = MaxPageSize
	if f, err = s.scopeFilter(a, f); err != nil {
		return j, s.failBulkJob(ctx, j.ID, errMessage(err))
	}
	f.Limit = 1000
	scope := s.pol.ScopeBranches(a)
	seen := make(map[int64]bool)
	var ids []int64
	for {
		page, err := s.store.ListConversations(ctx, scope, f)
		if err != nil {
			return j, fmt.Errorf("bulk job %d snapshot: %w", j.ID, err)
		}
		for _, c := range page.Items {
			if !seen[c.ID] {
				seen[c.ID] = true
				ids = append(ids, c.ID)
			}
		}
		if len(ids) > MaxBulkJob {
			return j, s.failBulkJob(ctx, j.ID, fmt.Sprintf("more than %d conversations match; narrow the filter", MaxBulkJob))
		}
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	slices.Sort(ids)
	err = s.store.InTx(ctx, func(tx *models.Tx) error {
		cur, err := tx.BulkJob(ctx, j.ID, true)
		if err != nil {
			return err
		}
		if cur.State != models.BulkQueued && cur.State != models.BulkCollecting {
			j = cur // another run got here first
			return nil
		}
		if err := tx.ClearBulkJobItems(ctx, j.ID); err != nil {
			return err
		}
		for part := range slices.Chunk(ids, 250) {
			if err := tx.AddBulkJobItems(ctx, j.ID, part); err != nil {
				return err
			}
		}
		now := s.now()
		cur.State, cur.Total, cur.StartedAt = models.BulkRunning, len(ids), &now
		if len(ids) == 0 {
			cur.State, cur.FinishedAt = models.BulkDone, &now
		}
		j = cur
		return tx.SaveBulkJob(ctx, cur)
	})
	return j, err
}

// refusal reports whether err is a rule's answer about the rows (the
// batch is refused and recorded) rather than a failure to retry.
func refusal(err error) *models.Error {
	e := models.AsError(err)
	if e == nil {
		return nil
	}
	switch e.Code {
	case models.EINVALID, models.EFORBIDDEN, models.ENOTFOUND, models.ECONFLICT:
		return e
	}
	return nil
}

// bulkJobBatch applies the job's next batch in one transaction with its
// record and the cursor; a refused batch is recorded (and the cursor
// moved) in a second one. done reports that no batch is left.
func (s *Service) bulkJobBatch(ctx context.Context, a models.Actor, id int64) (done bool, err error) {
	j, err := s.store.BulkJob(ctx, id, false)
	if err != nil {
		return false, err
	}
	if j.State != models.BulkRunning {
		return j.Finished(), nil
	}
	ids, err := s.store.BulkJobItems(ctx, id, j.LastID, MaxBulk)
	if err != nil {
		return false, err
	}
	if len(ids) == 0 {
		return true, s.store.InTx(ctx, func(tx *models.Tx) error {
			cur, err := tx.BulkJob(ctx, id, true)
			if err != nil || cur.State != models.BulkRunning {
				return err
			}
			now := s.now()
			cur.State, cur.FinishedAt = models.BulkDone, &now
			if err := tx.ClearBulkJobItems(ctx, id); err != nil {
				return err
			}
			return tx.SaveBulkJob(ctx, cur)
		})
	}
	batch := models.BulkJobBatch{JobID: id, Batch: j.Batches + 1, FirstID: ids[0], LastID: ids[len(ids)-1], Size: len(ids)}
	// record moves the cursor past the batch, only from where this run
	// read it: a run that lost the race changes nothing.
	record := func(tx *models.Tx, ok bool) error {
		cur, err := tx.BulkJob(ctx, id, true)
		if err != nil {
			return err
		}
		if cur.State != models.BulkRunning || cur.LastID != j.LastID {
			return errBulkMoved
		}
		batch.OK, batch.At = ok, s.now()
		if err := tx.InsertBulkJobBatch(ctx, batch); err != nil {
			return err
		}
		cur.Batches, cur.LastID = batch.Batch, batch.LastID
		if ok {
			cur.Done += batch.Size
		} else {
			cur.Refused += batch.Size
		}
		return tx.SaveBulkJob(ctx, cur)
	}
	var files []string
	var refused *models.Error
	before := s.snapshot(ctx, ids)
	err = s.store.InTx(ctx, func(tx *models.Tx) error {
		if err := record(tx, true); err != nil {
			return err
		}
		var err error
		files, err = s.bulkTx(ctx, tx, a, j.Action, ids, j.AssignTo)
		if e := refusal(err); e != nil {
			refused = e
		}
		return err
	})
	switch {
	case errors.Is(err, errBulkMoved):
		return false, nil
	case refused != nil:
		batch.Code, batch.Message, batch.IDs = string(refused.Code), refused.Message, refused.IDs
		err = s.store.InTx(ctx, func(tx *models.Tx) error { return record(tx, false) })
		if errors.Is(err, errBulkMoved) {
			return false, nil
		}
		return false, err
	case err != nil:
		return false, fmt.Errorf("bulk job %d batch %d: %w", id, batch.Batch, err)
	}
	s.removeFiles(ctx, files) // R12: the files go with their rows
	s.publishChanges(ctx, before, ids)
	return false, nil
}

// errMessage is a domain error's message, or a generic one.
func errMessage(err error) string {
	if e := models.AsError(err); e != nil {
		return e.Message
	}
	return "internal error"
}
