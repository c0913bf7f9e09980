package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
)

// typingRequest is the body of POST …/conversations/{id}/typing: staff say
// whether they write a note (private: the customer is not told).
type typingRequest struct {
	Note *bool `json:"note"`
}

// viewingRequest is the body of POST /api/v1/staff/conversations/{id}/viewing.
type viewingRequest struct {
	State *string `json:"state"`
}

// typing is POST /api/v1/conversations/{id}/typing and its staff twin:
// the caller is writing in the conversation (inbox.Service.ReportTyping).
// Reports more frequent than inbox.SignalEvery are accepted and dropped.
func (a *API) typing(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var req typingRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	who := actor(c)
	if req.Note != nil && !who.IsStaff() {
		writeError(c, errf("unknown field \"note\""))
		return
	}
	if _, err := a.svc.ReportTyping(c.Request.Context(), who, id, req.Note != nil && *req.Note); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// viewing is POST /api/v1/staff/conversations/{id}/viewing: {"state":
// "viewing"} while a conversation is open (every few seconds), {"state":
// "left"} when it closes; the other staff who may read it are told.
func (a *API) viewing(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var req viewingRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	if req.State == nil {
		writeError(c, errf("state is required: %q or %q", inbox.Viewing, inbox.Left))
		return
	}
	if _, err := a.svc.ReportViewing(c.Request.Context(), actor(c), id, *req.State); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
