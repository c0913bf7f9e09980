package admin

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/GoAdminGroup/go-admin/context"
	"github.com/GoAdminGroup/go-admin/plugins/admin/modules/form"
	"github.com/GoAdminGroup/go-admin/plugins/admin/modules/parameter"
	gatemplate "github.com/GoAdminGroup/go-admin/template"
	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
	"github.com/parleyhq/parley/templates"
)

// The conversation list, laid out by Parley.
//
// GoAdmin's table still builds the list from Parley's table definition
// (tables.Conversations): its columns and cells, its filter form, its bulk
// buttons and their Ajax routes, the notices and the pager. GoAdmin's own
// list controller then rendered it through its data-table component, which
// walks every cell of every row by reflection and translates the whole
// body (lower-casing it) three times, behind a second sign-in and a menu
// read: about half of a list view's CPU. listPage serves the same page from
// what the guard already knows (the caller, the route check) with one
// template (templates/list.html) that has the data table's classes, so the
// buttons' scripts and the pjax reloads work as before.

// listPage serves GET /admin/info/conversation for the signed-in caller.
func (g *guard) listPage(c *gin.Context, a models.Actor) {
	gctx := context.NewContext(c.Request)
	t := g.listTable(gctx)
	info := t.GetInfo()
	params := parameter.GetParam(c.Request.URL, info.DefaultPageSize, info.SortField, info.GetSort())
	data, err := t.GetData(gctx, params.WithIsAll(false))
	if err == nil && info.HasError() {
		err = info.PageError
	}
	if err != nil {
		g.log.Error("conversation list", "err", err)
		g.fail(c, http.StatusInternalServerError, "internal error")
		return
	}
	btns, btnsJS := info.Buttons.Content(gctx)
	page := templates.ListPage{
		Header: info.HeaderHtml,
		// The buttons' texts are templates of GoAdmin's ({{.Ids}}: the
		// selection), as its data table fills them.
		Buttons:      template.HTML(types.ParseTableDataTmplWithID("", string(btns))),
		ButtonsJS:    template.JS(types.ParseTableDataTmplWithID("", string(btnsJS))),
		FilterHidden: info.IsHideFilterArea,
		Operation:    "Operation",
		Footer:       info.FooterHtml,
		ColumnsURL:   listURL(c.Request.URL, "__columns", ""),
	}
	if len(data.FilterFormData) > 0 {
		page.Filter = gatemplate.Default(gctx).Form().
			SetContent(data.FilterFormData).
			SetPrefix("/admin").
			SetInputWidth(info.FilterFormInputWidth).
			SetHeadWidth(info.FilterFormHeadWidth).
			SetMethod("get").
			SetLayout(info.FilterFormLayout).
			SetUrl(tables.ListPath).
			SetHiddenFields(map[string]string{form.NoAnimationKey: "true"}).
			SetOperationFooter(filterFooter).
			GetContent()
	}
	sortBy, sortType := c.Query(parameter.Sort), c.Query(parameter.SortType)
	fixed := params.GetFixedParamStrWithoutSort()
	shown := make([]types.TheadItem, 0, len(data.Thead))
	for _, h := range data.Thead {
		col := templates.ListColumn{Field: h.Field, Head: h.Head, Hidden: h.Hide}
		if h.Sortable {
			// The link turns the current order around; unsorted, it sorts newest first.
			next := "desc"
			col.SortIcon = "fa-sort"
			if sortBy == h.Field && sortType != "" {
				col.SortIcon = "fa-sort-amount-" + sortType
				if sortType != "asc" {
					next = "asc"
				}
			}
			col.SortURL = "?" + parameter.Sort + "=" + url.QueryEscape(h.Field) + "&" + parameter.SortType + "=" + next + fixed
		}
		page.Columns = append(page.Columns, col)
		if !h.Hide {
			shown = append(shown, h)
		}
	}
	page.Rows = make([]templates.ListRow, 0, len(data.InfoList))
	for _, row := range data.InfoList {
		cells := make([]template.HTML, len(shown))
		for i, h := range shown {
			cells[i] = row[h.Field].Content
		}
		page.Rows = append(page.Rows, templates.ListRow{ID: row["id"].Value, Take: tables.TakeOffered(row), Cells: templates.ListCells(cells)})
	}
	size := tables.ClampPageSize(params.PageSizeInt)
	for _, n := range tables.PageSizes() {
		page.PageSizes = append(page.PageSizes, templates.ListPageSize{Size: n, URL: listURL(c.Request.URL, "__pageSize", strconv.Itoa(n)), Selected: n == size})
	}
	body, err := templates.List(page)
	if err != nil {
		g.log.Error("render conversation list", "err", err)
		g.fail(c, http.StatusInternalServerError, "internal error")
		return
	}
	g.render(c, gctx, types.Panel{
		Title:       template.HTML(template.HTMLEscapeString(data.Title)),
		Description: template.HTML(template.HTMLEscapeString(data.Description)),
		Content:     body,
		Callbacks:   info.Callbacks,
	})
}

// filterFooter is the filter form's buttons: search, and back to the
// whole inbox.
const filterFooter = template.HTML(`<div class="col-md-2"></div><div class="col-md-8">` +
	`<div class="btn-group pull-left"><button type="submit" class="btn btn-sm btn-primary submit"><i class="icon fa fa-search"></i>&nbsp;&nbsp;Search</button></div>` +
	`<div class="btn-group pull-left" style="margin-left:12px;"><a href="` + tables.ListPath + `" class="btn btn-sm btn-default reset"><i class="icon fa fa-undo"></i>&nbsp;&nbsp;Reset</a></div></div>`)

// listURL is the list's address with the request's filter and sort, on
// its first page, with key set to v (or removed when v is "").
func listURL(u *url.URL, key, v string) string {
	q := u.Query()
	for _, k := range []string{models.ParamCursor, models.ParamBefore, "__page", parameter.Pjax, key} {
		q.Del(k)
	}
	if v != "" {
		q.Set(key, v)
	}
	if len(q) == 0 {
		return tables.ListPath
	}
	return tables.ListPath + "?" + q.Encode()
}
