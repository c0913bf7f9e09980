package admin

import (
	"net/http"
	"slices"
	"strings"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
)

// kind says how the guard handles a route.
type kind int

const (
	kindRefused      kind = iota // not in the table: 404
	kindAssets                   // GoAdmin's theme assets: public, GET only
	kindLogin                    // GET /admin/login
	kindSignin                   // POST /admin/signin
	kindLogoutPage               // GET /admin/logout: a page with a sign-out button, no state change
	kindLogout                   // POST /admin/logout
	kindPage                     // a page behind sign-in and the route check, no row
	kindList                     // the conversation list
	kindEditPage                 // a conversation's edit page
	kindEditPost                 // the edit form's POST
	kindDelete                   // bulk delete, answered by the guard
	kindOperation                // an Ajax action of the list
	kindMarkRead                 // POST /admin/conversation/read
	kindProfile                  // the staff member's own profile page
	kindPassword                 // the profile's change-password POST
	kindSetting                  // GoAdmin's "Setting" link: redirects to the profile
	kindUpdate                   // GoAdmin's inline update: refused (403, hole 7)
	kindAttachUpload             // POST AttachPath: staff upload files (multipart, read by the handler)
	kindAttachFile               // GET AttachFilePrefix{id}: an attachment's file
	kindAttachJS                 // GET AttachJSPath: the reply box's upload script
)

// Route is one row of the back office's route table: the one place a page
// of /admin is declared. The guard dispatches on it, GoAdmin's permission
// rows are written from it at start, and a test proves Casbin's
// routes.csv and GoAdmin's menu rows agree with it.
type Route struct {
	Method string
	// Path is exact, or a prefix when it ends in "/*".
	Path string
	Kind kind
	// Role is the weakest staff role allowed; "" for routes open before
	// sign-in (the guard checks them itself).
	Role string
	// GoAdmin is the route's pattern in GoAdmin's permission rows (path
	// without /admin, a regexp); "" when GoAdmin never serves the route.
	GoAdmin string
	// Menu is the title of the route's row in GoAdmin's menu, if any.
	Menu string
	// Stream marks a route whose answer must not be held (Server-Sent
	// Events, streamed exports): the guard checks it and steps aside, so
	// its handler sets its own headers and cannot be fixed up afterwards.
	Stream bool
}

// anyMethod matches every method in the route table.
const anyMethod = "*"

// Paths of Parley's own back-office routes.
const (
	ProfilePath   = "/admin/profile"
	DashboardPath = "/admin/dashboard"
	PasswordPath  = "/admin/profile/password"
	MarkReadPath  = "/admin/conversation/read"
	LogoutPath    = "/admin/logout"
	LoginPath     = "/admin/login"
	settingPath   = "/admin/info/normal_manager/edit"
)

// routes is the back office. Keep it in sync with policies/routes.csv
// (TestRouteTableMatchesCasbin fails otherwise).
var routes = []Route{
	{Method: http.MethodGet, Path: "/admin/assets/*", Kind: kindAssets},
	{Method: http.MethodGet, Path: LoginPath, Kind: kindLogin},
	{Method: http.MethodPost, Path: "/admin/signin", Kind: kindSignin},
	{Method: http.MethodGet, Path: LogoutPath, Kind: kindLogoutPage},
	{Method: http.MethodPost, Path: LogoutPath, Kind: kindLogout, Role: models.RoleAgent},
	{Method: http.MethodGet, Path: "/admin", Kind: kindPage, Role: models.RoleAgent},
	{Method: http.MethodGet, Path: IndexPath, Kind: kindPage, Role: models.RoleAgent, Menu: "Inbox"},
	{Method: http.MethodGet, Path: DashboardPath, Kind: kindPage, Role: models.RoleAgent, GoAdmin: "/dashboard", Menu: "Dashboard"},
	{Method: http.MethodGet, Path: "/admin/info/" + tables.ConversationTable, Kind: kindList, Role: models.RoleAgent,
		GoAdmin: "/info/" + tables.ConversationTable},
	{Method: http.MethodGet, Path: "/admin/info/" + tables.ConversationTable + "/edit", Kind: kindEditPage, Role: models.RoleAgent,
		GoAdmin: "/info/" + tables.ConversationTable + "/edit"},
	{Method: http.MethodPost, Path: "/admin/edit/" + tables.ConversationTable, Kind: kindEditPost, Role: models.RoleAgent,
		GoAdmin: "/edit/" + tables.ConversationTable},
	// Any method, so that a GET of an action is refused as such (403).
	{Method: anyMethod, Path: "/admin/operation/*", Kind: kindOperation, Role: models.RoleAgent, GoAdmin: "/operation/.*"},
	{Method: http.MethodPost, Path: "/admin/update/*", Kind: kindUpdate},
	{Method: http.MethodPost, Path: MarkReadPath, Kind: kindMarkRead, Role: models.RoleAgent},
	{Method: http.MethodPost, Path: "/admin/delete/" + tables.ConversationTable, Kind: kindDelete, Role: models.RoleChatAdmin,
		GoAdmin: "/delete/" + tables.ConversationTable},
	{Method: http.MethodGet, Path: ProfilePath, Kind: kindProfile, Role: models.RoleAgent, GoAdmin: "/profile"},
	{Method: http.MethodPost, Path: PasswordPath, Kind: kindPassword, Role: models.RoleAgent, GoAdmin: "/profile/password"},
	{Method: http.MethodGet, Path: settingPath, Kind: kindSetting, Role: models.RoleAgent},
	// The conversation page's actions and older history (admin/thread.go).
	{Method: http.MethodPost, Path: tables.ThreadActionPath, Kind: kindPage, Role: models.RoleAgent},
	{Method: http.MethodGet, Path: tables.OlderPath, Kind: kindPage, Role: models.RoleAgent},
	{Method: http.MethodGet, Path: QuickRepliesPath, Kind: kindPage, Role: models.RoleChatAdmin, GoAdmin: "/quick-replies", Menu: "Quick replies"},
	{Method: http.MethodPost, Path: QuickRepliesPath, Kind: kindPage, Role: models.RoleChatAdmin, GoAdmin: "/quick-replies"},
	{Method: http.MethodGet, Path: ExportPath, Kind: kindPage, Role: models.RoleAgent, Stream: true},
	// Bulk work of the list beyond the selected rows (admin/bulkjob.go).
	{Method: http.MethodGet, Path: BulkExportPath, Kind: kindPage, Role: models.RoleAgent, Stream: true},
	{Method: http.MethodPost, Path: BulkJobsPath, Kind: kindPage, Role: models.RoleAgent},
	{Method: http.MethodGet, Path: BulkJobsPath + "/*", Kind: kindPage, Role: models.RoleAgent, GoAdmin: "/bulk-jobs/.*"},
	{Method: http.MethodPost, Path: BulkJobsPath + "/*", Kind: kindPage, Role: models.RoleAgent},
	{Method: http.MethodPost, Path: AttachPath, Kind: kindAttachUpload, Role: models.RoleAgent},
	{Method: http.MethodGet, Path: AttachFilePrefix + "*", Kind: kindAttachFile, Role: models.RoleAgent, Stream: true},
	{Method: http.MethodGet, Path: AttachJSPath, Kind: kindAttachJS, Role: models.RoleAgent},
	{Method: http.MethodGet, Path: SettingsPath, Kind: kindPage, Role: models.RoleOwner, GoAdmin: "/settings", Menu: "Settings"},
	{Method: http.MethodPost, Path: SettingsPath, Kind: kindPage, Role: models.RoleOwner, GoAdmin: "/settings"},
	{Method: http.MethodGet, Path: StaffPath, Kind: kindPage, Role: models.RoleAdmin, GoAdmin: "/staff", Menu: "Staff"},
	{Method: http.MethodPost, Path: StaffPath, Kind: kindPage, Role: models.RoleAdmin, GoAdmin: "/staff"},
	{Method: http.MethodGet, Path: CustomersPath, Kind: kindPage, Role: models.RoleChatAdmin, GoAdmin: "/customers", Menu: "Customers"},
	{Method: http.MethodPost, Path: MessagePath, Kind: kindPage, Role: models.RoleChatAdmin, GoAdmin: "/customers/message"},
	{Method: http.MethodGet, Path: OrdersPath, Kind: kindPage, Role: models.RoleChatAdmin, GoAdmin: "/orders", Menu: "Orders"},
	{Method: http.MethodGet, Path: BlocksPath, Kind: kindPage, Role: models.RoleChatAdmin, GoAdmin: "/blocks", Menu: "Blocks"},
	{Method: http.MethodPost, Path: UnblockPath, Kind: kindPage, Role: models.RoleChatAdmin, GoAdmin: "/blocks/unblock"},
	{Method: http.MethodGet, Path: AuditPath, Kind: kindPage, Role: models.RoleAdmin, GoAdmin: "/audit", Menu: "Audit log"},
	// The job monitor (jobs.go): chat admins look, admins act.
	{Method: http.MethodGet, Path: JobsPath, Kind: kindPage, Role: models.RoleChatAdmin, Stream: true},
	{Method: http.MethodGet, Path: JobsPath + "/*", Kind: kindPage, Role: models.RoleChatAdmin, Stream: true},
	{Method: http.MethodPost, Path: JobsPath + "/*", Kind: kindPage, Role: models.RoleAdmin, Stream: true},
	{Method: http.MethodDelete, Path: JobsPath + "/*", Kind: kindPage, Role: models.RoleAdmin, Stream: true},
	// Notifications and e-mail (admin/bell.go, admin/mailbox.go).
	{Method: http.MethodPost, Path: PresencePath, Kind: kindPage, Role: models.RoleAgent},
	{Method: http.MethodGet, Path: NotificationsPath, Kind: kindPage, Role: models.RoleAgent, GoAdmin: "/notifications", Menu: "Notifications"},
	{Method: http.MethodPost, Path: EmailPrefPath, Kind: kindPage, Role: models.RoleAgent, GoAdmin: "/profile/email"},
	// The live layer (live.go).
	{Method: http.MethodGet, Path: EventsPath, Kind: kindPage, Role: models.RoleAgent, Stream: true},
	{Method: http.MethodPost, Path: TypingPath, Kind: kindPage, Role: models.RoleAgent},
	{Method: http.MethodPost, Path: ViewingPath, Kind: kindPage, Role: models.RoleAgent},
	{Method: http.MethodGet, Path: LiveJSPath, Kind: kindPage, Role: models.RoleAgent},
	{Method: http.MethodGet, Path: MailboxPath, Kind: kindPage, Role: models.RoleAdmin, GoAdmin: "/mailbox", Menu: "Dev mailbox"},
}

// Routes returns a copy of the route table (for tests and documentation).
func Routes() []Route { return slices.Clone(routes) }

// match finds the route of a request; HEAD is matched as GET.
func match(method, p string) (Route, bool) {
	if method == http.MethodHead {
		method = http.MethodGet
	}
	for _, rt := range routes {
		if rt.Method != method && rt.Method != anyMethod {
			continue
		}
		if prefix, ok := strings.CutSuffix(rt.Path, "*"); ok {
			if strings.HasPrefix(p, prefix) && len(p) > len(prefix) {
				return rt, true
			}
		} else if p == rt.Path {
			return rt, true
		}
	}
	return Route{}, false
}

// allows reports whether role is at least the route's role.
func (rt Route) allows(role string) bool {
	want, have := slices.Index(models.StaffRoles, rt.Role), slices.Index(models.StaffRoles, role)
	return want >= 0 && have >= 0 && have <= want
}

// goadminPermissions builds GoAdmin's permission rows: per staff role, the
// newline-separated patterns of the routes GoAdmin serves to it. "/" lets
// GoAdmin show its chrome for Parley's own pages rendered in it.
func goadminPermissions() map[string]string {
	out := make(map[string]string, len(models.StaffRoles))
	for _, role := range models.StaffRoles {
		paths := []string{"/"}
		for _, rt := range routes {
			if rt.GoAdmin != "" && rt.allows(role) {
				paths = append(paths, rt.GoAdmin)
			}
		}
		out[role] = strings.Join(paths, "\n")
	}
	return out
}
