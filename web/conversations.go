package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// The customer side of conversations (customers and guests). Every answer
// uses customerConversation: nothing staff-only reaches it.

type startRequest struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
	OrderID *int64 `json:"order_id"`
	// Channel is "api" (the default) or "widget"/"portal" for Parley's
	// own pages; AcceptPrivacyConsent answers the notice of R18.
	Channel              string `json:"channel"`
	AcceptPrivacyConsent bool   `json:"accept_privacy_consent"`
}

type messageRequest struct {
	Body string `json:"body"`
	// LastSeenMessageID is the stale-reply guard (optional): a newer
	// public reply makes the send a 409 conflict.
	LastSeenMessageID *int64 `json:"last_seen_message_id"`
}

// listConversations is GET …/conversations for either side, in its view;
// staff may use the staff-only filters.
func listConversations[V any](a *API, staff bool, view func(models.Conversation) V) gin.HandlerFunc {
	return func(c *gin.Context) {
		me := actor(c)
		f, err := parseFilter(c.Request.URL.RawQuery, staff, me.ID)
		if err != nil {
			writeError(c, err)
			return
		}
		p, err := a.svc.List(c.Request.Context(), me, f)
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, pageOf(p, view))
	}
}

// startConversation is POST /conversations.
func (a *API) startConversation(c *gin.Context) {
	var req startRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	conv, m, err := a.svc.Start(c.Request.Context(), actor(c), inbox.StartInput{Subject: req.Subject, Body: req.Body, OrderID: req.OrderID,
		Channel: req.Channel, AcceptConsent: req.AcceptPrivacyConsent})
	if err != nil {
		writeError(c, err)
		return
	}
	writePosted(c, customerPosted, conv, m)
}

// openThread is GET …/conversations/{id} for either side, in its view:
// opening marks it read for the caller's side (R1), and the service gives
// customers only what they may see (R8). It carries the newest
// inbox.HistoryPage messages; messages_next_cursor fetches the ones before.
func openThread[V any](a *API, view func(models.Conversation) V) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathID(c)
		if err != nil {
			writeError(c, err)
			return
		}
		conv, p, err := a.svc.OpenRecent(c.Request.Context(), actor(c), id)
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, thread[V]{Conversation: view(conv), Messages: messageViews(p.Messages, actor(c).IsStaff()), MessagesNextCursor: cursorOrNull(p.Older)})
	}
}

// sendMessage is POST /conversations/{id}/messages. Writing to a CLOSED
// thread lands in its follow-up, which the answer's conversation shows.
func (a *API) sendMessage(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		writeError(c, err)
		return
	}
	var req messageRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	m, conv, err := a.svc.Send(c.Request.Context(), actor(c), id, "reply", req.Body, lastSeen(req.LastSeenMessageID)...)
	if err != nil {
		writeError(c, err)
		return
	}
	writePosted(c, customerPosted, conv, m)
}
