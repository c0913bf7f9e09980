package admin

import (
	"fmt"
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
	h := c.Writer.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": x.Filename}))
	h.Set("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	if err := x.Write(c.Request.Context(), c.Writer); err != nil {
		g.log.Warn("export cut short", "conversation", id, "err", fmt.Sprint(err))
	}
	c.Abort()
}
