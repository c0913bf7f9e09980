package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// quickReply is a quick reply in the staff API.
type quickReply struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

type quickReplyList struct {
	Items     []quickReply `json:"items"`
	Variables []string     `json:"variables"`
}

// quickReplyRequest creates (both fields) or patches (absent = unchanged)
// a quick reply.
type quickReplyRequest struct {
	Title *string `json:"title"`
	Body  *string `json:"body"`
}

func quickReplyView(r models.QuickReply) quickReply {
	return quickReply{ID: r.ID, Title: r.Title, Body: r.Body, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// staffQuickReplies is GET /staff/quick-replies (every staff member).
func (a *API) staffQuickReplies(c *gin.Context) {
	rs, err := a.svc.QuickReplies(c.Request.Context(), actor(c))
	if err != nil {
		writeError(c, err)
		return
	}
	out := quickReplyList{Items: make([]quickReply, 0, len(rs)), Variables: inbox.QuickReplyVariables()}
	for _, r := range rs {
		out.Items = append(out.Items, quickReplyView(r))
	}
	c.JSON(http.StatusOK, out)
}

// staffCreateQuickReply is POST /staff/quick-replies (chat admins and up).
func (a *API) staffCreateQuickReply(c *gin.Context) {
	var req quickReplyRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	if req.Title == nil || req.Body == nil {
		writeError(c, errf("title and body are required"))
		return
	}
	r, err := a.svc.CreateQuickReply(c.Request.Context(), actor(c), *req.Title, *req.Body)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, quickReplyView(r))
}

// staffPatchQuickReply is PATCH /staff/quick-replies/{id}.
func (a *API) staffPatchQuickReply(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var req quickReplyRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	r, err := a.svc.UpdateQuickReply(c.Request.Context(), actor(c), id, req.Title, req.Body)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, quickReplyView(r))
}

// staffDeleteQuickReply is DELETE /staff/quick-replies/{id}.
func (a *API) staffDeleteQuickReply(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		writeError(c, err)
		return
	}
	if err := a.svc.DeleteQuickReply(c.Request.Context(), actor(c), id); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
