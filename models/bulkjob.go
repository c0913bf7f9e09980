package models

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Bulk job states: queued until the worker picks it up, collecting while
// it snapshots the matching ids, running while it applies batches, then
// done (every batch tried; some may have been refused), failed (stopped
// before the end: its creator lost access, too many rows, …) or cancelled
// (stopped by staff before its next batch).
const (
	BulkQueued     = "queued"
	BulkCollecting = "collecting"
	BulkRunning    = "running"
	BulkDone       = "done"
	BulkFailed     = "failed"
	BulkCancelled  = "cancelled"
)

// BulkJob is a bulk action over every conversation matching a filter, run
// in the background (inbox.StartBulkJob).
type BulkJob struct {
	ID                    int64
	CreatedBy             int64
	Action                string
	AssignTo              *int64 // the assignee of an assign job (nil unassigns)
	Filter                string // the list query, URL-encoded, as models.ParseConversationQuery reads it
	State                 string
	Total                 int // rows snapshotted
	Done                  int // rows of applied batches
	Refused               int // rows of refused batches
	Batches               int // batches tried
	LastID                int64
	Message               string // why a failed job stopped
	CreatedAt             time.Time
	StartedAt, FinishedAt *time.Time
}

// Finished reports whether the job will not change any more.
func (j BulkJob) Finished() bool {
	return j.State == BulkDone || j.State == BulkFailed || j.State == BulkCancelled
}

// BulkJobBatch is one batch of a job: applied whole (OK) or refused whole,
// with the refusal and the conversations it names.
type BulkJobBatch struct {
	JobID           int64
	Batch           int
	FirstID, LastID int64
	Size            int
	OK              bool
	Code, Message   string
	IDs             []int64
	At              time.Time
}

const bulkJobColumns = `id, created_by, action, assign_to, filter_query, state, total, done, refused, batches, last_id, message, created_at, started_at, finished_at`

// InsertBulkJob stores a new job and sets its id.
func (q Queries) InsertBulkJob(ctx context.Context, j *BulkJob) error {
	res, err := q.q.ExecContext(ctx, `INSERT INTO bulk_jobs (created_by, action, assign_to, filter_query, state, message, created_at)
		VALUES (?, ?, ?, ?, ?, '', ?)`, j.CreatedBy, j.Action, j.AssignTo, j.Filter, j.State, Now(j.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert bulk job: %w", translate(err))
	}
	j.ID, err = res.LastInsertId()
	return err
}

// BulkJob reads a job; lock takes its row lock (in a transaction).
func (q Queries) BulkJob(ctx context.Context, id int64, lock bool) (BulkJob, error) {
	query := `SELECT ` + bulkJobColumns + ` FROM bulk_jobs WHERE id = ?`
	if lock {
		query += q.forUpdate()
	}
	var j BulkJob
	var assign sql.NullInt64
	var started, finished sql.NullTime
	err := q.q.QueryRowContext(ctx, query, id).Scan(&j.ID, &j.CreatedBy, &j.Action, &assign, &j.Filter, &j.State,
		&j.Total, &j.Done, &j.Refused, &j.Batches, &j.LastID, &j.Message, &j.CreatedAt, &started, &finished)
	if err != nil {
		return j, fmt.Errorf("bulk job %d: %w", id, translate(err))
	}
	if assign.Valid {
		j.AssignTo = &assign.Int64
	}
	j.StartedAt, j.FinishedAt = nullTime(started), nullTime(finished)
	j.CreatedAt = j.CreatedAt.UTC()
	return j, nil
}

// SaveBulkJob writes a job's progress.
func (q Queries) SaveBulkJob(ctx context.Context, j BulkJob) error {
	var started, finished any
	if j.StartedAt != nil {
		started = Now(*j.StartedAt)
	}
	if j.FinishedAt != nil {
		finished = Now(*j.FinishedAt)
	}
	_, err := q.q.ExecContext(ctx, `UPDATE bulk_jobs SET state = ?, total = ?, done = ?, refused = ?, batches = ?, last_id = ?,
		message = ?, started_at = ?, finished_at = ? WHERE id = ?`,
		j.State, j.Total, j.Done, j.Refused, j.Batches, j.LastID, j.Message, started, finished, j.ID)
	if err != nil {
		return fmt.Errorf("save bulk job %d: %w", j.ID, translate(err))
	}
	return nil
}

// AddBulkJobItems adds conversation ids to a job's snapshot (ids already
// there are skipped).
func (q Queries) AddBulkJobItems(ctx context.Context, job int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	vals := strings.TrimSuffix(strings.Repeat("(?, ?),", len(ids)), ",")
	args := make([]any, 0, 2*len(ids))
	for _, id := range ids {
		args = append(args, job, id)
	}
	if _, err := q.q.ExecContext(ctx, q.insertIgnore()+` bulk_job_items (job_id, conversation_id) VALUES `+vals, args...); err != nil {
		return fmt.Errorf("bulk job %d items: %w", job, translate(err))
	}
	return nil
}

// BulkJobItems reads up to limit snapshotted ids after the given one, in
// id order.
func (q Queries) BulkJobItems(ctx context.Context, job, after int64, limit int) ([]int64, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT conversation_id FROM bulk_job_items WHERE job_id = ? AND conversation_id > ?
		ORDER BY conversation_id LIMIT ?`, job, after, limit)
	if err != nil {
		return nil, fmt.Errorf("bulk job %d items: %w", job, translate(err))
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan bulk job item: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// CountBulkJobItems counts a job's snapshot.
func (q Queries) CountBulkJobItems(ctx context.Context, job int64) (int, error) {
	var n int
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM bulk_job_items WHERE job_id = ?`, job).Scan(&n); err != nil {
		return 0, fmt.Errorf("count bulk job %d items: %w", job, translate(err))
	}
	return n, nil
}

// ClearBulkJobItems drops a job's snapshot (when it ends or restarts).
func (q Queries) ClearBulkJobItems(ctx context.Context, job int64) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM bulk_job_items WHERE job_id = ?`, job); err != nil {
		return fmt.Errorf("clear bulk job %d items: %w", job, translate(err))
	}
	return nil
}

// InsertBulkJobBatch records a batch; a batch recorded twice is ECONFLICT.
func (q Queries) InsertBulkJobBatch(ctx context.Context, b BulkJobBatch) error {
	ids := make([]string, len(b.IDs))
	for i, id := range b.IDs {
		ids[i] = fmt.Sprint(id)
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO bulk_job_batches (job_id, batch, first_id, last_id, size, ok, code, message, ids, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.JobID, b.Batch, b.FirstID, b.LastID, b.Size, b.OK, b.Code, b.Message,
		strings.Join(ids, ","), Now(b.At))
	if err != nil {
		return fmt.Errorf("bulk job %d batch %d: %w", b.JobID, b.Batch, translate(err))
	}
	return nil
}

// BulkJobBatches lists a job's batches in order.
func (q Queries) BulkJobBatches(ctx context.Context, job int64) ([]BulkJobBatch, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT job_id, batch, first_id, last_id, size, ok, code, message, ids, at
		FROM bulk_job_batches WHERE job_id = ? ORDER BY batch`, job)
	if err != nil {
		return nil, fmt.Errorf("bulk job %d batches: %w", job, translate(err))
	}
	defer rows.Close()
	var out []BulkJobBatch
	for rows.Next() {
		var b BulkJobBatch
		var ids string
		if err := rows.Scan(&b.JobID, &b.Batch, &b.FirstID, &b.LastID, &b.Size, &b.OK, &b.Code, &b.Message, &ids, &b.At); err != nil {
			return nil, fmt.Errorf("scan bulk job batch: %w", err)
		}
		for _, s := range strings.Split(ids, ",") {
			if id, ok := ParseID(s); ok {
				b.IDs = append(b.IDs, id)
			}
		}
		b.At = b.At.UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}
