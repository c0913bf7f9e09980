package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// MaxBulkIDs caps the ids of one bulk request; a longer list is refused
// while decoding, before any per-id work.
const MaxBulkIDs = 500

// BulkJobsPath is where a bulk job over a filter is read
// (GET {BulkJobsPath}/{id}); the 202 of POST conversations/bulk points there.
const BulkJobsPath = APIPrefix + "/staff/bulk-jobs"

// bulkRequest is POST /staff/conversations/bulk: an action on ids (run at
// once, all or nothing) or on every conversation matching a filter (a
// background job). assigned_to goes with "assign" only (null unassigns).
type bulkRequest struct {
	Action     string      `json:"action"`
	IDs        []int64     `json:"ids" max:"500"`
	AssignedTo nullableID  `json:"assigned_to"`
	Filter     *bulkFilter `json:"filter"`
}

// bulkFilter holds the list filters of GET /staff/conversations, each a
// string or (status) a list of strings; paging keys are refused.
type bulkFilter map[string]filterValue

// filterValue is a non-empty string or a list of up to 6 of them.
type filterValue []string

// UnmarshalJSON reads a string or an array of strings, nothing else.
func (v *filterValue) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*v = filterValue{s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil || len(list) == 0 || len(list) > len(models.Statuses) {
		return models.Errorf(models.EINVALID, "a filter value must be a string or a list of 1 to %d strings", len(models.Statuses))
	}
	*v = list
	return nil
}

// bulkCommand is a checked bulk request.
type bulkCommand struct {
	action      string
	ids         []int64 // set: run at once
	hasAssignee bool
	assignTo    *int64
	filter      url.Values // set: a job over the filter
}

// parseBulk reads a bulk request body strictly: exact keys, valid UTF-8,
// ids as plain positive integers, either ids or filter.
func parseBulk(body []byte) (bulkCommand, error) {
	var req bulkRequest
	if err := decodeBytes(body, &req); err != nil {
		return bulkCommand{}, err
	}
	cmd := bulkCommand{action: req.Action, hasAssignee: req.AssignedTo.Set, assignTo: req.AssignedTo.ID}
	if req.Action == "" {
		return cmd, errf("action is required")
	}
	switch {
	case req.IDs != nil && req.Filter != nil:
		return cmd, errf("give ids or filter, not both")
	case req.Filter != nil:
		cmd.filter = url.Values{}
		for k, vs := range *req.Filter {
			for _, v := range vs {
				if strings.TrimSpace(v) == "" {
					return cmd, errf("filter %s is empty", strconvQuote(k))
				}
				cmd.filter.Add(k, v)
			}
		}
	case req.IDs != nil:
		cmd.ids = dedupe(req.IDs)
		for _, id := range cmd.ids {
			if id <= 0 {
				return cmd, errf("ids must be positive integers")
			}
		}
	default:
		return cmd, errf("give ids or filter")
	}
	if cmd.hasAssignee && req.Action != inbox.BulkAssign {
		return cmd, errf("assigned_to goes with the assign action")
	}
	if req.Action == inbox.BulkAssign && !cmd.hasAssignee {
		return cmd, errf("assign needs assigned_to")
	}
	return cmd, nil
}

func strconvQuote(s string) string { return fmt.Sprintf("%q", truncate(s, 40)) }

// staffBulk is POST /staff/conversations/bulk: on ids, all or nothing at
// once (200); on a filter, a background job (202, Location of the job).
func (a *API) staffBulk(c *gin.Context) {
	body, err := readBody(c)
	if err != nil {
		writeError(c, err)
		return
	}
	cmd, err := parseBulk(body)
	if err != nil {
		writeError(c, err)
		return
	}
	ctx := c.Request.Context()
	if cmd.filter != nil {
		j, err := a.svc.StartBulkJob(ctx, actor(c), inbox.BulkJobInput{Action: cmd.action, HasAssignee: cmd.hasAssignee,
			AssignTo: cmd.assignTo, Filter: cmd.filter})
		if err != nil {
			writeError(c, err)
			return
		}
		c.Header("Location", fmt.Sprintf("%s/%d", BulkJobsPath, j.ID))
		c.JSON(http.StatusAccepted, bulkJobResult{Job: bulkJobView(j)})
		return
	}
	var ids []int64
	if cmd.hasAssignee {
		ids, err = a.svc.BulkAssignTo(ctx, actor(c), cmd.ids, cmd.assignTo)
	} else {
		ids, err = a.svc.Bulk(ctx, actor(c), cmd.action, cmd.ids)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, bulkResult{IDs: ids})
}

// staffBulkJob is GET /staff/bulk-jobs/{id}: progress and batches, for the
// job's creator and admins.
func (a *API) staffBulkJob(c *gin.Context) {
	id, ok := models.ParseID(c.Param("id"))
	if !ok {
		writeError(c, models.Errorf(models.ENOTFOUND, "bulk job not found"))
		return
	}
	j, batches, err := a.svc.BulkJob(c.Request.Context(), actor(c), id)
	if err != nil {
		writeError(c, err)
		return
	}
	res := bulkJobResult{Job: bulkJobView(j), Batches: make([]bulkBatchJSON, 0, len(batches))}
	for _, b := range batches {
		ids := b.IDs
		if ids == nil {
			ids = []int64{}
		}
		res.Batches = append(res.Batches, bulkBatchJSON{Batch: b.Batch, FirstID: b.FirstID, LastID: b.LastID, Size: b.Size,
			OK: b.OK, Code: b.Code, Message: b.Message, IDs: ids, At: b.At})
	}
	c.JSON(http.StatusOK, res)
}

// staffCancelBulkJob is POST /staff/bulk-jobs/{id}/cancel: the job stops
// before its next batch (inbox.CancelBulkJob); no body.
func (a *API) staffCancelBulkJob(c *gin.Context) {
	id, ok := models.ParseID(c.Param("id"))
	if !ok {
		writeError(c, models.Errorf(models.ENOTFOUND, "bulk job not found"))
		return
	}
	if c.Request.ContentLength > 0 {
		writeError(c, models.Errorf(models.EINVALID, "this request takes no body"))
		return
	}
	j, err := a.svc.CancelBulkJob(c.Request.Context(), actor(c), id)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, bulkJobResult{Job: bulkJobView(j)})
}

type bulkResult struct {
	IDs []int64 `json:"ids"`
}

type bulkJobResult struct {
	Job     bulkJobJSON     `json:"job"`
	Batches []bulkBatchJSON `json:"batches,omitempty"`
}

type bulkJobJSON struct {
	ID         int64               `json:"id"`
	Action     string              `json:"action"`
	AssignedTo *int64              `json:"assigned_to"`
	Filter     map[string][]string `json:"filter"`
	State      string              `json:"state"`
	Total      int                 `json:"total"`
	Done       int                 `json:"done"`
	Refused    int                 `json:"refused"`
	Batches    int                 `json:"batches"`
	Message    string              `json:"message"`
	CreatedBy  int64               `json:"created_by"`
	CreatedAt  time.Time           `json:"created_at"`
	StartedAt  *time.Time          `json:"started_at"`
	FinishedAt *time.Time          `json:"finished_at"`
}

type bulkBatchJSON struct {
	Batch   int       `json:"batch"`
	FirstID int64     `json:"first_id"`
	LastID  int64     `json:"last_id"`
	Size    int       `json:"size"`
	OK      bool      `json:"ok"`
	Code    string    `json:"code"`
	Message string    `json:"message"`
	IDs     []int64   `json:"ids"`
	At      time.Time `json:"at"`
}

func bulkJobView(j models.BulkJob) bulkJobJSON {
	f, _ := url.ParseQuery(j.Filter)
	if f == nil {
		f = url.Values{}
	}
	return bulkJobJSON{ID: j.ID, Action: j.Action, AssignedTo: j.AssignTo, Filter: f, State: j.State, Total: j.Total, Done: j.Done,
		Refused: j.Refused, Batches: j.Batches, Message: j.Message, CreatedBy: j.CreatedBy, CreatedAt: j.CreatedAt,
		StartedAt: j.StartedAt, FinishedAt: j.FinishedAt}
}
