package templates

import "html/template"

// BulkJobTemplate is the progress and result page of a bulk job.
const BulkJobTemplate = "bulkjob.html"

// BulkJobPage shows a bulk job over "all matching": progress, state and
// each batch's result; while it runs the page reloads itself.
type BulkJobPage struct {
	ID                    int64
	Action                string // "Close", "Delete", …
	State                 string // queued, collecting, running, done, failed, cancelled
	Finished              bool
	Total, Done, Refused  int
	Percent               int
	Message               string // why a failed or cancelled job stopped
	CancelURL             string // where the Stop button posts
	ListURL               string // the list with the job's filter
	Filter                string // the filter, for people
	CreatedAt, FinishedAt string
	Batches               []BulkJobBatchRow
	// ReloadMS is how often an unfinished page reloads.
	ReloadMS int
}

// BulkJobBatchRow is one batch of a job.
type BulkJobBatchRow struct {
	Batch           int
	FirstID, LastID int64
	Size            int
	OK              bool
	Message         string
	IDs             []int64
	At              string
}

// BulkJob renders the bulk job page.
func BulkJob(p BulkJobPage) (template.HTML, error) { return render(BulkJobTemplate, p) }
