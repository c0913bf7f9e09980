package web

import (
	"fmt"
	"log/slog"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// exportCSV is GET …/conversations/{id}/export.csv for either side (R15):
// the service decides what the caller gets (staff: everything, notes
// marked; the customer: the public timeline; guests: forbidden).
func (a *API) exportCSV(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		writeError(c, err)
		return
	}
	WriteExport(c, a.svc, actor(c), id, writeError)
}

// WriteExport authorizes an export and streams it as a CSV download. Every
// refusal comes before the first byte, through fail (JSON for the API, a
// page for the portal and the back office); a failure mid-stream can only
// cut the download, and is logged.
func WriteExport(c *gin.Context, svc *inbox.Service, a models.Actor, id int64, fail func(*gin.Context, error)) {
	x, err := svc.Export(c.Request.Context(), a, id)
	if err != nil {
		fail(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": x.Filename}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	if err := x.Write(c.Request.Context(), c.Writer); err != nil {
		_ = c.Error(fmt.Errorf("export conversation %d: %w", id, err))
		slog.WarnContext(c.Request.Context(), "export cut short", "conversation", id, "err", err)
		c.Abort()
	}
}
