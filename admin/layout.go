package admin

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/GoAdminGroup/go-admin/context"
	"github.com/GoAdminGroup/go-admin/modules/config"
	"github.com/GoAdminGroup/go-admin/modules/db"
	"github.com/GoAdminGroup/go-admin/modules/menu"
	gamodels "github.com/GoAdminGroup/go-admin/plugins/admin/models"
	gatemplate "github.com/GoAdminGroup/go-admin/template"
	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
)

// Parley's pages inside GoAdmin's layout, rendered by Parley.
//
// GoAdmin's engine.Content signs the caller in again for every page (the
// session, the user, their roles, permissions and menus: six statements),
// checks the path against the user's permission patterns (compiling each
// as a regexp), reads the menu (three more statements) and then executes
// the layout. The guard has already signed the caller in and checked the
// route with Casbin, so layout renders the same page from what the guard
// knows: the user's header fields from their staff row, the menu from a
// per-role copy read through GoAdmin at most once per menuTTL.

// menuTTL is how long a role's menu is reused. The menu only changes with
// migrations (Parley has no menu editor), so a restart or this delay
// brings a new one in.
const menuTTL = time.Minute

type layout struct {
	conn db.Connection

	mu    sync.Mutex
	menus map[string]roleMenu // by role
}

type roleMenu struct {
	menu *menu.Menu
	at   time.Time
}

func newLayout(conn db.Connection) *layout {
	return &layout{conn: conn, menus: map[string]roleMenu{}}
}

// menuFor returns a copy of the role's menu (the caller marks the active
// entry on it), reading it through GoAdmin with this user when the cached
// one is missing or old.
func (l *layout) menuFor(a models.Actor) *menu.Menu {
	l.mu.Lock()
	m, ok := l.menus[a.Role]
	l.mu.Unlock()
	if !ok || time.Since(m.at) > menuTTL {
		user := gamodels.UserWithId(strconv.FormatInt(a.ID, 10)).SetConn(l.conn).WithRoles().WithMenus()
		m = roleMenu{menu: menu.GetGlobalMenu(user, l.conn, ""), at: time.Now()}
		l.mu.Lock()
		l.menus[a.Role] = m
		l.mu.Unlock()
	}
	out := *m.menu
	out.List = copyItems(m.menu.List)
	return &out
}

func copyItems(items []menu.Item) []menu.Item {
	out := make([]menu.Item, len(items))
	for i, it := range items {
		out[i] = it
		out[i].ChildrenList = copyItems(it.ChildrenList)
	}
	return out
}

// page is what g.content's handlers return: the panel, or an error shown
// as GoAdmin's warning panel.
type pageFn func(c *gin.Context) (types.Panel, error)

// content serves a Parley page inside the layout (the guard has signed the
// caller in and checked the route).
func (g *guard) content(fn pageFn) gin.HandlerFunc {
	return func(c *gin.Context) {
		gctx := context.NewContext(c.Request)
		panel, err := fn(c)
		if err != nil {
			panel = gatemplate.WarningPanel(gctx, err.Error())
		}
		g.render(c, gctx, panel)
	}
}

// render executes the layout around panel for the guard's caller, as
// GoAdmin's engine.Content would.
func (g *guard) render(c *gin.Context, gctx *context.Context, panel types.Panel) {
	a, ok := tables.ActorFrom(c.Request.Context())
	if !ok {
		g.fail(c, http.StatusUnauthorized, models.MsgUnauthorized)
		return
	}
	name, _ := c.Get(ctxStaffName)
	user := gamodels.UserModel{Id: a.ID, UserName: a.Name}
	user.Name, _ = name.(string)
	if user.Name == "" {
		user.Name = a.Name
	}
	if g.addOperations != nil {
		g.addOperations(panel.Callbacks...)
	}
	th := gatemplate.Default(gctx)
	tmpl, tmplName := th.GetTemplate(c.GetHeader("X-PJAX") == "true")
	var buf bytes.Buffer
	err := tmpl.ExecuteTemplate(&buf, tmplName, types.NewPage(gctx, &types.NewPageParam{
		User:         user,
		Menu:         g.layout.menuFor(a).SetActiveClass(config.URLRemovePrefix(c.Request.URL.Path)),
		Panel:        panel.GetContent(config.IsProductionEnvironment()),
		Assets:       gatemplate.GetComponentAssetImportHTML(gctx),
		TmplHeadHTML: th.GetHeadHTML(),
		TmplFootJS:   th.GetFootJS(),
		Iframe:       c.Query("__goadmin_iframe") == "true",
	}))
	if err != nil {
		g.log.Error("render page", "path", c.Request.URL.Path, "err", err)
		g.fail(c, http.StatusInternalServerError, "internal error")
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
	c.Abort() // the guard may run before a GoAdmin route: it answered
}
