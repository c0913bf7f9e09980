package tables

import (
	"fmt"
	"html"
	"html/template"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/GoAdminGroup/go-admin/context"
	"github.com/GoAdminGroup/go-admin/modules/db"
	"github.com/GoAdminGroup/go-admin/plugins/admin/modules/parameter"
	"github.com/GoAdminGroup/go-admin/plugins/admin/modules/table"
	"github.com/GoAdminGroup/go-admin/template/icon"
	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/GoAdminGroup/go-admin/template/types/action"
	"github.com/GoAdminGroup/go-admin/template/types/form"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// Ajax action ids of the conversation list (POST /admin/operation/<id>).
const (
	ActionResolve = "conversation_resolve"
	ActionClose   = "conversation_close"
	ActionDelete  = "conversation_delete"
	ActionTake    = "conversation_take"
)

// Actions maps each Ajax action id to the inbox bulk action it runs
// ("take" for the row action).
var bulkActions = map[string]string{
	ActionResolve: inbox.BulkResolve, ActionClose: inbox.BulkClose, ActionDelete: inbox.BulkDelete, ActionTake: "take",
}

// IsAction reports whether id is one of the list's Ajax actions.
func IsAction(id string) bool { _, ok := bulkActions[id]; return ok }

// Conversations is the generator of /admin/info/conversation: the inbox in
// the caller's scope, its bulk and row actions, and the edit page (thread,
// reply, status override). driver is GoAdmin's database driver name.
func Conversations(svc *inbox.Service, actor ActorFunc, log *slog.Logger, driver string) table.Generator {
	return func(ctx *context.Context) table.Table {
		cfg := table.DefaultConfigWithDriver(driver)
		cfg.CanAdd, cfg.Exportable = false, false
		t := table.NewDefaultTable(ctx, cfg)
		c := &conversationTable{svc: svc, actor: actor, log: log, ctx: ctx}
		c.info(ctx, t.GetInfo())
		c.form(t.GetForm())
		return t
	}
}

// conversationTable is one request's table: the generator runs per request,
// so ctx is that request's context.
type conversationTable struct {
	svc   *inbox.Service
	actor ActorFunc
	log   *slog.Logger
	ctx   *context.Context
	// thread is the edit page's conversation, loaded by getData for the
	// page's wrapper (nil on the list).
	thread *threadData
}

func (c *conversationTable) info(ctx *context.Context, info *types.InfoPanel) {
	info.SetTable("conversations").SetTitle("Inbox").SetDescription("Conversations you can see")
	info.SetSortField("last_message_at").SetSortDesc().SetDefaultPageSize(DefaultPageSize).SetPageSizeList(PageSizes())
	info.HideNewButton().HideExportButton().HideDetailButton().HideEditButton().HideDeleteButton().HideFilterArea()
	// The theme gives data tables a fixed 1600px minimum width, which pushes
	// the inbox's right-hand columns under the pinned actions column on a
	// laptop screen; the inbox fits its container instead.
	info.AddCSS(`.box-body table.table { min-width: 100% !important; } .box-body table.table td:nth-child(2) { white-space: nowrap; }`)

	info.AddField("ID", "id", db.Int).FieldSortable().FieldDisplay(func(v types.FieldModel) interface{} {
		return template.HTML(html.EscapeString(v.ID))
	})
	info.AddField("Subject", "subject", db.Varchar).FieldSortable().FieldDisplay(func(v types.FieldModel) interface{} {
		conv, _ := v.Row["conv"].(models.Conversation)
		return render(subjectTmpl, conv)
	})
	info.AddField("Customer", FilterCustomer, db.Varchar).FieldSortable().
		FieldFilterable(types.FilterType{FormType: form.Text, Head: "Customer ID", Placeholder: "customer id"}).
		FieldDisplay(func(v types.FieldModel) interface{} {
			conv, _ := v.Row["conv"].(models.Conversation)
			return render(customerTmpl, conv)
		})
	statusOpts := types.FieldOptions{}
	for _, s := range models.Statuses {
		statusOpts = append(statusOpts, types.FieldOption{Value: string(s), Text: s.Label()})
	}
	info.AddField("Status", FilterStatus, db.Varchar).FieldSortable().
		FieldFilterable(types.FilterType{FormType: form.SelectSingle, Placeholder: "Any status"}).FieldFilterOptions(statusOpts).
		FieldDisplay(func(v types.FieldModel) interface{} {
			conv, _ := v.Row["conv"].(models.Conversation)
			return statusLabel(conv.Status)
		})
	info.AddField("Assigned to", FilterAssigned, db.Varchar).
		FieldFilterable(types.FilterType{FormType: form.SelectSingle, Placeholder: "Anyone"}).
		FieldFilterOptions(types.FieldOptions{{Value: "me", Text: "Me"}, {Value: "none", Text: "Nobody"}, {Value: "anyone", Text: "Anyone"}}).
		FieldDisplay(func(v types.FieldModel) interface{} {
			if v.Value == "" {
				return template.HTML(`<span class="text-muted">nobody</span>`)
			}
			return template.HTML(html.EscapeString(v.Value))
		})
	// The badge shows in the subject cell; the column stays for its filter.
	info.AddField("Unread", FilterUnread, db.Varchar).FieldHideForList().
		FieldFilterable(types.FilterType{FormType: form.SelectSingle, Placeholder: "Read or unread"}).
		FieldFilterOptions(types.FieldOptions{{Value: "yes", Text: "Unread"}, {Value: "no", Text: "Read"}}).
		FieldDisplay(func(v types.FieldModel) interface{} {
			if v.Value == "yes" {
				return template.HTML(`<span class="badge bg-red unread">new</span>`)
			}
			return template.HTML("")
		})
	info.AddField("Last activity", "last_message_at", db.Datetime).FieldSortable().FieldDisplay(func(v types.FieldModel) interface{} {
		conv, _ := v.Row["conv"].(models.Conversation)
		return render(activityTmpl, conv)
	})

	info.SetGetDataFn(c.getData)
	info.SetDeleteFn(c.delete)

	for _, b := range []struct {
		title template.HTML
		icon  string
		id    string
	}{{"Resolve", icon.Check, ActionResolve}, {"Close", icon.Lock, ActionClose}, {"Delete", icon.Trash, ActionDelete}} {
		a := c.ajax(b.id, "ids")
		if b.id == ActionDelete {
			a.WithAlert(action.AlertData{Title: "Delete the selected conversations for good?", Type: "warning",
				ShowCancelButton: true, ConfirmButtonColor: "#DD6B55", ConfirmButtonText: "Delete", CancelButtonText: "Cancel"})
		}
		info.AddButton(ctx, b.title, b.icon, a)
	}
	c.takeButton(ctx, info)
}

// takeCell is the row action cell (a text/template GoAdmin runs per row):
// "Take it" only on unassigned rows (item 16), as a plain button rather
// than GoAdmin's dropdown, whose menu the next row clipped (item 18).
const takeCell = `{{if not (index .Value "` + FilterAssigned + `").Value}}` +
	`<button type="button" class="btn btn-xs btn-primary conv-take" data-id="{{.Id}}">Take it</button>{{end}}`

// takeJS posts the row's id alone: GoAdmin's own row-action script also
// sends ids=<selection>, which is "," with nothing selected and was refused
// as "no conversation selected" (item 18). Delegated, so a pjax reload of
// the list does not bind it twice.
func takeJS() template.JS {
	return template.JS(`$(document).off('click.parleytake').on('click.parleytake', '.conv-take', function (event) {
	event.preventDefault();
	var btn = $(this);
	btn.prop('disabled', true);
	$.ajax({method: 'post', url: '` + action.URL(ActionTake) + `', data: {id: btn.attr('data-id')},
		success: function (data) {
			if (data.code === 0) { swal(data.msg, '', 'success'); setTimeout(function () { $.pjax.reload('#pjax-container'); }, 600); }
			else { btn.prop('disabled', false); swal(data.msg, '', 'error'); }
		},
		error: function (xhr) {
			btn.prop('disabled', false);
			swal(xhr.responseJSON && xhr.responseJSON.msg ? xhr.responseJSON.msg : 'error', '', 'error');
		}});
});`)
}

// takeButton registers the take handler (POST /admin/operation/<id>) and
// renders the row cell and its script.
func (c *conversationTable) takeButton(ctx *context.Context, info *types.InfoPanel) {
	info.AddActionButton(ctx, "Take it", c.ajax(ActionTake, "id"), "conv-take-action")
	info.SetAction(takeCell).AddJS(takeJS())
}

// ajax builds an Ajax action whose handler runs the inbox action with the
// handler's own request (never the generator's: GoAdmin keeps the first
// registered handler for the process).
func (c *conversationTable) ajax(id, idsKey string) *action.AjaxAction {
	a := action.Ajax(id, func(ctx *context.Context) (bool, string, interface{}) {
		msg, err := RunAction(ctx, c.svc, c.actor, id, ctx.FormValue(idsKey))
		if err != nil {
			recordOutcome(ctx.Request.Context(), err)
			return false, c.userMessage(err), nil
		}
		return true, msg, nil
	})
	a.SetSuccessJS(`if (data.code === 0) { swal(data.msg, '', 'success'); setTimeout(function () { $.pjax.reload('#pjax-container'); }, 600); } else { swal(data.msg, '', 'error'); }`)
	return a
}

// RunAction runs one of the list's Ajax actions for the request's actor on
// the ids ("1,2," or one id) and answers the message to show.
func RunAction(ctx *context.Context, svc *inbox.Service, actor ActorFunc, id, rawIDs string) (string, error) {
	a, err := actor(ctx)
	if err != nil {
		return "", err
	}
	ids, err := ParseIDs(rawIDs)
	if err != nil {
		return "", err
	}
	rctx := ctx.Request.Context()
	switch bulkActions[id] {
	case "take":
		if len(ids) != 1 {
			return "", models.Errorf(models.EINVALID, "take one conversation at a time")
		}
		if _, err := svc.Take(rctx, a, ids[0]); err != nil {
			return "", err
		}
		return fmt.Sprintf("Conversation %d is yours now", ids[0]), nil
	case "":
		return "", models.Errorf(models.ENOTFOUND, "unknown action")
	default:
		done, err := svc.Bulk(rctx, a, bulkActions[id], ids)
		if err != nil {
			return "", err
		}
		verb := map[string]string{inbox.BulkResolve: "Resolved", inbox.BulkClose: "Closed", inbox.BulkDelete: "Deleted"}[bulkActions[id]]
		return fmt.Sprintf("%s %s", verb, nameIDs(done)), nil
	}
}

func nameIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	if len(ids) == 1 {
		return "conversation " + parts[0]
	}
	return "conversations " + strings.Join(parts, ", ")
}

// userMessage is what a refusal shows: the domain message, or a generic
// one (logged) for anything unexpected.
func (c *conversationTable) userMessage(err error) string {
	return UserMessage(c.log, err)
}

// UserMessage turns an error into the text shown to staff: a domain
// error's message, else "internal error" (the error is logged).
func UserMessage(log *slog.Logger, err error) string {
	if e := models.AsError(err); e != nil && e.Code != models.EINTERNAL {
		return e.Message
	}
	if log != nil {
		log.Error("admin action failed", "err", err)
	}
	return "internal error; please try again"
}

// getData serves the list (a page in the caller's scope) and the edit page
// (one conversation, viewed without marking it read: a GET may come from a
// cross-site link, so the rendered page marks it read with a same-origin
// POST, item 5).
func (c *conversationTable) getData(p parameter.Parameters) ([]map[string]interface{}, int) {
	a, err := c.actor(c.ctx)
	if err != nil {
		return nil, 0
	}
	rctx := c.ctx.Request.Context()
	if pks := p.PKs(); len(pks) > 0 {
		id, err := strconv.ParseInt(pks[0], 10, 64)
		if err != nil || id <= 0 {
			return nil, 0
		}
		if c.thread == nil || c.thread.page.Conversation.ID != id {
			th, err := c.loadThread(a, id)
			if err != nil {
				if models.ErrorCode(err) != models.ENOTFOUND {
					c.log.Error("open conversation", "id", id, "err", err)
				}
				return nil, 0
			}
			c.thread = th
		}
		row := c.row(c.thread.page.Conversation, nil)
		row[FilterAssigned] = c.thread.page.Assignee
		c.keepDraft(row)
		return []map[string]interface{}{row}, 1
	}
	fields := map[string][]string{}
	for k, v := range p.Fields { // GoAdmin mutates p.Fields later: copy
		fields[k] = append([]string(nil), v...)
	}
	get := func(k string) string {
		if v := fields[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	f := listFilter(get, a.ID)
	size := ClampPageSize(p.PageSizeInt)
	f.Limit = size
	f.Offset = (ClampPage(p.PageInt) - 1) * size
	sort, ok := SortKey(p.SortField)
	if !ok {
		sort = "last_message_at"
	}
	convs, total, err := c.svc.ListPage(rctx, a, f, sort, p.SortType != "asc")
	if err != nil {
		c.log.Error("list conversations", "err", err)
		return nil, 0
	}
	names := c.staffNames(a)
	rows := make([]map[string]interface{}, 0, len(convs))
	for _, conv := range convs {
		rows = append(rows, c.row(conv, names))
	}
	return rows, total
}

func (c *conversationTable) row(conv models.Conversation, names map[int64]string) map[string]interface{} {
	assigned := ""
	if conv.AssignedTo != nil {
		assigned = names[*conv.AssignedTo]
		if assigned == "" {
			assigned = "#" + strconv.FormatInt(*conv.AssignedTo, 10)
		}
	}
	unread := "no"
	if !conv.IsReadByAdmin {
		unread = "yes"
	}
	return map[string]interface{}{
		"id": conv.ID, "subject": conv.Subject, FilterCustomer: conv.CustomerName, FilterStatus: string(conv.Status),
		FilterAssigned: assigned, FilterUnread: unread, "last_message_at": conv.LastMessageAt.Format(time.RFC3339),
		"message_count": conv.MessageCount, "conv": conv,
		// Edit form fields start empty: the override applies only when chosen.
		"reply_body": "", "reply_kind": models.KindReply, "reason": "",
	}
}

// staffNames maps staff ids to usernames for the "assigned to" column.
func (c *conversationTable) staffNames(a models.Actor) map[int64]string {
	names, err := c.svc.StaffNames(c.ctx.Request.Context(), a)
	if err != nil {
		c.log.Error("list staff", "err", err)
		return nil
	}
	return names
}

// delete backs GoAdmin's delete route; the admin guard answers that route
// itself with the real reason, so this only runs if the guard is bypassed.
func (c *conversationTable) delete(raw []string) error {
	a, err := c.actor(c.ctx)
	if err != nil {
		return err
	}
	ids, err := ParseIDs(strings.Join(raw, ","))
	if err != nil {
		return err
	}
	return c.svc.Delete(c.ctx.Request.Context(), a, ids...)
}
