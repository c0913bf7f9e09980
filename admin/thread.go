package admin

import (
	"net/http"
	"strings"

	"github.com/GoAdminGroup/go-admin/context"
	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
	"github.com/parleyhq/parley/templates"
)

// Operations of the conversation page's action route (POST
// tables.ThreadActionPath, field "op").
const (
	opTake         = "take"
	opAssign       = "assign"
	opResolve      = "resolve"
	opClose        = "close"
	opEscalate     = "escalate"
	opBlock        = "block"
	opDelete       = "delete"
	opCustomerNote = "customer_note"
)

// threadAction is POST /admin/conversation/action: one of the conversation
// page's actions for the signed-in staff member (the guard has checked the
// origin and the route). Each is one inbox call, which checks the rest;
// the answer is JSON {code, msg[, data.url]} the page shows.
func (g *guard) threadAction(c *gin.Context) {
	a, f, id, ok := g.conversationPost(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	msg, next := "", ""
	var err error
	switch f.Get("op") {
	case opTake:
		_, err = g.svc.Take(ctx, a, id)
		msg = "The conversation is yours now."
	case opAssign:
		var to *int64
		if v := f.Get("to"); v != "" {
			n, ok := models.ParseID(v)
			if !ok {
				g.fail(c, http.StatusBadRequest, "choose a staff member")
				return
			}
			to = &n
		}
		_, err = g.svc.Assign(ctx, a, id, to)
		msg = "Assigned."
		if to == nil {
			msg = "Unassigned."
		}
	case opResolve:
		_, err = g.svc.ChangeStatus(ctx, a, id, models.StatusResolved, "")
		msg = "Resolved."
	case opClose:
		_, err = g.svc.ChangeStatus(ctx, a, id, models.StatusClosed, "")
		msg = "Closed."
	case opEscalate:
		_, err = g.svc.ChangeStatus(ctx, a, id, models.StatusEscalated, f.Get("escalate_reason"))
		msg = "Escalated."
	case opBlock:
		_, err = g.svc.BlockSender(ctx, a, id, f.Get("by"), f.Get("reason"))
		msg = "Blocked: their messages and new conversations are refused from now on."
	case opDelete:
		if f.Get("confirm") != "yes" {
			g.fail(c, http.StatusBadRequest, "confirm the deletion first")
			return
		}
		err = g.svc.Delete(ctx, a, id)
		msg, next = "Deleted.", "/admin/info/"+tables.ConversationTable
	case opCustomerNote:
		var conv models.Conversation
		if conv, err = g.svc.Get(ctx, a, id); err == nil {
			_, err = g.svc.SaveCustomerNote(ctx, a, conv.CustomerID, f.Get("note"))
		}
		msg = "Note saved."
	default:
		g.fail(c, http.StatusBadRequest, "unknown action")
		return
	}
	if err != nil {
		g.domainFail(c, err)
		return
	}
	data := gin.H{}
	if next != "" {
		data["url"] = next
	}
	c.JSON(http.StatusOK, gin.H{"code": http.StatusOK, "msg": msg, "data": data})
	c.Abort()
}

// olderMessages is GET /admin/conversation/messages?id=…&before=…: the
// messages of a thread before one the page shows, as an HTML fragment in
// the page's own markup, with the thread's visibility (R6a).
func (g *guard) olderMessages(c *gin.Context) {
	a, _ := tables.ActorFrom(c.Request.Context())
	q := c.Request.URL.Query()
	id, ok1 := rowID(q["id"])
	before, ok2 := rowID(q["before"])
	if !ok1 || !ok2 {
		g.fail(c, http.StatusBadRequest, "invalid conversation or message id")
		return
	}
	msgs, more, err := g.svc.Older(c.Request.Context(), a, id, before)
	if err != nil {
		g.domainFail(c, err)
		return
	}
	html, err := templates.ThreadMessages(tables.MessageViews(msgs))
	if err != nil {
		g.domainFail(c, err)
		return
	}
	if more {
		c.Header("X-Parley-Older", "1")
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(strings.TrimSpace(string(html))))
	c.Abort()
}

// threadPage renders the conversation page (GET tables.EditPath) inside
// the layout: the thread view, the customer panel and the reply form,
// which posts to GoAdmin's edit route with a GoAdmin form token. GoAdmin's
// own form page (the table's generator, its form machinery and a second
// sign-in) cost three quarters of the page's CPU; it still renders the
// page after a refused send, keeping the draft.
func (g *guard) threadPage(c *gin.Context, a models.Actor, id int64) {
	th, err := tables.LoadThread(c.Request.Context(), g.svc, g.log, a, id)
	if err != nil {
		g.domainFail(c, err)
		return
	}
	v := th.View("")
	v.Reply = tables.ReplyForm(id, g.acc.NewFormToken(a.ID, id))
	body, err := templates.Thread(v)
	if err != nil {
		g.log.Error("render conversation page", "id", id, "err", err)
		g.fail(c, http.StatusInternalServerError, "internal error")
		return
	}
	g.render(c, context.NewContext(c.Request), types.Panel{Title: "Conversation", Content: body, JS: tables.PageJS()})
}
