package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/templates"
)

// PortalPath is the customers' messages page; PortalAlias answers the
// same (the shop's older link).
const (
	PortalPath   = "/dashboard/messages"
	PortalAlias  = "/customer/communication"
	PortalAssets = "/dashboard/assets"
	maxFormBody  = 64 << 10
)

// PortalConfig configures the customer pages and the widget.
type PortalConfig struct {
	// Secure marks cookies Secure even when TLS ends at a proxy.
	Secure bool
	// WidgetOrigins are the shop origins allowed to frame /widget
	// (PARLEY_WIDGET_ORIGINS).
	WidgetOrigins []string
	// Demo serves the demo storefront at /demo/store.
	Demo bool
	Log  *slog.Logger
}

// Portal is the customers' server-rendered pages (/dashboard/messages) and
// the widget. Every rule runs in inbox; the pages work without JavaScript
// and portal.js makes them smoother.
type Portal struct {
	svc *inbox.Service
	acc *inbox.Accounts
	cfg PortalConfig
}

// NewPortal builds the customer pages.
func NewPortal(svc *inbox.Service, acc *inbox.Accounts, cfg PortalConfig) *Portal {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Portal{svc: svc, acc: acc, cfg: cfg}
}

// Register mounts the pages, their assets and the widget on r.
func (p *Portal) Register(r gin.IRouter) {
	r.GET(PortalAlias, func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, PortalPath) })
	r.GET(PortalPath, p.index)
	r.POST(PortalPath, p.form(p.start))
	r.POST(PortalPath+"/login", p.form(p.login))
	r.POST(PortalPath+"/logout", p.form(p.logout))
	r.POST(PortalPath+"/forgot", p.form(p.forgot))
	r.GET(PortalResetPath, p.resetPage)
	r.POST(PortalResetPath, p.form(p.reset))
	r.GET(PortalPath+"/:id", p.thread)
	r.POST(PortalPath+"/:id", p.form(p.reply))
	r.GET(PortalPath+"/:id/export.csv", p.export)
	r.POST(PortalPath+"/:id/attachments", p.upload)
	r.POST(PortalPath+"/:id/typing", p.form(p.typing))
	r.GET(PortalPath+"/attachments/:id", p.attachment)
	for _, name := range []string{"portal.js", "portal.css", "widget-app.js"} {
		r.GET(PortalAssets+"/"+name, asset(name))
	}
	p.registerWidget(r)
}

func asset(name string) gin.HandlerFunc {
	ct := "text/css; charset=utf-8"
	if strings.HasSuffix(name, ".js") {
		ct = "text/javascript; charset=utf-8"
	}
	return func(c *gin.Context) {
		b, err := templates.Asset(name)
		if err != nil {
			c.Status(http.StatusNotFound)
			return
		}
		c.Header("Cache-Control", "public, max-age=300")
		c.Data(http.StatusOK, ct, b)
	}
}

// page is a page in the making for the signed-in (or not) caller.
func (p *Portal) page(c *gin.Context, title string) templates.PortalPage {
	return templates.PortalPage{Title: title, Base: PortalPath, Assets: PortalAssets, CSRF: p.csrfToken(c)}
}

func (p *Portal) render(c *gin.Context, status int, name string, pg templates.PortalPage) {
	var b bytes.Buffer
	if err := templates.Portal(&b, name, pg); err != nil {
		p.cfg.Log.Error("render portal page", "page", name, "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", b.Bytes())
}

// form wraps a POST: a bounded body, same-site and token checked.
func (p *Portal) form(h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBody)
		if err := c.Request.ParseForm(); err != nil {
			pg := p.page(c, "Error")
			pg.Error = "That form was too large or malformed."
			p.render(c, http.StatusBadRequest, templates.PortalErrorTemplate, pg)
			return
		}
		if !p.sameSite(c) {
			pg := p.page(c, "Error")
			pg.Error = "This form has expired. Please reload the page and try again."
			p.render(c, http.StatusForbidden, templates.PortalErrorTemplate, pg)
			return
		}
		h(c)
	}
}

// friendly is a refusal as the pages show it, with its status and wait.
func friendly(err error) (msg string, status, retry int) {
	e := models.AsError(models.Translate(err))
	if e == nil || models.HTTPStatus(e.Code) >= 500 {
		if e != nil && e.Code == models.EUNAVAILABLE {
			return "The service is busy for a moment. Please try again in a few seconds.", http.StatusServiceUnavailable, UnavailableRetryAfter
		}
		return "Something went wrong on our side. Please try again.", http.StatusInternalServerError, 0
	}
	status = models.HTTPStatus(e.Code)
	switch e.Code {
	case models.ERATELIMITED:
		secs := max(e.RetryAfter, 1)
		return fmt.Sprintf("You are sending faster than this store allows. Please wait %d seconds, then send again — your text is kept below.", secs), status, secs
	case models.ETOOLARGE:
		return "Your message is too long: " + e.Message + ".", status, 0
	}
	m := e.Message
	if m != "" {
		m = strings.ToUpper(m[:1]) + m[1:]
		if !strings.HasSuffix(m, ".") {
			m += "."
		}
	}
	return m, status, 0
}

// index is GET /dashboard/messages: the sign-in page, or the list with the
// new-conversation form. ?identity= exchanges a shop's signed token first.
func (p *Portal) index(c *gin.Context) {
	if _, has := c.GetQuery("identity"); has {
		p.identity(c)
		return
	}
	a, _, ok := p.signedIn(c)
	if !ok {
		p.loginPage(c, http.StatusOK, "", "")
		return
	}
	p.listPage(c, a, http.StatusOK, templates.PortalList{}, "", 0)
}

func (p *Portal) loginPage(c *gin.Context, status int, email, errMsg string) {
	pg := p.page(c, "Sign in")
	pg.Error = errMsg
	pg.Login = &templates.PortalLogin{Action: PortalPath + "/login", Email: email, ForgotAction: PortalPath + "/forgot"}
	p.render(c, status, templates.PortalLoginTemplate, pg)
}

// identityLogin is what inbox.Accounts offers once signed identity (the
// ident helper's IdentityLogin) is built in: the portal uses it when the
// accounts service has it.
type identityLogin interface {
	IdentityLogin(ctx context.Context, token, ip string) (inbox.Session, models.Customer, error)
}

// identity is GET /dashboard/messages?identity=<token>: the shop's signed
// token becomes the page session, and the answer is a 303 to the page
// without the token (never kept in history, never sent as a Referer).
func (p *Portal) identity(c *gin.Context) {
	c.Header("Referrer-Policy", "no-referrer")
	il, ok := any(p.acc).(identityLogin)
	if !ok {
		c.Redirect(http.StatusSeeOther, PortalPath)
		return
	}
	s, _, err := il.IdentityLogin(c.Request.Context(), c.Query("identity"), c.ClientIP())
	if err != nil {
		msg, status, _ := friendly(err)
		if models.ErrorCode(err) == models.EUNAUTHORIZED {
			msg = "That sign-in link has expired or was already used. Please sign in again from the shop."
		}
		p.loginPage(c, status, "", msg)
		return
	}
	p.setSession(c, s.Token, s.ExpiresAt)
	c.Redirect(http.StatusSeeOther, PortalPath)
}

// login is POST /dashboard/messages/login.
func (p *Portal) login(c *gin.Context) {
	email := strings.TrimSpace(c.Request.PostFormValue("email"))
	s, err := p.acc.CustomerLogin(c.Request.Context(), email, c.Request.PostFormValue("password"), c.ClientIP())
	if err != nil {
		msg, status, _ := friendly(err)
		if models.ErrorCode(err) == models.EUNAUTHORIZED {
			msg = "That e-mail and password do not match an account."
		}
		p.loginPage(c, status, email, msg)
		return
	}
	p.setSession(c, s.Token, s.ExpiresAt)
	c.Redirect(http.StatusSeeOther, PortalPath)
}

// logout is POST /dashboard/messages/logout: the token is revoked.
func (p *Portal) logout(c *gin.Context) {
	if _, tok, ok := p.signedIn(c); ok {
		_ = p.acc.Logout(c.Request.Context(), tok)
	}
	p.setCookie(c, sessionCookie, "", -1)
	c.Redirect(http.StatusSeeOther, PortalPath)
}

func (p *Portal) header(c *gin.Context, a models.Actor, title string) templates.PortalPage {
	pg := p.page(c, title)
	pg.Customer, pg.IsGuest = a.Name, a.Kind == models.ActorGuest
	if cu, err := p.acc.Me(c.Request.Context(), a); err == nil {
		pg.Customer = cu.Name
		if pg.Customer == "" {
			pg.Customer = cu.Email
		}
	}
	if pg.Customer == "" {
		pg.Customer = "Guest"
	}
	return pg
}

func (p *Portal) listPage(c *gin.Context, a models.Actor, status int, form templates.PortalList, errMsg string, retry int) {
	ctx := c.Request.Context()
	pg := p.header(c, a, "Your messages")
	pg.Error, pg.RetryAfter = errMsg, retry
	list := form
	list.NewAction, list.LogoutAction = PortalPath, PortalPath+"/logout"
	st, err := p.svc.PageSettings(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	// Keyset paging: ?cursor= continues after the last row of the page
	// before (the list's own opaque cursor), so a customer with more than a
	// page of conversations reaches every one of them.
	cursor := ""
	if c.Request.Method == http.MethodGet {
		cursor = c.Query("cursor")
	}
	page, err := p.svc.List(ctx, a, models.ConversationFilter{Limit: inbox.MaxPageSize, Cursor: cursor})
	if err != nil {
		p.fail(c, err)
		return
	}
	if page.NextCursor != "" {
		list.OlderURL = PortalPath + "?cursor=" + url.QueryEscape(page.NextCursor)
	}
	if cursor != "" {
		list.NewestURL = PortalPath
	}
	loc := st.Location()
	for _, cv := range page.Items {
		list.Conversations = append(list.Conversations, templates.PortalConversation{
			URL: PortalPath + "/" + strconv.FormatInt(cv.ID, 10), Subject: cv.Subject, Status: cv.PublicStatus().Label(),
			Preview: cv.PublicPreview, LastActivity: when(cv.PublicLastAt, loc), LastActivityISO: cv.PublicLastAt.UTC().Format(time.RFC3339),
			Unread: !cv.IsReadByUser,
		})
	}
	orders, err := p.svc.OwnOrders(ctx, a)
	if err != nil {
		p.fail(c, err)
		return
	}
	for _, o := range orders {
		list.Orders = append(list.Orders, templates.PortalOrder{ID: o.ID,
			Label: fmt.Sprintf("%s · %s · %s", o.Number, money(o.TotalCents, o.Currency), o.CreatedAt.In(loc).Format("2 Jan 2006"))})
	}
	cons, err := p.svc.ConsentFor(ctx, a, models.ChannelPortal)
	if err != nil {
		p.fail(c, err)
		return
	}
	if cons.Required {
		list.Consent = &templates.PortalConsent{Text: cons.Text, URL: cons.URL}
	}
	list.ChatOff = !st.EnableCustomerChat
	list.Retention = retentionNotice(st.RetentionDays)
	list.Quota = p.quota(ctx, a, true)
	pg.List = &list
	p.render(c, status, templates.PortalListTemplate, pg)
}

// quota previews the R11 limits from the server's own counts.
func (p *Portal) quota(ctx context.Context, a models.Actor, start bool) string {
	q, err := p.svc.Quota(ctx, a)
	if err != nil || !q.Known {
		return ""
	}
	plural := func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	}
	msgs := fmt.Sprintf("%d more %s this minute.", q.Messages, plural(q.Messages, "message", "messages"))
	if start {
		return fmt.Sprintf("You can start %d more %s and send %s", q.Conversations,
			plural(q.Conversations, "conversation", "conversations"), msgs)
	}
	return "You can send " + msgs
}

func retentionNotice(days int) string {
	if days <= 0 {
		return ""
	}
	return fmt.Sprintf("This store keeps messages for %d days; older messages are deleted.", days)
}

func money(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, cents/100, cents%100, currency)
}

func when(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2 Jan 2006, 15:04 MST")
}

// fail renders an unexpected failure (or a refusal) as a page.
func (p *Portal) fail(c *gin.Context, err error) {
	msg, status, retry := friendly(err)
	if status >= 500 {
		p.cfg.Log.Error("portal", "path", c.Request.URL.Path, "err", err)
	}
	if status == http.StatusNotFound {
		msg = "This conversation does not exist."
	}
	pg := p.page(c, "Error")
	pg.Error, pg.RetryAfter = msg, retry
	p.render(c, status, templates.PortalErrorTemplate, pg)
}

// start is POST /dashboard/messages: a new conversation.
func (p *Portal) start(c *gin.Context) {
	a, _, ok := p.signedIn(c)
	if !ok {
		c.Redirect(http.StatusSeeOther, PortalPath)
		return
	}
	f := c.Request.PostForm
	in := inbox.StartInput{Subject: f.Get("subject"), Body: formText(f.Get("body")), Channel: models.ChannelPortal,
		AcceptConsent: f.Get("accept_consent") == "yes"}
	form := templates.PortalList{Subject: in.Subject, Body: in.Body}
	if raw := f.Get("order_id"); raw != "" {
		id, ok := models.ParseID(raw)
		if !ok {
			p.listPage(c, a, http.StatusBadRequest, form, "Please pick one of your orders, or no order.", 0)
			return
		}
		in.OrderID, form.OrderID = &id, id
	}
	conv, _, err := p.svc.Start(c.Request.Context(), a, in)
	if err != nil {
		msg, status, retry := friendly(err)
		if status >= 500 {
			p.cfg.Log.Error("portal start", "err", err)
		}
		if e := models.AsError(err); e != nil && e.Message == inbox.MsgConsentRequired {
			msg = "Please accept the privacy notice to start a conversation."
		}
		p.listPage(c, a, status, form, msg, retry)
		return
	}
	c.Redirect(http.StatusSeeOther, PortalPath+"/"+strconv.FormatInt(conv.ID, 10))
}

// formText turns a textarea's CRLF line ends into the \n Parley stores.
func formText(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// conversationRequest reads a request about one of the signed-in
// customer's conversations: signed out goes to the sign-in page, an id that
// is not a plain decimal is a not-found page.
func (p *Portal) conversationRequest(c *gin.Context) (models.Actor, int64, bool) {
	a, _, ok := p.signedIn(c)
	if !ok {
		c.Redirect(http.StatusSeeOther, PortalPath)
		return a, 0, false
	}
	id, ok := models.ParseID(c.Param("id"))
	if !ok {
		p.fail(c, models.NotFound("conversation", 0))
		return a, 0, false
	}
	return a, id, true
}

// thread is GET /dashboard/messages/{id}[?before=cursor]: the newest
// messages (marking the thread read, R1), or an older run.
func (p *Portal) thread(c *gin.Context) {
	a, id, ok := p.conversationRequest(c)
	if !ok {
		return
	}
	p.threadPage(c, a, id, c.Query("before"), http.StatusOK, "", "", 0)
}

func (p *Portal) threadPage(c *gin.Context, a models.Actor, id int64, before string, status int, draft, errMsg string, retry int) {
	ctx := c.Request.Context()
	var conv models.Conversation
	var pg inbox.Page
	var err error
	if before != "" {
		if conv, err = p.svc.Get(ctx, a, id); err == nil {
			pg, err = p.svc.History(ctx, a, id, before)
		}
	} else {
		conv, pg, err = p.svc.OpenRecent(ctx, a, id)
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	st, err := p.svc.PageSettings(ctx)
	if err != nil {
		p.fail(c, err)
		return
	}
	loc := st.Location()
	base := PortalPath + "/" + strconv.FormatInt(id, 10)
	th := templates.PortalThread{Subject: conv.Subject, Status: conv.PublicStatus().Label(), BackURL: PortalPath,
		PostAction: base, AttachAction: base + "/attachments", Draft: draft, ChatOff: !st.EnableCustomerChat, LogoutAction: PortalPath + "/logout",
		Retention: retentionNotice(st.RetentionDays)}
	if a.Kind == models.ActorCustomer {
		th.ExportURL = base + "/export.csv"
	}
	if conv.OrderID != nil {
		if orders, err := p.svc.OwnOrders(ctx, a); err == nil {
			for _, o := range orders {
				if o.ID == *conv.OrderID {
					th.Order = o.Number
				}
			}
		}
	}
	if pg.Older != "" {
		th.OlderURL = base + "?before=" + url.QueryEscape(pg.Older)
	}
	if before != "" {
		th.NewerURL = base
	}
	var lastMine bool
	for _, m := range pg.Messages {
		mine := m.AuthorType == a.Kind && m.AuthorID != nil && *m.AuthorID == a.ID
		author := m.AuthorName
		switch {
		case mine:
			author = "You"
		case m.AuthorType == models.ActorStaff:
			author = m.AuthorName + " (store)"
		}
		pm := templates.PortalMessage{ID: m.ID, Mine: mine, Event: m.Kind == models.KindSystem,
			Author: author, Body: m.Body, Time: when(m.CreatedAt, loc), TimeISO: m.CreatedAt.UTC().Format(time.RFC3339)}
		for _, at := range m.Attachments {
			pm.Attachments = append(pm.Attachments, templates.AttachmentView{URL: PortalPath + "/attachments/" + strconv.FormatInt(at.ID, 10),
				MediaType: at.MediaType, Filename: at.Filename, SizeBytes: at.SizeBytes, DurationMS: at.DurationMS})
		}
		th.Messages = append(th.Messages, pm)
		if m.Kind == models.KindReply {
			lastMine = mine
		}
	}
	th.Seen = lastMine && conv.IsReadByAdmin && before == ""
	if days, near, err := p.svc.NearCutoff(ctx, a, id); err == nil && near {
		th.NearCut = fmt.Sprintf("Some messages here are close to this store's %d-day limit and will be deleted soon. Download a copy if you need them.", days)
	}
	th.Quota = p.quota(ctx, a, false)
	page := p.header(c, a, conv.Subject)
	page.Error, page.RetryAfter = errMsg, retry
	page.Thread = &th
	p.render(c, status, templates.PortalThreadTemplate, page)
}

// reply is POST /dashboard/messages/{id}: a reply; a refusal shows in
// place with the draft kept.
// typing is POST /dashboard/messages/{id}/typing (portal.js, as the
// customer writes): the conversation's staff are told; 204.
func (p *Portal) typing(c *gin.Context) {
	a, id, ok := p.conversationRequest(c)
	if !ok {
		return
	}
	if _, err := p.svc.ReportTyping(c.Request.Context(), a, id, false); err != nil {
		p.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (p *Portal) reply(c *gin.Context) {
	a, id, ok := p.conversationRequest(c)
	if !ok {
		return
	}
	body := formText(c.Request.PostFormValue("body"))
	_, landed, err := p.svc.Send(c.Request.Context(), a, id, models.KindReply, body)
	if err != nil {
		if models.ErrorCode(err) == models.ENOTFOUND {
			p.fail(c, err)
			return
		}
		msg, status, retry := friendly(err)
		if status >= 500 {
			p.cfg.Log.Error("portal reply", "err", err)
		}
		p.threadPage(c, a, id, "", status, body, msg, retry)
		return
	}
	c.Redirect(http.StatusSeeOther, PortalPath+"/"+strconv.FormatInt(landed.ID, 10)+"#send-form")
}

// export is GET /dashboard/messages/{id}/export.csv (R15; never guests).
func (p *Portal) export(c *gin.Context) {
	a, id, ok := p.conversationRequest(c)
	if !ok {
		return
	}
	WriteExport(c, p.svc, a, id, p.fail)
}
