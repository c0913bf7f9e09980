package admin

import (
	"net/http"

	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
	"github.com/parleyhq/parley/templates"
)

// QuickRepliesPath is the quick-reply management page (chat admins and up).
const QuickRepliesPath = tables.QuickRepliesPath

// quickReplies is GET /admin/quick-replies.
func (g *guard) quickReplies(c *gin.Context) (types.Panel, error) {
	return g.quickRepliesPanel(c, templates.QuickRepliesPage{}), nil
}

// saveQuickReply is POST /admin/quick-replies (same-origin, checked by the
// guard): op create, update or delete, one inbox call; a refusal re-renders
// the page with its message and status, keeping a new reply's draft.
func (g *guard) saveQuickReply(c *gin.Context) (types.Panel, error) {
	a, _ := tables.ActorFrom(c.Request.Context())
	f := c.Request.PostForm
	ctx := c.Request.Context()
	title, body := f.Get("title"), f.Get("body")
	var p templates.QuickRepliesPage
	var err error
	switch f.Get("op") {
	case "create":
		_, err = g.svc.CreateQuickReply(ctx, a, title, body)
		p.Notice = "Quick reply added."
		if err != nil {
			p.DraftTitle, p.DraftBody = title, body
		}
	case "update", "delete":
		id, ok := rowID(f["id"])
		if !ok {
			err = models.Errorf(models.EINVALID, "invalid quick reply id")
			break
		}
		if f.Get("op") == "delete" {
			err = g.svc.DeleteQuickReply(ctx, a, id)
			p.Notice = "Quick reply deleted."
		} else {
			_, err = g.svc.UpdateQuickReply(ctx, a, id, &title, &body)
			p.Notice = "Quick reply saved."
		}
	default:
		err = models.Errorf(models.EINVALID, "unknown action")
	}
	if err != nil {
		p.Notice = ""
		e := models.AsError(err)
		if e == nil || e.Code == models.EINTERNAL {
			g.log.Error("quick reply", "err", err)
			c.Set(ctxStatus, http.StatusInternalServerError)
			p.Error = "Something went wrong; please try again."
		} else {
			c.Set(ctxStatus, models.HTTPStatus(e.Code))
			p.Error = e.Message
		}
	}
	return g.quickRepliesPanel(c, p), nil
}

func (g *guard) quickRepliesPanel(c *gin.Context, p templates.QuickRepliesPage) types.Panel {
	a, _ := tables.ActorFrom(c.Request.Context())
	rs, err := g.svc.QuickReplies(c.Request.Context(), a)
	if err != nil {
		g.log.Error("quick replies", "err", err)
		c.Set(ctxStatus, http.StatusInternalServerError)
		return g.errorPanel("The quick replies could not be loaded. Please try again.")
	}
	p.Action, p.Variables = QuickRepliesPath, inbox.QuickReplyVariables()
	for _, r := range rs {
		p.Items = append(p.Items, templates.QuickReplyItem{ID: r.ID, Title: r.Title, Body: r.Body})
	}
	html, err := templates.QuickReplies(p)
	if err != nil {
		g.log.Error("render quick replies", "err", err)
		c.Set(ctxStatus, http.StatusInternalServerError)
		return g.errorPanel("The quick replies could not be shown. Please try again.")
	}
	return types.Panel{Title: "Quick replies", Description: "Parley", Content: html}
}
