package admin

import (
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/GoAdminGroup/go-admin/context"
	"github.com/GoAdminGroup/go-admin/plugins/admin/modules/table"
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
	"github.com/parleyhq/parley/tables"
)

// guard is the middleware in front of every /admin route. It dispatches on
// the route table (routes.go) and closes the holes of GoAdmin v1.2.26,
// numbered as in the comments and tests:
//
//  1. SQL injection through __sort_type (raw into ORDER BY)
//  2. SQL injection through query keys containing _goadmin_join_
//  3. unbounded __pageSize
//  4. script injection through /admin/login?ref=javascript:…
//  5. script injection through __go_admin_previous_
//  6. values rendered as raw HTML
//  7. mass assignment through the default update and /admin/update/<table>
//  8. session fixation; cookies without Secure/SameSite
//  9. no CSRF check on delete, inline update and operation routes
//  10. panics and SQL errors shown to users; request bodies in the operation log
//  11. the install routes (unauthenticated, dial any host)
//  12. the manager, roles, permission, menu, operation-log and site pages
//  13. __prefix / __goadmin_op_id in the query shadowing the route's table
//
// Every route not in the table answers 404, which closes 11, 12 and 13's
// unknown tables; the files next to this one hold one concern each.
type guard struct {
	svc    *inbox.Service
	acc    *inbox.Accounts
	pol    *policies.Enforcer
	log    *slog.Logger
	ttl    time.Duration
	secure bool
	mail   Mailbox      // the dev mailbox (admin/mailbox.go); nil in production
	bus    *live.Bus    // live.go; nil without live events
	jobs   jobInspector // the job queue's inspector (the dashboard's failure card); nil without a queue
	// layout renders Parley's pages in GoAdmin's layout (layout.go);
	// addOperations registers a panel's Ajax callbacks as engine.Content does.
	layout        *layout
	addOperations context.NodeProcessor
	formToken     func() string   // a new GoAdmin form token (its edit route checks it)
	listTable     table.Generator // the conversation table (list.go lays out its list)
}

func newGuard(d Deps) *guard {
	return &guard{svc: d.Svc, acc: d.Acc, pol: d.Policies, log: d.Log, ttl: d.SessionTTL, secure: d.Secure, mail: d.Mailbox, bus: d.Bus}
}

// Keys of what the guard leaves in the gin context for the handlers and finish.
const (
	ctxSession   = "parley.admin.sid"      // the caller's goadmin session id
	ctxStatus    = "parley.admin.status"   // the status a rendered page answers with
	ctxSignin    = "parley.admin.signin"   // the staff id whose credentials were checked
	ctxAnswered  = "parley.admin.answered" // the guard answered the request itself
	ctxOutcome   = "parley.admin.outcome"  // *tables.Outcome of an Ajax action or edit post
	ctxStaffName = "parley.admin.name"     // the caller's display name (the layout's header)
)

// actor is the tables.ActorFunc: the actor the guard resolved for the request.
func (g *guard) actor(ctx *context.Context) (models.Actor, error) {
	if a, ok := tables.ActorFrom(ctx.Request.Context()); ok {
		return a, nil
	}
	return models.Actor{}, models.Errorf(models.EUNAUTHORIZED, models.MsgUnauthorized)
}

// handle is the guard. It answers every /admin request it refuses and
// passes the rest to GoAdmin or Parley's own handlers, holding their
// response until finish has checked it.
func (g *guard) handle(c *gin.Context) {
	p := c.Request.URL.Path
	if p != "/admin" && !strings.HasPrefix(p, "/admin/") {
		c.Next()
		return
	}
	setSecurityHeaders(c.Writer.Header(), false)
	rt, _ := match(c.Request.Method, p)
	if rt.Kind == kindAssets && path.Clean(p) == p {
		c.Next()
		return
	}
	if rt.Stream {
		g.check(c, rt)
		return
	}
	bw := newBufferedWriter(c.Writer)
	c.Writer = bw
	defer func() {
		if rec := recover(); rec != nil { // hole 10: never a panic message
			g.log.Error("admin panic", "path", p, "panic", fmt.Sprint(rec))
			bw.reset()
			bw.Header().Del("Set-Cookie")
			g.fail(c, http.StatusInternalServerError, "internal error")
		}
		c.Writer = bw.ResponseWriter
		g.finish(c, bw, rt)
	}()
	g.check(c, rt)
}

// check runs the guard's checks in order; each refusal aborts the request.
func (g *guard) check(c *gin.Context, rt Route) {
	r := c.Request
	// Odd paths (dot segments, doubled slashes) are refused rather than
	// interpreted differently by the router and the route check.
	if path.Clean(r.URL.Path) != r.URL.Path || rt.Kind == kindRefused ||
		(rt.Kind == kindOperation && !tables.IsAction(strings.TrimPrefix(r.URL.Path, "/admin/operation/"))) {
		g.fail(c, http.StatusNotFound, "This page does not exist.")
		return
	}
	if rt.Kind == kindUpdate { // hole 7: inline updates write arbitrary columns
		g.fail(c, http.StatusForbidden, "inline editing is not available")
		return
	}
	if msg := badQuery(r.URL.RawQuery); msg != "" { // holes 2, 5, 13
		g.fail(c, http.StatusBadRequest, msg)
		return
	}
	if stateChanging(r.Method) || rt.Kind == kindOperation {
		if !g.sameOrigin(r) { // hole 9
			g.fail(c, http.StatusForbidden, "cross-site request refused")
			return
		}
		// An upload's handler reads its own multipart body, strictly and
		// in one pass (media.ReadForm); GoAdmin never sees it.
		if rt.Kind != kindAttachUpload {
			if err := parseBody(c); err != nil {
				g.domainFail(c, err)
				return
			}
			if msg := badForm(r); msg != "" {
				g.fail(c, http.StatusBadRequest, msg)
				return
			}
		}
	}
	switch rt.Kind {
	case kindLogin:
		g.login(c)
		return
	case kindSignin:
		g.signin(c)
		return
	case kindLogoutPage:
		g.logoutPage(c)
		return
	}

	a, sid, ok := g.authenticate(c)
	if !ok {
		return
	}
	c.Set(ctxSession, sid)
	c.Request = r.WithContext(tables.WithActor(r.Context(), a))

	// Routes with a row id check the row first (R6a: outside the caller's
	// scope it does not exist), then the route; the others the route only.
	switch rt.Kind {
	case kindEditPage:
		g.editPage(c, a)
	case kindEditPost:
		g.editPost(c, a)
	case kindDelete:
		g.delete(c, a)
	case kindOperation:
		g.operation(c, a)
	case kindList:
		if g.routeAllowed(c, a) {
			g.list(c, a)
		}
	case kindSetting:
		if g.routeAllowed(c, a) {
			c.Redirect(http.StatusFound, ProfilePath)
			c.Abort()
		}
	default:
		if g.routeAllowed(c, a) {
			c.Next()
		}
	}
}

// routeAllowed checks the route with Casbin for the caller's role.
func (g *guard) routeAllowed(c *gin.Context, a models.Actor) bool {
	method := c.Request.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	if !g.pol.CanRoute(a.Role, method, c.Request.URL.Path) {
		g.fail(c, http.StatusForbidden, "permission denied")
		return false
	}
	return true
}
