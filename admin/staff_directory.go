package admin

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
	"github.com/parleyhq/parley/templates"
)

// The plain tables of the back office, Parley pages inside GoAdmin's layout
// (read-only; the only writes — starting a conversation, unblocking — go
// through inbox): customers (chat admins and up), orders, blocks, and the
// audit log (admins and up).
const (
	CustomersPath = "/admin/customers"
	MessagePath   = "/admin/customers/message"
	OrdersPath    = "/admin/orders"
	BlocksPath    = "/admin/blocks"
	UnblockPath   = "/admin/blocks/unblock"
	AuditPath     = "/admin/audit"
)

const dateTime = "2006-01-02 15:04"

// pageWith renders a directory page, or Parley's error panel.
func (g *guard) pageWith(c *gin.Context, title string, p templates.DirectoryPage) types.Panel {
	desc := map[string]string{"Customers": "Search, and start a conversation", "Orders": "Read-only",
		"Blocks": "Who cannot write to you", "Audit log": "Every back-office action"}[title]
	content, err := templates.Directory(p)
	if err != nil {
		g.log.Error("render "+title, "err", err)
		c.Set(ctxStatus, http.StatusInternalServerError)
		return g.errorPanel("This page could not be shown. Please try again.")
	}
	return types.Panel{Title: template.HTML(title), Description: template.HTML(html.EscapeString(desc)), Content: content}
}

// refused turns a service error into the page's message and status.
func (g *guard) refused(c *gin.Context, what string, err error) string {
	e := models.AsError(err)
	if e == nil || e.Code == models.EINTERNAL {
		g.log.Error(what, "err", err)
		c.Set(ctxStatus, http.StatusInternalServerError)
		return "Something went wrong; please try again."
	}
	c.Set(ctxStatus, models.HTTPStatus(e.Code))
	return e.Message
}

// cursorOf reads the page cursor of a plain table; a bad one is the first page.
func cursorOf(q url.Values) int64 {
	id, _ := models.ParseID(q.Get("cursor"))
	return id
}

func withCursor(path string, q url.Values, last int64) string {
	v := url.Values{}
	for k, vs := range q {
		if k != "cursor" && k != "message" && len(vs) > 0 && vs[0] != "" {
			v.Set(k, vs[0])
		}
	}
	v.Set("cursor", strconv.FormatInt(last, 10))
	return path + "?" + v.Encode()
}

// customers is GET /admin/customers?q=&cursor=&message=: the directory, and
// with message=<id> the form that starts a conversation with that customer.
func (g *guard) customers(c *gin.Context) (types.Panel, error) {
	return g.customersPanel(c, nil, "", ""), nil
}

func (g *guard) customersPanel(c *gin.Context, compose *templates.ComposeForm, notice, errMsg string) types.Panel {
	ctx := c.Request.Context()
	a, _ := tables.ActorFrom(ctx)
	q := c.Request.URL.Query()
	text := strings.TrimSpace(q.Get("q"))
	p := templates.DirectoryPage{Class: "parley-customers", FilterAction: CustomersPath, Notice: notice, Error: errMsg,
		Filters: []templates.DirectoryFilter{{Name: "q", Label: "Name, e-mail or order number", Value: text, Placeholder: "e.g. alice or ORD-1001"}},
		Columns: []string{"Name", "E-mail", "Kind", "Since", ""}, Empty: "No customer matches."}
	if compose == nil {
		if id, ok := models.ParseID(q.Get("message")); ok {
			cu, err := g.svc.DirectoryCustomer(ctx, a, id)
			if err != nil {
				p.Error = g.refused(c, "customer", err)
			} else {
				compose = &templates.ComposeForm{CustomerID: cu.ID, CustomerName: cu.Name, CustomerEmail: cu.Email}
			}
		}
	}
	if compose != nil {
		compose.Action = MessagePath
		p.Compose = compose
	}
	loc := g.storeZone(ctx)
	list, err := g.svc.CustomerSearch(ctx, a, text, cursorOf(q))
	if err != nil {
		p.Error = g.refused(c, "customers", err)
		return g.pageWith(c, "Customers", p)
	}
	for _, cu := range list {
		kind := "Registered"
		if cu.IsGuest {
			kind = "Guest"
		}
		name := cu.Name
		if name == "" {
			name = "(no name)"
		}
		p.Rows = append(p.Rows, templates.DirectoryRow{ID: cu.ID, Cells: []templates.DirectoryCell{
			{Text: name, Class: "customer-name", Link: OrdersPath + "?customer=" + strconv.FormatInt(cu.ID, 10)},
			{Text: cu.Email, Class: "customer-email"},
			{Text: kind},
			{Text: cu.CreatedAt.In(loc).Format("2006-01-02")},
			{Text: "Message", Class: "customer-message", Button: true, Link: CustomersPath + "?" + url.Values{"q": {text}, "message": {strconv.FormatInt(cu.ID, 10)}}.Encode()},
		}})
	}
	if text != "" {
		if len(list) == models.DirectoryPageSize {
			p.Note = fmt.Sprintf("Showing the first %d matches: type more to narrow the search.", models.DirectoryPageSize)
		}
	} else if len(list) == models.DirectoryPageSize {
		p.Next = withCursor(CustomersPath, q, list[len(list)-1].ID)
	}
	return g.pageWith(c, "Customers", p)
}

// message is POST /admin/customers/message: staff start a conversation
// with a customer (R5); the page then links to it.
func (g *guard) message(c *gin.Context) (types.Panel, error) {
	ctx := c.Request.Context()
	a, _ := tables.ActorFrom(ctx)
	f := c.Request.PostForm
	id, _ := models.ParseID(f.Get("customer_id"))
	compose := &templates.ComposeForm{CustomerID: id, Subject: f.Get("subject"), Body: f.Get("body")}
	conv, _, err := g.svc.Start(ctx, a, inbox.StartInput{CustomerID: id, Subject: f.Get("subject"), Body: f.Get("body")})
	if err != nil {
		if cu, cerr := g.svc.DirectoryCustomer(ctx, a, id); cerr == nil {
			compose.CustomerName, compose.CustomerEmail = cu.Name, cu.Email
		}
		return g.customersPanel(c, compose, "", g.refused(c, "start conversation", err)), nil
	}
	p := g.customersPanel(c, nil, "", "")
	p.Content = `<div class="alert alert-success parley-notice" role="status">Conversation started; it waits for the customer's answer. ` +
		`<a class="parley-open-thread" href="` + template.HTML(html.EscapeString(tables.EditPath(conv.ID))) + `">Open it</a></div>` + p.Content
	return p, nil
}

// orders is GET /admin/orders?number=&customer=&cursor= (read-only).
func (g *guard) orders(c *gin.Context) (types.Panel, error) {
	ctx := c.Request.Context()
	a, _ := tables.ActorFrom(ctx)
	q := c.Request.URL.Query()
	number := strings.TrimSpace(q.Get("number"))
	customer, _ := models.ParseID(q.Get("customer"))
	p := templates.DirectoryPage{Class: "parley-orders", FilterAction: OrdersPath,
		Filters: []templates.DirectoryFilter{{Name: "number", Label: "Order number", Value: number, Placeholder: "e.g. ORD-1001"}},
		Columns: []string{"Number", "Customer", "Status", "Total", "Placed"}, Empty: "No order matches."}
	if customer > 0 {
		p.Filters = append(p.Filters, templates.DirectoryFilter{Name: "customer", Label: "Customer id", Value: strconv.FormatInt(customer, 10)})
	}
	loc := g.storeZone(ctx)
	list, err := g.svc.Orders(ctx, a, number, customer, cursorOf(q))
	if err != nil {
		p.Error = g.refused(c, "orders", err)
		return g.pageWith(c, "Orders", p), nil
	}
	for _, o := range list {
		p.Rows = append(p.Rows, templates.DirectoryRow{ID: o.ID, Cells: []templates.DirectoryCell{
			{Text: o.Number, Class: "order-number"},
			{Text: strings.TrimSpace(o.CustomerName + " " + o.CustomerEmail), Class: "order-customer"},
			{Text: o.Status},
			{Text: fmt.Sprintf("%d.%02d %s", o.TotalCents/100, o.TotalCents%100, o.Currency)},
			{Text: inZone(o.CreatedAt, loc, dateTime)},
		}})
	}
	if len(list) == models.DirectoryPageSize {
		p.Next = withCursor(OrdersPath, q, list[len(list)-1].ID)
	}
	return g.pageWith(c, "Orders", p), nil
}

// blocks is GET /admin/blocks?cursor=.
func (g *guard) blocks(c *gin.Context) (types.Panel, error) {
	return g.blocksPanel(c, "", ""), nil
}

func (g *guard) blocksPanel(c *gin.Context, notice, errMsg string) types.Panel {
	ctx := c.Request.Context()
	a, _ := tables.ActorFrom(ctx)
	q := c.Request.URL.Query()
	p := templates.DirectoryPage{Class: "parley-blocks", Notice: notice, Error: errMsg,
		Columns: []string{"Blocked", "Reason", "By", "Since", ""}, Empty: "Nobody is blocked."}
	loc := g.storeZone(ctx)
	list, err := g.svc.Blocks(ctx, a, cursorOf(q))
	if err != nil {
		p.Error = g.refused(c, "blocks", err)
		return g.pageWith(c, "Blocks", p)
	}
	for _, b := range list {
		var who []string
		if b.CustomerID != nil {
			who = append(who, strings.TrimSpace(b.CustomerName+" "+b.CustomerEmail))
		}
		if b.Email != "" {
			who = append(who, "e-mail "+b.Email)
		}
		if b.IP != "" {
			who = append(who, "address "+b.IP)
		}
		p.Rows = append(p.Rows, templates.DirectoryRow{ID: b.ID, Cells: []templates.DirectoryCell{
			{Text: strings.Join(who, ", "), Class: "block-who"},
			{Text: b.Reason, Class: "block-reason"},
			{Text: b.CreatedByName},
			{Text: inZone(b.CreatedAt, loc, dateTime)},
			{Form: &templates.CellForm{Action: UnblockPath, Button: "Unblock", Class: "btn-default parley-unblock",
				Confirm: "Unblock? They can write to you again.", Fields: []templates.HiddenField{{Name: "id", Value: strconv.FormatInt(b.ID, 10)}}}},
		}})
	}
	if len(list) == models.DirectoryPageSize {
		p.Next = withCursor(BlocksPath, q, list[len(list)-1].ID)
	}
	return g.pageWith(c, "Blocks", p)
}

// unblock is POST /admin/blocks/unblock (R13, audited by the service).
func (g *guard) unblock(c *gin.Context) (types.Panel, error) {
	a, _ := tables.ActorFrom(c.Request.Context())
	id, _ := models.ParseID(c.Request.PostForm.Get("id"))
	if err := g.svc.Unblock(c.Request.Context(), a, id); err != nil {
		msg := g.refused(c, "unblock", err)
		return g.blocksPanel(c, "", msg), nil
	}
	return g.blocksPanel(c, "Unblocked. They can write to you again.", ""), nil
}

// audit is GET /admin/audit?actor=&action=&target=&from=&to=&cursor=.
func (g *guard) audit(c *gin.Context) (types.Panel, error) {
	ctx := c.Request.Context()
	a, _ := tables.ActorFrom(ctx)
	q := c.Request.URL.Query()
	f := models.AuditFilter{Actor: strings.TrimSpace(q.Get("actor")), Action: q.Get("action"), Before: cursorOf(q)}
	target := strings.TrimSpace(q.Get("target"))
	p := templates.DirectoryPage{Class: "parley-audit", FilterAction: AuditPath,
		Columns: []string{"When (" + zoneLabel(g.storeZone(ctx)) + ")", "Who", "Action", "Target", "Before", "After"}, Empty: "No entry matches."}
	var bad []string
	if target != "" {
		typ, id, hasID := strings.Cut(target, ":")
		f.SubjectType = typ
		if hasID {
			n, ok := models.ParseID(id)
			if !ok {
				bad = append(bad, "the target must be a type or type:id, e.g. conversation:42")
			}
			f.SubjectID = n
		}
	}
	for _, d := range []struct {
		key  string
		dst  *time.Time
		days int
	}{{"from", &f.From, 0}, {"to", &f.To, 1}} {
		if s := q.Get(d.key); s != "" {
			t, err := time.Parse("2006-01-02", s)
			if err != nil {
				bad = append(bad, "dates are YYYY-MM-DD")
				continue
			}
			*d.dst = t.AddDate(0, 0, d.days) // "to" includes its day
		}
	}
	actions, err := g.svc.AuditActions(ctx, a)
	if err != nil {
		p.Error = g.refused(c, "audit actions", err)
		return g.pageWith(c, "Audit log", p), nil
	}
	var opts []templates.RoleOption
	for _, act := range actions {
		opts = append(opts, templates.RoleOption{Value: act, Title: act, Selected: act == f.Action})
	}
	p.Filters = []templates.DirectoryFilter{
		{Name: "actor", Label: "Who", Value: f.Actor, Placeholder: "username"},
		{Name: "action", Label: "Action", Type: "select", Options: opts},
		{Name: "target", Label: "Target", Value: target, Placeholder: "e.g. conversation:42"},
		{Name: "from", Label: "From", Type: "date", Value: q.Get("from")},
		{Name: "to", Label: "To", Type: "date", Value: q.Get("to")},
	}
	if len(bad) > 0 {
		c.Set(ctxStatus, http.StatusBadRequest)
		p.Error = strings.Join(bad, "; ")
		return g.pageWith(c, "Audit log", p), nil
	}
	loc := g.storeZone(ctx)
	list, err := g.svc.Audit(ctx, a, f)
	if err != nil {
		p.Error = g.refused(c, "audit", err)
		return g.pageWith(c, "Audit log", p), nil
	}
	for _, e := range list {
		who := e.ActorName
		if who == "" {
			who = string(e.ActorType)
		}
		tgt := e.SubjectType
		if e.SubjectID != 0 {
			tgt += ":" + strconv.FormatInt(e.SubjectID, 10)
		}
		p.Rows = append(p.Rows, templates.DirectoryRow{ID: e.ID, Cells: []templates.DirectoryCell{
			{Text: inZone(e.CreatedAt, loc, "2006-01-02 15:04:05")},
			{Text: who, Class: "audit-actor"},
			{Text: e.Action, Class: "audit-action"},
			{Text: tgt, Class: "audit-target"},
			{Text: e.Before, Code: true, Class: "audit-before"},
			{Text: e.After, Code: true, Class: "audit-after"},
		}})
	}
	if len(list) == models.DirectoryPageSize {
		p.Next = withCursor(AuditPath, q, list[len(list)-1].ID)
	}
	return g.pageWith(c, "Audit log", p), nil
}
