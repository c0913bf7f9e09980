// Package admin mounts Parley's back office: GoAdmin (adminlte theme) under
// /admin, behind a guard that authenticates every request against Parley's
// staff accounts, checks Casbin, checks rows through inbox, and closes the
// known holes of GoAdmin v1.2.26 (guard.go lists them).
//
// routes.go declares every /admin route. To add a page: add its Route row
// (kind, weakest role, GoAdmin permission pattern if GoAdmin serves it, menu
// title if it has a menu entry), its line in policies/routes.csv, and its
// handler in Mount; a Parley page inside GoAdmin's layout is a
// g.content handler rendering a templates page (see profile.go, layout.go).
// TestRouteTableMatchesCasbin and TestRouteTableMatchesGoAdmin fail until
// the table, Casbin and GoAdmin's rows agree.
package admin

import (
	stdctx "context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"time"

	_ "github.com/GoAdminGroup/go-admin/adapter/gin" // GoAdmin's gin adapter, found by eng.Use
	"github.com/GoAdminGroup/go-admin/context"
	"github.com/GoAdminGroup/go-admin/engine"
	"github.com/GoAdminGroup/go-admin/modules/auth"
	"github.com/GoAdminGroup/go-admin/plugins/admin/modules/table"
	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
	"github.com/parleyhq/parley/tables"
)

// Deps are what the back office needs.
type Deps struct {
	Svc        *inbox.Service
	Acc        *inbox.Accounts
	Policies   *policies.Enforcer // the /admin route checks
	DB         models.DB
	Log        *slog.Logger
	SessionTTL time.Duration
	Secure     bool // cookies Secure when served over https
	// Jobs is the job queue's Redis: the job monitor is mounted at
	// JobsPath when it is set.
	Jobs asynq.RedisConnOpt
	// Mailbox is the in-process SMTP server's messages (embedded mode);
	// nil in production, where /admin/mailbox says so.
	Mailbox Mailbox
	// Bus is the node's event bus (live pages); nil leaves them static.
	Bus *live.Bus
}

// DefaultSessionTTL is the back-office session lifetime when Deps leaves it 0.
const DefaultSessionTTL = 8 * time.Hour

// IndexPath is where the back office starts: the conversation list.
const IndexPath = "/admin/dashboard/conversation"

// Mount wires GoAdmin onto r under /admin with Parley's guard in front.
// Call once per process (GoAdmin keeps globals), before any other /admin
// route is registered on r, so that the guard runs in front of those too.
func Mount(r *gin.Engine, d Deps) (err error) {
	if d.Svc == nil || d.Acc == nil || d.Policies == nil {
		return errors.New("admin: Svc, Acc and Policies are required")
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.SessionTTL <= 0 {
		d.SessionTTL = DefaultSessionTTL
	}
	if d.DB.Dialect == models.SQLite {
		models.RegisterSQLite()
	}
	cfg, err := goadminConfig(d)
	if err != nil {
		return err
	}
	ctx, cancel := stdctx.WithTimeout(stdctx.Background(), 10*time.Second)
	defer cancel()
	// GoAdmin's own permission check reads its permission rows: write them
	// from the route table.
	if err := d.Acc.SetAdminPermissions(ctx, goadminPermissions()); err != nil {
		return fmt.Errorf("admin: %w", err)
	}

	g := newGuard(d)
	r.Use(g.handle) // before eng.Use: gin combines handlers at registration

	gen := tables.Conversations(d.Svc, g.actor, d.Log, cfg.Databases["default"].Driver)
	defer func() { // config.Initialize panics on a second engine in one process
		if p := recover(); p != nil {
			err = fmt.Errorf("admin: start GoAdmin: %v", p)
		}
	}()
	if err := useParleyBranding(); err != nil {
		return err
	}
	useCharts()
	eng := engine.Default()
	// Hole 6: GoAdmin renders display values as raw HTML; escape by default.
	eng.AddGlobalDisplayProcessFn(func(v types.FieldModel) interface{} { return html.EscapeString(v.Value) })
	// GoAdmin copies goadmin_site over the code's config on start; it is
	// derived data, so clear it and let GoAdmin re-insert the current values
	// (under a lock: nodes starting together would each insert them).
	if err := d.Acc.ResetAdminSite(ctx, func() error {
		return eng.AddConfig(cfg).AddGenerator(tables.ConversationTable, gen).Use(r)
	}); err != nil {
		return fmt.Errorf("admin: start GoAdmin: %w", err)
	}
	registerOperations(eng, gen)
	g.layout = newLayout(eng.DefaultConnection())
	g.listTable = gen
	g.addOperations = eng.AdminPlugin().GetAddOperationFn()
	g.formToken = auth.GetTokenService(eng.Services.Get(auth.TokenServiceKey)).AddToken

	toList := func(c *gin.Context) { c.Redirect(http.StatusFound, "/admin/info/"+tables.ConversationTable) }
	r.GET("/admin", toList)
	r.GET(IndexPath, toList)
	r.POST(LogoutPath, g.logout)
	r.POST(MarkReadPath, g.markRead)
	r.POST(tables.ThreadActionPath, g.threadAction)
	r.GET(tables.OlderPath, g.olderMessages)
	r.GET(QuickRepliesPath, g.content(g.quickReplies))
	r.POST(QuickRepliesPath, g.content(g.saveQuickReply))
	r.GET(ExportPath, g.export)
	r.GET(BulkExportPath, g.exportSelected)
	r.POST(BulkJobsPath, g.startBulkJob)
	r.GET(BulkJobsPath+"/:id", g.content(g.bulkJob))
	r.POST(BulkJobsPath+"/:id/cancel", g.cancelBulkJob)
	r.POST(AttachPath, g.attachUpload)
	r.GET(AttachFilePrefix+":id", g.attachFile)
	r.GET(AttachJSPath, g.attachJS)
	r.GET(ProfilePath, g.content(g.profile))
	r.GET(DashboardPath, g.content(g.dashboard))
	r.POST(PasswordPath, g.content(g.changePassword))
	r.GET(SettingsPath, g.content(g.settings))
	r.POST(SettingsPath, g.content(g.saveSettings))
	r.GET(StaffPath, g.content(g.staff))
	r.POST(StaffPath, g.content(g.staffPost))
	r.GET(CustomersPath, g.content(g.customers))
	r.POST(MessagePath, g.content(g.message))
	r.GET(OrdersPath, g.content(g.orders))
	r.GET(BlocksPath, g.content(g.blocks))
	r.POST(UnblockPath, g.content(g.unblock))
	r.GET(AuditPath, g.content(g.audit))
	if d.Jobs != nil {
		m, err := newJobsMonitor(d.Jobs)
		if err != nil {
			return err
		}
		m.register(r)
		g.jobs = asynq.NewInspector(d.Jobs)
	}
	r.POST(PresencePath, g.presence)
	r.GET(EventsPath, g.events)
	r.POST(TypingPath, g.typing)
	r.POST(ViewingPath, g.viewing)
	r.GET(LiveJSPath, g.liveJS)
	r.GET(NotificationsPath, g.content(g.notifications))
	r.POST(EmailPrefPath, g.content(g.setEmailPref))
	r.GET(MailboxPath, g.content(g.mailbox))
	return nil
}

// registerOperations registers the list's Ajax actions at start. GoAdmin
// only registers them when a list page is first rendered, so after a restart
// a click on an open page would fail until someone loaded the list.
func registerOperations(eng *engine.Engine, gen table.Generator) {
	req, _ := http.NewRequest(http.MethodGet, "/admin/info/"+tables.ConversationTable, nil)
	t := gen(context.NewContext(req))
	add := eng.AdminPlugin().GetAddOperationFn()
	for _, cb := range t.GetInfo().Callbacks {
		add(context.Node{Path: cb.Path, Method: cb.Method, Handlers: cb.Handlers})
	}
}
