package admin

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
)

// visible answers 404 unless every id is a conversation the actor may see,
// checked in one query (inbox.Service.CheckVisible).
func (g *guard) visible(c *gin.Context, a models.Actor, ids []int64) bool {
	if err := g.svc.CheckVisible(c.Request.Context(), a, ids); err != nil {
		g.domainFail(c, err)
		return false
	}
	return true
}

// editPage serves the conversation page (GET tables.EditPath) after the
// route check; outside the caller's scope the thread view answers "not
// found". The page's return address is always the thread itself, so the
// request's Referer plays no part (hole 5).
func (g *guard) editPage(c *gin.Context, a models.Actor) {
	id, ok := rowID(c.Request.URL.Query()["__goadmin_edit_pk"])
	if !ok {
		g.fail(c, http.StatusNotFound, "This conversation does not exist.")
		return
	}
	if g.routeAllowed(c, a) {
		g.threadPage(c, a, id)
	}
}

// editPost lets an edit post through only as multipart with the allowed
// fields (hole 7) and a visible row; check has validated the return
// address in the query and the form (hole 5).
func (g *guard) editPost(c *gin.Context, a models.Actor) {
	r := c.Request
	if r.MultipartForm == nil { // GoAdmin's edit guard panics on anything else
		g.fail(c, http.StatusBadRequest, "the form must be sent as multipart/form-data")
		return
	}
	if len(r.MultipartForm.File) > 0 {
		g.fail(c, http.StatusBadRequest, "this form takes no files")
		return
	}
	allowed := map[string]bool{formTokenKey: true, previousKey: true}
	for _, k := range tables.EditFields() {
		allowed[k] = true
	}
	for k := range r.MultipartForm.Value {
		if !allowed[k] {
			g.fail(c, http.StatusBadRequest, "this form cannot change "+strconv.Quote(k))
			return
		}
	}
	for k := range r.URL.Query() {
		if !strings.HasPrefix(k, "__") && !allowed[k] {
			g.fail(c, http.StatusBadRequest, "this form cannot change "+strconv.Quote(k))
			return
		}
	}
	id, ok := rowID(r.MultipartForm.Value[tables.FieldID])
	if !ok {
		g.fail(c, http.StatusBadRequest, "invalid conversation id")
		return
	}
	if !g.visible(c, a, []int64{id}) || !g.routeAllowed(c, a) {
		return
	}
	// A form already sent (back button, double click) goes back to its
	// thread, where what it sent shows, instead of GoAdmin's error page.
	tokens := r.MultipartForm.Value[formTokenKey]
	if len(tokens) != 1 {
		g.seeThread(c, id)
		return
	}
	state, err := g.acc.UseFormToken(r.Context(), a.ID, id, tokens[0])
	if err != nil {
		g.domainFail(c, err)
		return
	}
	switch state {
	case inbox.FormTokenUsed:
		g.seeThread(c, id)
		return
	case inbox.FormTokenInvalid:
		g.fail(c, http.StatusForbidden, "This form has expired or was not made for you: reload the conversation and send your reply again.")
		return
	case inbox.FormTokenFresh:
		// The conversation page's token (Parley's) is good: GoAdmin's edit
		// handler, which checks a token of its own, gets one made here.
		setFormValue(r, formTokenKey, g.formToken())
	case inbox.FormTokenForeign:
		// GoAdmin's own form (the page of a refused send) carries its token.
		live, err := g.acc.FormTokenLive(r.Context(), tokens[0])
		if err != nil {
			g.domainFail(c, err)
			return
		}
		if !live {
			g.seeThread(c, id)
			return
		}
	}
	g.askOutcome(c)
	c.Next()
}

// seeThread answers an edit post by going back to its conversation.
func (g *guard) seeThread(c *gin.Context, id int64) {
	c.Redirect(http.StatusSeeOther, tables.EditPath(id))
	c.Set(ctxAnswered, true)
	c.Abort()
}

// setFormValue replaces a field of a parsed multipart form everywhere
// handlers read it (MultipartForm, PostForm, Form).
func setFormValue(r *http.Request, key, v string) {
	r.MultipartForm.Value[key] = []string{v}
	if r.PostForm != nil {
		r.PostForm.Set(key, v)
	}
	if r.Form != nil {
		r.Form.Set(key, v)
	}
}

// delete answers the list's delete route itself: GoAdmin would replace
// every refusal with "delete fail", and the reason matters (R2).
func (g *guard) delete(c *gin.Context, a models.Actor) {
	ids, err := tables.ParseIDs(c.Request.PostForm.Get("id"))
	if err != nil {
		g.domainFail(c, err)
		return
	}
	if !g.visible(c, a, ids) || !g.routeAllowed(c, a) {
		return
	}
	if err := g.svc.Delete(c.Request.Context(), a, ids...); err != nil {
		g.domainFail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"code": http.StatusOK, "msg": "deleted", "data": gin.H{}})
	c.Abort()
}

// operation checks the rows of an Ajax action through inbox before the
// action runs (its handler calls inbox again, with the same actor). A row
// action sends its row as id and an empty selection as ids (",").
func (g *guard) operation(c *gin.Context, a models.Actor) {
	if c.Request.Method != http.MethodPost {
		g.fail(c, http.StatusForbidden, "actions are POST only")
		return
	}
	raw := c.Request.PostForm.Get("ids")
	if strings.Trim(raw, ", ") == "" {
		raw = c.Request.PostForm.Get("id")
	}
	ids, err := tables.ParseIDs(raw)
	if err != nil {
		g.domainFail(c, err)
		return
	}
	if g.visible(c, a, ids) && g.routeAllowed(c, a) {
		g.askOutcome(c)
		c.Next()
	}
}

// askOutcome lets the GoAdmin handler behind the guard report a refusal's
// domain code (tables.Outcome), which finish turns into the answer's status.
func (g *guard) askOutcome(c *gin.Context) {
	ctx, out := tables.WithOutcome(c.Request.Context())
	c.Request = c.Request.WithContext(ctx)
	c.Set(ctxOutcome, out)
}

// markRead is POST /admin/conversation/read: the thread page marks its
// conversation read once rendered, same-origin only (checked before), so a
// cross-site link to a thread shows it without marking it.
func (g *guard) markRead(c *gin.Context) {
	a, _ := tables.ActorFrom(c.Request.Context())
	id, ok := rowID(c.Request.PostForm["id"])
	if !ok {
		g.fail(c, http.StatusBadRequest, "invalid conversation id")
		return
	}
	if err := g.svc.MarkRead(c.Request.Context(), a, id); err != nil {
		g.domainFail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
	c.Abort()
}
