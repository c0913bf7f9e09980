package admin

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
	"github.com/parleyhq/parley/templates"
)

// Paths of the back office's live layer (issue 9).
const (
	// EventsPath is the staff's event stream for a browser tab (its
	// session cookie authenticates it).
	EventsPath = "/admin/events"
	// TypingPath and ViewingPath take the conversation page's signals: a
	// same-origin POST of id and kind (reply|note), or id and state
	// (viewing|left).
	TypingPath  = "/admin/conversation/typing"
	ViewingPath = "/admin/conversation/viewing"
	// LiveJSPath serves templates/live.js, which every page loads.
	LiveJSPath = "/admin/live.js"
)

// liveTag loads live.js on every page when the node has live events.
func liveTag(on bool) string {
	if !on {
		return ""
	}
	return `<script src="` + LiveJSPath + `" defer></script>`
}

// events is GET /admin/events: the signed-in staff member's Server-Sent
// Events stream (live.Bus.Serve), ended when their session ends.
func (g *guard) events(c *gin.Context) {
	c.Set(ctxAnswered, true)
	if g.bus == nil {
		g.fail(c, http.StatusServiceUnavailable, "live updates are not enabled on this node")
		return
	}
	a, _ := tables.ActorFrom(c.Request.Context())
	rd := live.ReaderOf(g.svc, a)
	sid := c.GetString(ctxSession)
	rd.Alive = func(ctx context.Context) bool {
		_, err := g.acc.AdminSession(ctx, sid, g.ttl)
		return models.ErrorCode(err) != models.EUNAUTHORIZED
	}
	err := g.bus.Serve(c.Writer, c.Request, rd)
	switch {
	case errors.Is(err, live.ErrBadLastEventID):
		g.fail(c, http.StatusBadRequest, err.Error())
	case err != nil:
		g.domainFail(c, err)
	default:
		c.Abort()
	}
}

// typing is POST /admin/conversation/typing: the staff member is writing a
// reply (kind=reply) or a note (kind=note) in conversation id.
func (g *guard) typing(c *gin.Context) {
	a, f, id, ok := g.conversationPost(c)
	if !ok {
		return
	}
	kind := f.Get("kind")
	if len(f["kind"]) != 1 || (kind != models.KindReply && kind != models.KindNote) {
		g.fail(c, http.StatusBadRequest, "kind must be reply or note")
		return
	}
	if _, err := g.svc.ReportTyping(c.Request.Context(), a, id, kind == models.KindNote); err != nil {
		g.domainFail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
	c.Abort()
}

// viewing is POST /admin/conversation/viewing: the staff member has
// conversation id open (state=viewing, repeated) or left it (state=left).
func (g *guard) viewing(c *gin.Context) {
	a, f, id, ok := g.conversationPost(c)
	if !ok {
		return
	}
	if len(f["state"]) != 1 {
		g.fail(c, http.StatusBadRequest, "state must be viewing or left")
		return
	}
	if _, err := g.svc.ReportViewing(c.Request.Context(), a, id, f.Get("state")); err != nil {
		g.domainFail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
	c.Abort()
}

// conversationPost reads a conversation page's POST: the caller, the
// form, and its conversation id (a refusal is answered).
func (g *guard) conversationPost(c *gin.Context) (models.Actor, url.Values, int64, bool) {
	a, _ := tables.ActorFrom(c.Request.Context())
	f := c.Request.PostForm
	id, ok := rowID(f["id"])
	if !ok {
		g.fail(c, http.StatusBadRequest, "invalid conversation id")
	}
	return a, f, id, ok
}

// liveJS is GET /admin/live.js: the live layer of every back-office page.
func (g *guard) liveJS(c *gin.Context) {
	c.Set(ctxAnswered, true)
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", templates.LiveJS())
	c.Abort()
}
