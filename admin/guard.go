package admin

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/GoAdminGroup/go-admin/context"
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
)

// maxAdminBody bounds an /admin request body (a reply is at most 10,000
// characters).
const maxAdminBody = 1 << 20

// guard is the middleware in front of every /admin route. It closes the
// holes of GoAdmin v1.2.26, numbered as in the comments and tests:
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
type guard struct {
	svc    *inbox.Service
	acc    *inbox.Accounts
	db     *sql.DB
	log    *slog.Logger
	ttl    time.Duration
	secure bool
	now    func() time.Time
}

func newGuard(d Deps) *guard {
	return &guard{svc: d.Svc, acc: d.Acc, db: d.Svc.Store().DB, log: d.Log, ttl: d.SessionTTL, secure: d.Secure,
		now: time.Now}
}

// actor is the tables.ActorFunc: the actor the guard resolved for the request.
func (g *guard) actor(ctx *context.Context) (models.Actor, error) {
	if a, ok := tables.ActorFrom(ctx.Request.Context()); ok {
		return a, nil
	}
	return models.Actor{}, models.Errorf(models.EUNAUTHORIZED, models.MsgUnauthorized)
}

// Route kinds of /admin.
const (
	kindRefused   = iota // GoAdmin routes Parley never serves: 404
	kindAssets           // GoAdmin's theme assets: public, GET only
	kindLogin            // GET /admin/login
	kindSignin           // POST /admin/signin
	kindList             // GET /admin/info/<table>
	kindEditPage         // GET /admin/info/<table>/edit
	kindEditPost         // POST /admin/edit/<table>
	kindDelete           // POST /admin/delete/<table>
	kindUpdate           // POST /admin/update/<table>: refused (403)
	kindOperation        // POST /admin/operation/<action>
	kindGoAdmin          // other GoAdmin pages that need a login (logout, dashboard)
	kindOther            // Parley's own /admin routes (events, jobs): auth + Casbin, not buffered
)

// registered is the whitelist of GoAdmin table prefixes (hole 13).
func registered(table string) bool { return table == tables.ConversationTable }

// classify sorts an /admin path into a route kind.
func classify(method, p string) int {
	rest := strings.TrimPrefix(strings.TrimPrefix(p, "/admin"), "/")
	seg := strings.Split(rest, "/")
	switch seg[0] {
	case "":
		return kindGoAdmin
	case "assets":
		if method == http.MethodGet || method == http.MethodHead {
			return kindAssets
		}
	case "login":
		if len(seg) == 1 && method == http.MethodGet {
			return kindLogin
		}
	case "signin":
		if len(seg) == 1 && method == http.MethodPost {
			return kindSignin
		}
	case "logout", "dashboard":
		return kindGoAdmin
	case "info":
		if len(seg) >= 2 && registered(seg[1]) {
			switch {
			case len(seg) == 2:
				return kindList
			case len(seg) == 3 && seg[2] == "edit":
				return kindEditPage
			}
		}
	case "edit":
		if len(seg) == 2 && registered(seg[1]) {
			return kindEditPost
		}
	case "delete":
		if len(seg) == 2 && registered(seg[1]) {
			return kindDelete
		}
	case "update":
		return kindUpdate
	case "operation":
		if len(seg) == 2 && tables.IsAction(seg[1]) {
			return kindOperation
		}
	case "events", "jobs":
		return kindOther
	}
	// install (hole 11), menu, plugins, plugin, server, application, api,
	// new, export, detail, unknown tables and actions (hole 12, 13).
	return kindRefused
}

// handle is the guard. It answers every /admin request it refuses and
// passes the rest to GoAdmin (or Parley's own /admin routes).
func (g *guard) handle(c *gin.Context) {
	p := c.Request.URL.Path
	if p != "/admin" && !strings.HasPrefix(p, "/admin/") {
		c.Next()
		return
	}
	kind := classify(c.Request.Method, p)
	if kind == kindAssets {
		c.Next()
		return
	}
	var bw *bufferedWriter
	if kind != kindOther {
		bw = newBufferedWriter(c.Writer)
		c.Writer = bw
	}
	defer func() {
		if rec := recover(); rec != nil { // hole 10: never a panic message
			g.log.Error("admin panic", "path", p, "panic", fmt.Sprint(rec))
			if bw == nil {
				panic(rec)
			}
			bw.reset()
			c.Writer.Header().Del("Set-Cookie")
			g.fail(c, http.StatusInternalServerError, "internal error")
		}
		if bw != nil {
			c.Writer = bw.ResponseWriter
			g.finish(c, bw, kind)
		}
	}()
	g.check(c, kind)
}

// check runs the guard's checks in order; each refusal aborts the request.
func (g *guard) check(c *gin.Context, kind int) {
	r := c.Request
	p := r.URL.Path
	// Odd paths (dot segments, doubled slashes) are refused rather than
	// interpreted differently by the router and the route check.
	if path.Clean(p) != p && p != "/admin/" {
		g.fail(c, http.StatusNotFound, "not found")
		return
	}
	if kind == kindRefused {
		g.fail(c, http.StatusNotFound, "not found")
		return
	}
	if kind == kindUpdate { // hole 7: inline updates write arbitrary columns
		g.fail(c, http.StatusForbidden, "inline editing is not available")
		return
	}
	if msg := badQuery(r.URL.RawQuery); msg != "" { // holes 2, 13
		g.fail(c, http.StatusBadRequest, msg)
		return
	}
	if stateChanging(r.Method) || kind == kindOperation {
		if !g.sameOrigin(r) { // hole 9
			g.fail(c, http.StatusForbidden, "cross-site request refused")
			return
		}
		if err := parseBody(c); err != nil {
			g.fail(c, http.StatusBadRequest, err.Error())
			return
		}
		if msg := badKeys(r.PostForm); msg != "" {
			g.fail(c, http.StatusBadRequest, msg)
			return
		}
		if r.MultipartForm != nil {
			if msg := badKeys(r.MultipartForm.Value); msg != "" {
				g.fail(c, http.StatusBadRequest, msg)
				return
			}
		}
	}
	switch kind {
	case kindLogin:
		g.login(c)
		return
	case kindSignin:
		g.signin(c)
		return
	}

	ctx := r.Context()
	s, ok, err := g.loadSession(ctx, r)
	if err != nil {
		g.log.Error("admin session", "err", err)
		g.fail(c, http.StatusInternalServerError, "internal error")
		return
	}
	if !ok {
		g.unauthenticated(c)
		return
	}
	a, err := g.acc.StaffActor(ctx, s.userID)
	if err != nil {
		if models.ErrorCode(err) != models.EUNAUTHORIZED {
			g.log.Error("admin actor", "err", err)
			g.fail(c, http.StatusInternalServerError, "internal error")
			return
		}
		// Deactivated or deleted: the live session ends here.
		if err := g.endSession(ctx, s.sid); err != nil {
			g.log.Error("end admin session", "err", err)
		}
		g.unauthenticated(c)
		return
	}
	a.IP = c.ClientIP()
	c.Request = r.WithContext(tables.WithActor(ctx, a))

	// Routes with a row id check the row first (R6a: outside the caller's
	// scope it does not exist), then the route; the others the route only.
	switch kind {
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
			g.list(c)
		}
	default:
		if g.routeAllowed(c, a) {
			c.Next()
		}
	}
}

// routeAllowed checks the route with Casbin for the caller's role.
func (g *guard) routeAllowed(c *gin.Context, a models.Actor) bool {
	if !g.svc.Policies().CanRoute(a.Role, c.Request.Method, c.Request.URL.Path) {
		g.fail(c, http.StatusForbidden, "permission denied")
		return false
	}
	return true
}

func stateChanging(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// badKeys rejects the parameters GoAdmin turns into SQL or into another
// table: any key with _goadmin_join_ (hole 2), and __prefix /
// __goadmin_op_id, which shadow the route's own (hole 13).
func badKeys(v url.Values) string {
	for k := range v {
		lk := strings.ToLower(k)
		if strings.Contains(lk, "_goadmin_join_") || strings.Contains(lk, "__prefix") || strings.Contains(lk, "__goadmin_op_id") {
			return "parameter not allowed"
		}
	}
	return ""
}

// badQuery checks the raw query as well as its parsed keys, so no odd
// encoding slips a key past the check.
func badQuery(raw string) string {
	un, err := url.QueryUnescape(raw)
	if err != nil {
		return "invalid query"
	}
	lu := strings.ToLower(un)
	if strings.Contains(lu, "_goadmin_join_") || strings.Contains(lu, "__prefix") || strings.Contains(lu, "__goadmin_op_id") {
		return "parameter not allowed"
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "invalid query"
	}
	return badKeys(q)
}

// parseBody reads a bounded form body (urlencoded or multipart).
func parseBody(c *gin.Context) error {
	r := c.Request
	r.Body = http.MaxBytesReader(c.Writer, r.Body, maxAdminBody)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		if err := r.ParseMultipartForm(maxAdminBody); err != nil {
			return errors.New("invalid form")
		}
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return errors.New("invalid form")
	}
	return nil
}

// sameOrigin accepts a state-changing request only when the browser says it
// comes from this site: Origin, else Referer, naming this host (hole 9).
func (g *guard) sameOrigin(r *http.Request) bool {
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" && s != "same-origin" && s != "none" {
		return false
	}
	src := r.Header.Get("Origin")
	if src == "" {
		src = r.Header.Get("Referer")
	}
	if src == "" || src == "null" {
		return false
	}
	u, err := url.Parse(src)
	if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
		return false
	}
	if g.secure {
		return u.Scheme == "https"
	}
	return u.Scheme == "http" || u.Scheme == "https"
}

// safeAdminPath reports whether s is a same-origin relative /admin path
// (holes 4, 5): no scheme, no host, no backslash, no "//".
func safeAdminPath(s string) bool {
	if !strings.HasPrefix(s, "/admin/") || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\"'<> \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && u.Opaque == "" && path.Clean(u.Path) == u.Path
}

// login refuses a login page whose ref is not a local /admin path (hole 4).
func (g *guard) login(c *gin.Context) {
	q := c.Request.URL.Query()
	if ref, ok := q["ref"]; ok && (len(ref) != 1 || !safeAdminPath(ref[0])) {
		c.Redirect(http.StatusFound, "/admin/login")
		c.Abort()
		return
	}
	c.Next()
}

// signin checks a back-office sign-in before GoAdmin does: throttled like
// the staff API, deactivated users refused (Accounts.CheckStaff), and the
// session cookie the client sent dropped so a fresh sid is minted (hole 8).
func (g *guard) signin(c *gin.Context) {
	r := c.Request
	username, password := r.PostForm.Get("username"), r.PostForm.Get("password")
	if username == "" || password == "" {
		g.fail(c, http.StatusBadRequest, "wrong username or password")
		return
	}
	_, err := g.acc.CheckStaff(r.Context(), username, password, c.ClientIP())
	if err != nil {
		switch models.ErrorCode(err) {
		case models.ERATELIMITED:
			if e := models.AsError(err); e != nil {
				c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
			}
			g.fail(c, http.StatusTooManyRequests, models.AsError(err).Message)
		case models.EUNAUTHORIZED:
			g.fail(c, http.StatusBadRequest, "wrong username or password")
		default:
			g.log.Error("admin sign-in", "err", err)
			g.fail(c, http.StatusInternalServerError, "internal error")
		}
		return
	}
	dropSessionCookie(r)
	if ref := r.Referer(); ref != "" { // GoAdmin echoes the Referer's ref as the next URL
		if u, err := url.Parse(ref); err != nil || (u.Query().Has("ref") && !safeAdminPath(u.Query().Get("ref"))) {
			r.Header.Del("Referer")
		}
	}
	c.Next()
}

// unauthenticated sends a page request to the login page and answers any
// other request 401.
func (g *guard) unauthenticated(c *gin.Context) {
	if c.Request.Method == http.MethodGet {
		c.Redirect(http.StatusFound, "/admin/login")
		c.Abort()
		return
	}
	g.fail(c, http.StatusUnauthorized, "please sign in again")
}

// list whitelists the list's sort and filter parameters and clamps paging
// (holes 1, 3); the table's own data function whitelists them again.
func (g *guard) list(c *gin.Context) {
	r := c.Request
	q := r.URL.Query()
	if v, ok := q["__sort"]; ok {
		if _, known := tables.SortKey(v[0]); len(v) != 1 || !known {
			g.fail(c, http.StatusBadRequest, "cannot sort by that column")
			return
		}
	}
	if v, ok := q["__sort_type"]; ok && (len(v) != 1 || !tables.IsSortType(v[0])) {
		g.fail(c, http.StatusBadRequest, "sort order must be asc or desc")
		return
	}
	for _, k := range []string{tables.FilterStatus, tables.FilterAssigned, tables.FilterUnread, tables.FilterCustomer} {
		if v, ok := q[k]; ok && (len(v) != 1 || !tables.ValidFilterValue(k, v[0])) {
			g.fail(c, http.StatusBadRequest, "invalid filter value")
			return
		}
	}
	changed := false
	if v, ok := q["__pageSize"]; ok {
		n, _ := strconv.Atoi(v[0])
		q.Set("__pageSize", strconv.Itoa(tables.ClampPageSize(n)))
		changed = true
	}
	if v, ok := q["__page"]; ok {
		n, _ := strconv.Atoi(v[0])
		q.Set("__page", strconv.Itoa(tables.ClampPage(n)))
		changed = true
	}
	if changed {
		r.URL.RawQuery = q.Encode()
	}
	c.Next()
}

// rowID reads one positive id from a single-valued parameter.
func rowID(v []string) (int64, bool) {
	if len(v) != 1 {
		return 0, false
	}
	id, err := strconv.ParseInt(v[0], 10, 64)
	return id, err == nil && id > 0
}

// visible answers 404 unless every id is a conversation the actor may see.
func (g *guard) visible(c *gin.Context, a models.Actor, ids []int64) bool {
	for _, id := range ids {
		if _, err := g.svc.Get(c.Request.Context(), a, id); err != nil {
			g.domainFail(c, err)
			return false
		}
	}
	return true
}

// editPage checks the row of an edit page through inbox: outside the
// caller's scope it does not exist.
func (g *guard) editPage(c *gin.Context, a models.Actor) {
	id, ok := rowID(c.Request.URL.Query()["__goadmin_edit_pk"])
	if !ok {
		g.fail(c, http.StatusNotFound, "not found")
		return
	}
	if g.visible(c, a, []int64{id}) && g.routeAllowed(c, a) {
		c.Next()
	}
}

var previousPath = regexp.MustCompile(`^/admin/info/conversation(/edit)?(\?[A-Za-z0-9_=&%.,:+\-]*)?$`)

// editPost lets an edit post through only as multipart with the allowed
// fields (hole 7), a safe return path (hole 5) and a visible row.
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
	allowed := map[string]bool{"__go_admin_t_": true, "__go_admin_previous_": true}
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
	if prev := r.MultipartForm.Value["__go_admin_previous_"]; len(prev) > 1 || (len(prev) == 1 && prev[0] != "" && !previousPath.MatchString(prev[0])) {
		g.fail(c, http.StatusBadRequest, "invalid return address")
		return
	}
	id, ok := rowID(r.MultipartForm.Value[tables.FieldID])
	if !ok {
		g.fail(c, http.StatusBadRequest, "invalid conversation id")
		return
	}
	if g.visible(c, a, []int64{id}) && g.routeAllowed(c, a) {
		c.Next()
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
// action runs (its handler calls inbox again, with the same actor).
func (g *guard) operation(c *gin.Context, a models.Actor) {
	if c.Request.Method != http.MethodPost {
		g.fail(c, http.StatusForbidden, "actions are POST only")
		return
	}
	raw := c.Request.PostForm.Get("ids")
	if raw == "" {
		raw = c.Request.PostForm.Get("id")
	}
	ids, err := tables.ParseIDs(raw)
	if err != nil {
		g.domainFail(c, err)
		return
	}
	if g.visible(c, a, ids) && g.routeAllowed(c, a) {
		c.Next()
	}
}

// domainFail answers an inbox error with its own message and status.
func (g *guard) domainFail(c *gin.Context, err error) {
	e := models.AsError(err)
	if e == nil || e.Code == models.EINTERNAL {
		g.log.Error("admin request", "path", c.Request.URL.Path, "err", err)
		g.fail(c, http.StatusInternalServerError, "internal error")
		return
	}
	status := http.StatusBadRequest
	switch e.Code {
	case models.ENOTFOUND:
		status = http.StatusNotFound
	case models.EFORBIDDEN:
		status = http.StatusForbidden
	case models.EUNAUTHORIZED:
		status = http.StatusUnauthorized
	case models.ERATELIMITED:
		status = http.StatusTooManyRequests
	}
	g.fail(c, status, e.Message)
}

// fail answers a refusal: JSON {"code","msg"} (what GoAdmin's scripts read)
// for Ajax and non-GET requests, else a small HTML page.
func (g *guard) fail(c *gin.Context, status int, msg string) {
	if c.Request.Method == http.MethodGet && !strings.Contains(c.GetHeader("Accept"), "application/json") &&
		c.GetHeader("X-Requested-With") == "" {
		c.Data(status, "text/html; charset=utf-8", errorPage(status, msg))
	} else {
		c.JSON(status, gin.H{"code": status, "msg": msg})
	}
	c.Abort()
}

// finish fixes up a held GoAdmin response and sends it: hardened cookies,
// local redirects only, no error details, a safe next URL after sign-in.
func (g *guard) finish(c *gin.Context, bw *bufferedWriter, kind int) {
	h := bw.Header()
	g.hardenCookies(h)
	if loc := h.Get("Location"); loc != "" && !safeAdminPath(loc) && loc != "/admin/login" && loc != "/admin" {
		h.Set("Location", "/admin/login")
	}
	if bw.Status() >= 500 { // hole 10
		g.log.Error("admin error response", "path", c.Request.URL.Path, "status", bw.Status(), "body", truncate(bw.body.String(), 500))
		ct := h.Get("Content-Type")
		bw.body.Reset()
		if strings.Contains(ct, "json") {
			b, _ := json.Marshal(gin.H{"code": http.StatusInternalServerError, "msg": "internal error"})
			bw.body.Write(b)
		} else {
			h.Set("Content-Type", "text/html; charset=utf-8")
			bw.body.Write(errorPage(http.StatusInternalServerError, "internal error"))
		}
		h.Del("Content-Length")
	}
	if kind == kindSignin && bw.Status() == http.StatusOK {
		var resp map[string]any
		if json.Unmarshal(bw.body.Bytes(), &resp) == nil {
			if data, ok := resp["data"].(map[string]any); ok {
				if u, _ := data["url"].(string); !safeAdminPath(u) {
					data["url"] = IndexPath
					b, _ := json.Marshal(resp)
					bw.body.Reset()
					bw.body.Write(b)
					h.Del("Content-Length")
				}
			}
		}
	}
	bw.flush()
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
