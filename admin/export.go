package admin

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/tables"
)

// ExportPath is the back office's CSV download of one conversation (R15):
// GET /admin/conversation/export?id=<id>, for staff who may read it; the
// download is audited (R20). The thread page links to it.
const ExportPath = "/admin/conversation/export"

// export streams the CSV. It is a Stream route: the guard checks sign-in and
// the route, then steps aside; the service checks the row (not found
// outside the caller's scope) before the first byte.
func (g *guard) export(c *gin.Context) {
	a, _ := tables.ActorFrom(c.Request.Context())
	id, ok := rowID(c.Request.URL.Query()["id"])
	if !ok {
		g.fail(c, http.StatusNotFound, "This conversation does not exist.")
		return
	}
	x, err := g.svc.Export(c.Request.Context(), a, id)
	if err != nil {
		g.domainFail(c, err)
		return
	}
	g.sendCSV(c, x.Filename, x.Write, "conversation", id)
}

// sendCSV answers a CSV download: the file's name, no caching, then the
// rows as write produces them (a failure after the first byte can only cut
// the file short, so it is logged with what, e.g. "conversation", 42).
func (g *guard) sendCSV(c *gin.Context, filename string, write func(context.Context, io.Writer) error, what ...any) {
	h := c.Writer.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	h.Set("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	if err := write(c.Request.Context(), c.Writer); err != nil {
		g.log.Warn("export cut short", append(what, "err", fmt.Sprint(err))...)
	}
	c.Abort()
}
