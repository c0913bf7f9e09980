package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
	"github.com/parleyhq/parley/templates"
)

// Paths of the list's bulk work beyond the selected rows.
const (
	// BulkJobsPath: POST starts a job over all conversations matching the
	// list's filter (form: action, assigned_to, filter); GET
	// BulkJobsPath/{id} is its progress page.
	BulkJobsPath = tables.BulkJobsPath
	// BulkExportPath is the CSV of the selected rows: GET ?ids=1,2,3.
	BulkExportPath = tables.BulkExportPath
)

type bulkStarted struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
	URL  string `json:"url"`
}

// startBulkJob is POST BulkJobsPath from the list's "all matching" bar:
// it answers the job page's address for the script to open.
func (g *guard) startBulkJob(c *gin.Context) {
	a, _ := tables.ActorFrom(c.Request.Context())
	f := c.Request.PostForm
	filter, err := url.ParseQuery(f.Get("filter"))
	if err != nil {
		g.fail(c, http.StatusBadRequest, "invalid filter")
		return
	}
	in := inbox.BulkJobInput{Action: f.Get("action"), Filter: filter}
	if v := f.Get(tables.FieldAssignTo); v != "" {
		if v != "none" {
			id, ok := models.ParseID(v)
			if !ok {
				g.fail(c, http.StatusBadRequest, "choose whom to assign to")
				return
			}
			in.AssignTo = &id
		}
		in.HasAssignee = true
	}
	j, err := g.svc.StartBulkJob(c.Request.Context(), a, in)
	if err != nil {
		g.domainFail(c, err)
		return
	}
	c.JSON(http.StatusOK, bulkStarted{Msg: "started", URL: fmt.Sprintf("%s/%d", BulkJobsPath, j.ID)})
}

// bulkJob is GET BulkJobsPath/{id}: the job's progress and batches, for
// its creator and admins (not found for anyone else).
func (g *guard) bulkJob(c *gin.Context) (types.Panel, error) {
	a, _ := tables.ActorFrom(c.Request.Context())
	id, ok := models.ParseID(c.Param("id"))
	if !ok {
		c.Set(ctxStatus, http.StatusNotFound)
		return g.errorPanel("This bulk job does not exist."), nil
	}
	j, batches, err := g.svc.BulkJob(c.Request.Context(), a, id)
	if err != nil {
		return g.failedPanel(c, "bulk job", err, "The bulk job could not be loaded. Please try again."), nil
	}
	p := templates.BulkJobPage{ID: j.ID, Action: tables.BulkTitle(j.Action), State: j.State, Finished: j.Finished(),
		Total: j.Total, Done: j.Done, Refused: j.Refused, Message: j.Message, ReloadMS: 1000,
		ListURL: "/admin/info/" + tables.ConversationTable + "?" + j.Filter, Filter: describeFilter(j.Filter),
		CreatedAt: j.CreatedAt.Format("2006-01-02 15:04:05 UTC"), CancelURL: fmt.Sprintf("%s/%d/cancel", BulkJobsPath, j.ID)}
	if j.Total > 0 {
		p.Percent = (j.Done + j.Refused) * 100 / j.Total
	} else if j.Finished() {
		p.Percent = 100
	}
	if j.FinishedAt != nil {
		p.FinishedAt = j.FinishedAt.Format("2006-01-02 15:04:05 UTC")
	}
	for _, b := range batches {
		p.Batches = append(p.Batches, templates.BulkJobBatchRow{Batch: b.Batch, FirstID: b.FirstID, LastID: b.LastID, Size: b.Size,
			OK: b.OK, Message: b.Message, IDs: b.IDs, At: b.At.Format("15:04:05")})
	}
	html, err := templates.BulkJob(p)
	if err != nil {
		return g.failedPanel(c, "render bulk job", err, "The bulk job could not be shown."), nil
	}
	return types.Panel{Title: "Bulk action", Description: "Parley", Content: html}, nil
}

// cancelBulkJob is POST BulkJobsPath/{id}/cancel (same-origin, checked by
// the guard), the job page's Stop button: back to the page, which shows
// the job stopped.
func (g *guard) cancelBulkJob(c *gin.Context) {
	a, _ := tables.ActorFrom(c.Request.Context())
	id, ok := models.ParseID(c.Param("id"))
	if !ok {
		g.fail(c, http.StatusNotFound, "This bulk job does not exist.")
		return
	}
	if _, err := g.svc.CancelBulkJob(c.Request.Context(), a, id); err != nil {
		g.domainFail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/%d", BulkJobsPath, id))
}

// describeFilter reads a stored filter for people: "status=CLOSED · q=refund".
func describeFilter(raw string) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return raw
	}
	var parts []string
	for k, vs := range q {
		parts = append(parts, k+"="+strings.Join(vs, ","))
	}
	slices.Sort(parts)
	return strings.Join(parts, " · ")
}

// exportSelected is GET BulkExportPath?ids=…: one CSV of the selected
// conversations (R15), refused whole before the first byte when one is
// outside the caller's scope.
func (g *guard) exportSelected(c *gin.Context) {
	a, _ := tables.ActorFrom(c.Request.Context())
	q := c.Request.URL.Query()
	if len(q["ids"]) != 1 {
		g.fail(c, http.StatusBadRequest, "select the conversations to export")
		return
	}
	ids, err := tables.ParseIDs(q.Get("ids"))
	if err != nil {
		g.domainFail(c, err)
		return
	}
	x, err := g.svc.ExportMany(c.Request.Context(), a, ids)
	if err != nil {
		g.domainFail(c, err)
		return
	}
	g.sendCSV(c, x.Filename, x.Write, "conversations", len(ids))
}
