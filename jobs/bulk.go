package jobs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/inbox"
)

// TypeBulkJob runs a bulk action over all conversations matching a filter.
const TypeBulkJob = inbox.TaskBulkJob

// BulkJobPayload names the job (ids only).
type BulkJobPayload struct {
	JobID int64 `json:"job_id"`
}

// BulkJobs handles bulk:run: inbox.RunBulkJob, which resumes after the
// job's last committed batch, so a retried or duplicated task is harmless.
type BulkJobs struct{ svc *inbox.Service }

// NewBulkJobs builds the handler on the worker's inbox.
func NewBulkJobs(svc *inbox.Service) *BulkJobs { return &BulkJobs{svc: svc} }

// ProcessTask implements asynq.Handler.
func (b *BulkJobs) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p BulkJobPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.JobID <= 0 {
		return fmt.Errorf("bulk job payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	return b.svc.RunBulkJob(ctx, p.JobID)
}
