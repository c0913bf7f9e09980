package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// The staff side of conversations: the same inbox methods, with the staff
// actor; scope and permissions are the service's.

type staffStartRequest struct {
	CustomerID int64  `json:"customer_id"`
	Subject    string `json:"subject"`
	Body       string `json:"body"`
	OrderID    *int64 `json:"order_id"`
}

type staffMessageRequest struct {
	Body              string `json:"body"`
	Kind              string `json:"kind"`
	LastSeenMessageID *int64 `json:"last_seen_message_id"` // the stale-reply guard, as messageRequest's
}

// patchRequest: an absent field is unchanged; "assigned_to": null unassigns.
type patchRequest struct {
	Status     *string    `json:"status"`
	Reason     *string    `json:"reason"`
	AssignedTo nullableID `json:"assigned_to"`
}

// staffStartConversation is POST /staff/conversations (R5).
func (a *API) staffStartConversation(c *gin.Context) {
	var req staffStartRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	if req.CustomerID <= 0 {
		writeError(c, errf("customer_id is required"))
		return
	}
	in := inbox.StartInput{CustomerID: req.CustomerID, Subject: req.Subject, Body: req.Body, OrderID: req.OrderID}
	conv, m, err := a.svc.Start(c.Request.Context(), actor(c), in)
	if err != nil {
		writeError(c, err)
		return
	}
	writePosted(c, staffPosted, conv, m)
}

// staffSendMessage is POST /staff/conversations/{id}/messages: a reply or
// a private note.
func (a *API) staffSendMessage(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var req staffMessageRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	m, conv, err := a.svc.Send(c.Request.Context(), actor(c), id, req.Kind, req.Body, lastSeen(req.LastSeenMessageID)...)
	if err != nil {
		writeError(c, err)
		return
	}
	writePosted(c, staffPosted, conv, m)
}

// staffPatchConversation is PATCH /staff/conversations/{id}: the assignment
// first, then the status, so "take it and close it" works for an agent —
// in one transaction: a refused status leaves the assignment unchanged too.
func (a *API) staffPatchConversation(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var req patchRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	var status models.Status
	if req.Status != nil {
		if status, err = models.ParseStatus(*req.Status); err != nil {
			writeError(c, err)
			return
		}
	} else if req.Reason != nil {
		writeError(c, errf("reason goes with a status change"))
		return
	}
	u := inbox.Update{SetAssignee: req.AssignedTo.Set, AssignTo: req.AssignedTo.ID, Status: status}
	if req.Reason != nil {
		u.Reason = *req.Reason
	}
	conv, err := a.svc.Update(c.Request.Context(), actor(c), id, u)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, conversationOnly{Conversation: staffView(conv)})
}

// staffDeleteConversation is DELETE /staff/conversations/{id} (R2).
func (a *API) staffDeleteConversation(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		writeError(c, err)
		return
	}
	if err := a.svc.Delete(c.Request.Context(), actor(c), id); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// dedupe drops repeated ids, keeping the first occurrence's order.
func dedupe(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
