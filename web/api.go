package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/models"
)

// APIPrefix is where Register mounts the JSON API.
const APIPrefix = "/api/v1"

// API is the customer and staff JSON API (docs/design.md §7). Its handlers decode,
// call one inbox method, map the error and render.
type API struct {
	svc    *inbox.Service
	acc    *inbox.Accounts
	engine *gin.Engine

	bus *live.Bus // web/events.go (WithEvents)
}

// NewAPI builds the API over the inbox and the accounts service.
func NewAPI(svc *inbox.Service, acc *inbox.Accounts) *API {
	a := &API{svc: svc, acc: acc}
	a.engine = a.routes()
	return a
}

// Register mounts the API under /api/v1 on r. The API routes through an
// engine of its own so that unknown paths and methods under /api/v1 answer
// JSON without claiming r's NoRoute handler; r keeps its middleware and
// client-IP settings (the API reads c.ClientIP through r's engine).
func (a *API) Register(r gin.IRouter) {
	r.Any(APIPrefix+"/*path", a.engine.HandleContext)
}

func (a *API) routes() *gin.Engine {
	e := gin.New()
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	// Route on the path as sent: ".../1%2Fmessages" is the id "1/messages"
	// (not found), never the messages route.
	e.UseRawPath = true
	e.UnescapePathValues = true
	e.HandleMethodNotAllowed = true
	e.Use(recoverJSON, noStore, limitBody)
	noRoute := func(c *gin.Context) {
		writeError(c, models.Errorf(models.ENOTFOUND, "no such endpoint: %s %s", c.Request.Method, c.Request.URL.Path))
	}
	e.NoRoute(noRoute)
	e.NoMethod(func(c *gin.Context) {
		if c.Request.URL.RawPath != "" {
			// An escaped separator ("1%2Fmessages") only looks like a
			// known path: no endpoint has escaped segments.
			noRoute(c)
			return
		}
		writeErrorStatus(c, http.StatusMethodNotAllowed, "method_not_allowed",
			c.Request.Method+" is not allowed on "+c.Request.URL.Path)
	})

	v1 := e.Group(APIPrefix)
	v1.POST("/auth/login", a.customerLogin)
	v1.GET("/openapi.json", serveOpenAPI)
	a.identityRoutes(v1)
	a.integrationRoutes(v1)

	v1.GET("/events", a.streamAuth(customerSide), a.events)
	cust := v1.Group("", a.authenticate(customerSide))
	cust.POST("/auth/logout", a.logout)
	cust.GET("/me", a.customerMe)
	cust.GET("/conversations", a.customerConversations)
	cust.GET("/notifications", a.notifications)
	cust.POST("/presence", a.presence)
	cust.POST("/events/ticket", a.streamTicket)
	cust.POST("/conversations", a.idempotent(customerPosted), a.startConversation)
	cust.GET("/conversations/:id", openThread(a, customerView))
	cust.POST("/conversations/:id/messages", a.idempotent(customerPosted), a.sendMessage)
	cust.GET("/conversations/:id/export.csv", a.exportCSV)
	cust.GET("/conversations/:id/messages", a.history)
	cust.POST("/conversations/:id/typing", a.typing)
	cust.GET("/orders", a.orders)
	cust.POST("/conversations/:id/attachments", a.idempotent(customerPosted), a.sendAttachments(customerPosted))
	cust.GET("/attachments/:id", a.getAttachment)

	staff := v1.Group("/staff")
	staff.POST("/auth/login", a.staffLogin)
	staff.GET("/events", a.streamAuth(staffSide), a.events)
	sa := staff.Group("", a.authenticate(staffSide))
	sa.POST("/auth/logout", a.logout)
	sa.GET("/me", a.staffMe)
	sa.GET("/notifications", a.notifications)
	sa.POST("/presence", a.presence)
	sa.GET("/conversations", listConversations(a, true, staffView))
	sa.POST("/conversations", a.idempotent(staffPosted), a.staffStartConversation)
	sa.POST("/conversations/bulk", a.staffBulk)
	sa.GET("/bulk-jobs/:id", a.staffBulkJob)
	sa.POST("/bulk-jobs/:id/cancel", a.staffCancelBulkJob)
	sa.GET("/conversations/:id", openThread(a, staffView))
	sa.GET("/metrics", a.staffMetrics)
	sa.PATCH("/conversations/:id", a.staffPatchConversation)
	sa.DELETE("/conversations/:id", a.staffDeleteConversation)
	sa.POST("/conversations/:id/messages", a.idempotent(staffPosted), a.staffSendMessage)
	sa.GET("/customers/:id", a.staffCustomer)
	sa.GET("/quick-replies", a.staffQuickReplies)
	sa.POST("/quick-replies", a.staffCreateQuickReply)
	sa.PATCH("/quick-replies/:id", a.staffPatchQuickReply)
	sa.DELETE("/quick-replies/:id", a.staffDeleteQuickReply)
	sa.GET("/conversations/:id/export.csv", a.exportCSV)
	sa.GET("/conversations/:id/messages", a.history)
	sa.POST("/conversations/:id/typing", a.typing)
	sa.POST("/conversations/:id/viewing", a.viewing)
	sa.POST("/conversations/:id/attachments", a.idempotent(staffPosted), a.sendAttachments(staffPosted))
	sa.GET("/attachments/:id", a.getAttachment)
	sa.GET("/settings", a.staffGetSettings)
	sa.PATCH("/settings", a.staffPatchSettings)
	sa.GET("/customers", a.staffCustomers)
	sa.GET("/blocks", a.staffBlocks)
	sa.DELETE("/blocks/:id", a.staffUnblock)
	sa.GET("/audit", a.staffAudit)
	return e
}
