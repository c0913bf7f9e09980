package tables

import (
	"fmt"
	"html"
	"html/template"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/GoAdminGroup/go-admin/context"
	"github.com/GoAdminGroup/go-admin/modules/db"
	"github.com/GoAdminGroup/go-admin/plugins/admin/modules/parameter"
	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/GoAdminGroup/go-admin/template/types/form"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// Filter fields of the list whose GoAdmin names differ from the list
// parameters (models.Param*): GoAdmin names a date range's ends
// <field>_start__goadmin / <field>_end__goadmin and a multiple select
// <field>[].
const (
	fieldCreated  = "created_at"
	fieldActivity = "last_message_at"
	rangeStart    = parameter.FilterRangeParamStartSuffix
	rangeEnd      = parameter.FilterRangeParamEndSuffix
)

var goadminNames = map[string]string{
	models.ParamStatus + "[]":  models.ParamStatus,
	fieldCreated + rangeStart:  models.ParamCreatedFrom,
	fieldCreated + rangeEnd:    models.ParamCreatedTo,
	fieldActivity + rangeStart: models.ParamActivityFrom,
	fieldActivity + rangeEnd:   models.ParamActivityTo,
}

// listQuery turns the list page's query string into list parameters:
// GoAdmin's own keys (__page, __sort, _pjax, …) are dropped, its range and
// multiple-select names renamed, empty values dropped.
func listQuery(raw url.Values) url.Values {
	out := url.Values{}
	for k, vs := range raw {
		if strings.HasPrefix(k, "__") || k == parameter.Pjax {
			continue
		}
		if n, ok := goadminNames[k]; ok {
			k = n
		}
		for _, v := range vs {
			if v = strings.TrimSpace(v); v != "" {
				out.Add(k, v)
			}
		}
	}
	return out
}

// parseList reads the list request: the filter, or the message that says
// what is wrong with it (shown in the page, item "wrong input gets a
// message").
func parseList(ctx *context.Context, me int64) (models.ConversationFilter, string) {
	f, err := models.ParseConversationQuery(listQuery(ctx.Request.URL.Query()),
		models.QueryOptions{Staff: true, Me: me, MaxLimit: inbox.MaxPageSize})
	if err != nil {
		if e := models.AsError(err); e != nil {
			return f, e.Message
		}
		return f, "invalid filter"
	}
	return f, ""
}

// The list's cells are written by hand, 25 rows × 3 cells per page (they
// were html/template snippets, a tenth of a list page's CPU); every value
// goes through template.HTMLEscapeString, in text or in a double-quoted
// attribute. TestListCellsEscape holds them to the html/template snippets
// they replace.
func customerCell(c models.Conversation, online bool) template.HTML {
	dot := ` hidden`
	if online {
		dot = ``
	}
	return template.HTML(`<span class="conv-customer">` + template.HTMLEscapeString(c.CustomerName) + `</span> ` +
		`<span class="conv-online text-success" data-customer="` + strconv.FormatInt(c.CustomerID, 10) +
		`" title="Has a page of the store open" aria-label="online"` + dot + `><i class="fa fa-circle" aria-hidden="true"></i></span>` +
		`<br><small class="text-muted conv-email">` + template.HTMLEscapeString(c.CustomerEmail) + `</small>`)
}

func subjectCell(c models.Conversation) template.HTML {
	var b strings.Builder
	class := "conv-subject"
	if !c.IsReadByAdmin {
		b.WriteString(`<span class="badge bg-red unread" title="Unread">new</span> `)
		class += " conv-unread"
	}
	b.WriteString(`<a class="` + class + `" href="/admin/info/conversation/edit?__goadmin_edit_pk=` + strconv.FormatInt(c.ID, 10) + `">`)
	b.WriteString(template.HTMLEscapeString(c.Subject) + `</a>`)
	if c.LastPreview != "" {
		b.WriteString(`<br><small class="text-muted conv-preview">` + template.HTMLEscapeString(c.LastPreview) + `</small>`)
	}
	return template.HTML(b.String())
}

func activityCell(c models.Conversation) template.HTML {
	return template.HTML(`<span class="conv-activity" title="` + template.HTMLEscapeString(c.LastMessageAt.Format("2006-01-02 15:04:05 MST")) + `">` +
		template.HTMLEscapeString(c.LastMessageAt.Format("2006-01-02 15:04")) + `</span>`)
}

// Every snippet below is html/template: data is escaped, never trusted.
var (
	listErrorTmpl = template.Must(template.New("error").Parse(
		`<div class="callout callout-danger conv-filter-error" role="alert" style="margin:10px"><p><strong>This filter cannot be used:</strong> {{.}}</p>` +
			`<p><a href="/admin/info/conversation">Show the whole inbox</a></p></div>`))
	listFilteredTmpl = template.Must(template.New("filtered").Parse(
		`<p class="conv-filtered text-muted" style="margin:6px 10px"><i class="fa fa-filter"></i> Filtered list · <a href="{{.}}">show all conversations</a></p>`))
	listPagerTmpl = template.Must(template.New("pager").Parse(
		`<div class="conv-pager" style="display:flex;flex-wrap:wrap;gap:8px;align-items:center;justify-content:space-between;padding:8px 0">` +
			`<span class="conv-count text-muted">{{.Summary}}</span>` +
			`<span class="btn-group">` +
			`{{if .First}}<a class="btn btn-default btn-sm conv-first" href="{{.First}}">« Newest</a>{{end}}` +
			`{{if .Prev}}<a class="btn btn-default btn-sm conv-prev" href="{{.Prev}}">‹ Newer</a>{{end}}` +
			`{{if .Next}}<a class="btn btn-default btn-sm conv-next" href="{{.Next}}">Older ›</a>{{end}}` +
			`</span></div>`))
)

// listCSS keeps the inbox readable from 390 px up: headers never wrap
// into one another, words never break mid-way (long ones scroll with the
// table instead), the preview is one clipped line. GoAdmin's numbered
// paginator and its "showing 1 to 25 of N" give way to Parley's pager
// (keyset: there are no page numbers); its page-size menu stays.
const listCSS = `.box-body table.table { min-width: 100% !important; }
.box-body table.table th { white-space: nowrap; }
.box-body table.table td { word-break: normal; overflow-wrap: normal; vertical-align: top; }
.box-body table.table td .conv-subject { display: inline-block; min-width: 10em; max-width: 28em; }
.box-body table.table td .conv-unread { font-weight: bold; }
.box-body table.table td .conv-preview { display: inline-block; max-width: 22em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; }
.box-body table.table td .conv-email { white-space: nowrap; }
.box-body table.table td .conv-activity, .box-body table.table td .conv-status, .box-body table.table td .conv-order { white-space: nowrap; }
.box-footer > div[style*="margin-top"], .box-footer > ul.pagination { display: none; }
@media (max-width: 480px) { .box-body table.table td .conv-preview { max-width: 14em; } .conv-pager .btn { padding: 6px 10px; } }`

func (c *conversationTable) info(ctx *context.Context, info *types.InfoPanel) {
	c.infoPanel = info
	a, err := c.actor(ctx)
	if err == nil {
		c.names = c.staffNames(a)
		c.filter, c.filterErr = parseList(ctx, a.ID)
	}
	info.SetTable("conversations").SetTitle("Inbox").SetDescription("Conversations you can see")
	info.SetSortField("last_message_at").SetSortDesc().SetDefaultPageSize(DefaultPageSize).SetPageSizeList(PageSizes())
	// The filter area opens with the Filter button; opened by default its
	// widgets (select2, date pickers) shift the rows while they start.
	info.HideNewButton().HideExportButton().HideDetailButton().HideEditButton().HideDeleteButton().HidePagination().HideFilterArea()
	info.AddCSS(template.CSS(listCSS))
	switch {
	case c.filterErr != "":
		info.SetHeaderHtml(render(listErrorTmpl, c.filterErr))
	case c.filterActive():
		info.SetHeaderHtml(render(listFilteredTmpl, c.ctx.Request.URL.Path))
	}

	// Filter-only fields (hidden from the table, first in the filter area).
	info.AddField("Search", models.ParamQuery, db.Varchar).FieldHideForList().
		FieldFilterable(types.FilterType{FormType: form.Text, Head: "Search", Placeholder: "words in subjects, messages and notes"})
	info.AddField("Unread", FilterUnread, db.Varchar).FieldHideForList().
		FieldFilterable(types.FilterType{FormType: form.SelectSingle, Placeholder: "Read or unread"}).
		FieldFilterOptions(types.FieldOptions{{Value: "true", Text: "Unread"}, {Value: "false", Text: "Read"}})
	info.AddField("ID", "id", db.Int).FieldDisplay(func(v types.FieldModel) interface{} {
		return template.HTML(html.EscapeString(v.ID))
	})
	info.AddField("Customer", models.ParamCustomer, db.Varchar).
		FieldFilterable(types.FilterType{FormType: form.Text, Head: "Customer", Placeholder: "name or e-mail"}).
		FieldDisplay(func(v types.FieldModel) interface{} {
			conv, _ := v.Row["conv"].(models.Conversation)
			online, _ := v.Row["online"].(bool)
			return customerCell(conv, online)
		})
	info.AddField("Subject", "subject", db.Varchar).FieldDisplay(func(v types.FieldModel) interface{} {
		conv, _ := v.Row["conv"].(models.Conversation)
		return subjectCell(conv)
	})
	info.AddField("Order", models.ParamOrderNumber, db.Varchar).
		FieldFilterable(types.FilterType{FormType: form.Text, Head: "Order number", Placeholder: "e.g. PO-1001"}).
		FieldDisplay(func(v types.FieldModel) interface{} {
			if v.Value == "" {
				return template.HTML(`<span class="text-muted">—</span>`)
			}
			return template.HTML(`<span class="conv-order">` + html.EscapeString(v.Value) + `</span>`)
		})
	statusOpts := types.FieldOptions{}
	for _, s := range models.Statuses {
		statusOpts = append(statusOpts, types.FieldOption{Value: string(s), Text: s.Label()})
	}
	info.AddField("Status", FilterStatus, db.Varchar).
		FieldFilterable(types.FilterType{FormType: form.Select, Placeholder: "Any status"}).FieldFilterOptions(statusOpts).
		FieldDisplay(func(v types.FieldModel) interface{} {
			conv, _ := v.Row["conv"].(models.Conversation)
			return statusLabel(conv.Status)
		})
	assignOpts := types.FieldOptions{{Value: "me", Text: "Me"}, {Value: "none", Text: "Nobody"}, {Value: "anyone", Text: "Anyone"}}
	ids := make([]int64, 0, len(c.names))
	for id := range c.names {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return c.names[ids[i]] < c.names[ids[j]] })
	for _, id := range ids {
		assignOpts = append(assignOpts, types.FieldOption{Value: strconv.FormatInt(id, 10), Text: c.names[id]})
	}
	info.AddField("Assigned to", FilterAssigned, db.Varchar).
		FieldFilterable(types.FilterType{FormType: form.SelectSingle, Placeholder: "Anyone"}).FieldFilterOptions(assignOpts).
		FieldDisplay(func(v types.FieldModel) interface{} {
			if v.Value == "" {
				return template.HTML(`<span class="text-muted">nobody</span>`)
			}
			return template.HTML(html.EscapeString(v.Value))
		})
	info.AddField("Last activity", fieldActivity, db.Datetime).FieldSortable().
		FieldFilterable(types.FilterType{FormType: form.DateRange, Head: "Last activity", Placeholder: "date"}).
		FieldDisplay(func(v types.FieldModel) interface{} {
			conv, _ := v.Row["conv"].(models.Conversation)
			return activityCell(conv)
		})
	info.AddField("Messages", "message_count", db.Int).FieldDisplay(func(v types.FieldModel) interface{} {
		return template.HTML(html.EscapeString(v.Value))
	})
	info.AddField("Has order", models.ParamHasOrder, db.Varchar).FieldHideForList().
		FieldFilterable(types.FilterType{FormType: form.SelectSingle, Placeholder: "With or without"}).
		FieldFilterOptions(types.FieldOptions{{Value: "true", Text: "With an order"}, {Value: "false", Text: "Without an order"}})
	info.AddField("Created", fieldCreated, db.Datetime).FieldHideForList().
		FieldFilterable(types.FilterType{FormType: form.DateRange, Head: "Created", Placeholder: "date"})

	info.SetGetDataFn(c.getData)
	info.SetDeleteFn(c.delete)

	c.bulkButtons(ctx, info, err == nil && c.svc.MayAssign(a))
	c.takeButton(ctx, info)
}

// filterActive reports whether the request filters the list (the page
// then says so, with a way back to the whole inbox).
func (c *conversationTable) filterActive() bool {
	for k := range listQuery(c.ctx.Request.URL.Query()) {
		if k != models.ParamCursor && k != models.ParamBefore && k != models.ParamLimit {
			return true
		}
	}
	return false
}

// listData serves one page of the list in the caller's scope, by keyset
// cursor, with the match count capped at models.CountCap; the pager goes
// into the footer.
func (c *conversationTable) listData(a models.Actor, p parameter.Parameters) ([]map[string]interface{}, int) {
	if c.filterErr != "" {
		return nil, 0
	}
	f := c.filter
	f.Limit = ClampPageSize(p.PageSizeInt)
	f.Asc = p.SortField == fieldActivity && p.SortType == "asc"
	f.Count = true
	page, err := c.svc.List(c.ctx.Request.Context(), a, f)
	if err != nil {
		msg := c.userMessage(err)
		c.infoPanel.SetHeaderHtml(render(listErrorTmpl, msg))
		return nil, 0
	}
	customers := make([]int64, 0, len(page.Items))
	for _, conv := range page.Items {
		customers = append(customers, conv.CustomerID)
	}
	online := c.svc.OnlineCustomers(c.ctx.Request.Context(), customers) // the rows' online dots (live.js keeps them current)
	rows := make([]map[string]interface{}, 0, len(page.Items))
	for _, conv := range page.Items {
		row := c.row(conv, c.names)
		row[models.ParamOrderNumber] = page.OrderNumbers[idOrZero(conv.OrderID)]
		row["online"] = online[conv.CustomerID]
		rows = append(rows, row)
	}
	c.infoPanel.SetFooterHtml(c.pager(page, len(rows)))
	c.infoPanel.SetHeaderHtml(c.allMatching(page, len(rows), c.mayAssign)) // appends
	return rows, len(rows)
}

func idOrZero(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// pager renders "25 shown · 10,000+ match" with Newest / Newer / Older
// links that keep the filter and sort and replace the cursor.
func (c *conversationTable) pager(page models.ConversationPage, shown int) template.HTML {
	link := func(key, cursor string) string {
		q := c.ctx.Request.URL.Query()
		q.Del(models.ParamCursor)
		q.Del(models.ParamBefore)
		q.Del("__page")
		q.Del(parameter.Pjax)
		if key != "" {
			q.Set(key, cursor)
		}
		return c.ctx.Request.URL.Path + "?" + q.Encode()
	}
	total := thousands(page.Total)
	if page.Capped {
		total = "more than " + thousands(models.CountCap)
	}
	data := struct{ Summary, First, Prev, Next string }{Summary: fmt.Sprintf("%d shown of %s", shown, total)}
	if page.PrevCursor != "" {
		data.First, data.Prev = link("", ""), link(models.ParamBefore, page.PrevCursor)
	}
	if page.NextCursor != "" {
		data.Next = link(models.ParamCursor, page.NextCursor)
	}
	return render(listPagerTmpl, data)
}

// thousands writes n with comma separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
