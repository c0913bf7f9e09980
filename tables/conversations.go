package tables

import (
	"fmt"
	"html/template"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/GoAdminGroup/go-admin/context"
	"github.com/GoAdminGroup/go-admin/plugins/admin/modules/parameter"
	"github.com/GoAdminGroup/go-admin/plugins/admin/modules/table"
	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/GoAdminGroup/go-admin/template/types/action"

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

// bulkActions maps each Ajax action id to the inbox bulk action it runs
// ("take" for the row action).
var bulkActions = map[string]string{
	ActionResolve: inbox.BulkResolve, ActionClose: inbox.BulkClose, ActionDelete: inbox.BulkDelete, ActionTake: "take",
	ActionReopen: inbox.BulkReopen, ActionTakeSelected: inbox.BulkTake, ActionMarkRead: inbox.BulkMarkRead,
	ActionMarkUnread: inbox.BulkMarkUnread, ActionAssign: inbox.BulkAssign,
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
		if isListRequest(ctx) {
			c.info(ctx, t.GetInfo())
		} else {
			c.dataOnly(t.GetInfo())
		}
		c.form(t.GetForm())
		return t
	}
}

// ListPath is the list page's own path; every other request of the table
// (its edit page, the edit and delete posts) only reads rows through it.
const ListPath = "/admin/info/" + ConversationTable

// isListRequest reports whether the generator runs for the list page
// (GoAdmin runs it for every route of the table, twice per request).
func isListRequest(ctx *context.Context) bool {
	return ctx.Request != nil && ctx.Request.URL != nil && strings.TrimSuffix(ctx.Request.URL.Path, "/") == ListPath
}

// dataOnly is the info panel of every request but the list's: GoAdmin
// reads the edit page's row and deletes through it. The list's columns,
// filters, staff names and bulk buttons (a tenth of the edit page's CPU)
// are left out.
func (c *conversationTable) dataOnly(info *types.InfoPanel) {
	info.SetTable("conversations").SetTitle("Inbox")
	info.SetGetDataFn(c.getData)
	info.SetDeleteFn(c.delete)
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
	thread *ThreadData
	// The list's request state, read once per request in info.
	infoPanel *types.InfoPanel
	names     map[int64]string
	filter    models.ConversationFilter
	filterErr string
	mayAssign bool // the caller may assign (the "all matching" bar offers it)
}

// TakeOffered reports whether a list row offers "Take it" (item 16): an
// unassigned conversation. The list renders it as a plain button rather
// than GoAdmin's dropdown, whose menu the next row clipped (item 18).
func TakeOffered(row map[string]types.InfoItem) bool { return row[FilterAssigned].Value == "" }

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
// the row button's script.
func (c *conversationTable) takeButton(ctx *context.Context, info *types.InfoPanel) {
	info.AddActionButton(ctx, "Take it", c.ajax(ActionTake, "id"), "conv-take-action")
	info.AddJS(takeJS())
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
	case inbox.BulkAssign:
		to, err := assignee(ctx.FormValue(FieldAssignTo))
		if err != nil {
			return "", err
		}
		done, err := svc.BulkAssignTo(rctx, a, ids, to)
		if err != nil {
			return "", err
		}
		if to == nil {
			return "Unassigned " + nameIDs(done), nil
		}
		return "Assigned " + nameIDs(done), nil
	default:
		done, err := svc.Bulk(rctx, a, bulkActions[id], ids)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s %s", bulkVerbs[bulkActions[id]], nameIDs(done)), nil
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
	if pks := p.PKs(); len(pks) > 0 {
		id, err := strconv.ParseInt(pks[0], 10, 64)
		if err != nil || id <= 0 {
			return nil, 0
		}
		if c.thread == nil || c.thread.Page.Conversation.ID != id {
			th, err := LoadThread(c.ctx.Request.Context(), c.svc, c.log, a, id)
			if err != nil {
				if models.ErrorCode(err) != models.ENOTFOUND {
					c.log.Error("open conversation", "id", id, "err", err)
				}
				return nil, 0
			}
			c.thread = th
		}
		row := c.row(c.thread.Page.Conversation, nil)
		row[FilterAssigned] = c.thread.Page.Assignee
		// A refused send's form shows the thread as it is now: sending
		// from it again is sending having seen what changed.
		if seen := LastSeen(c.thread.Page.Messages); seen > 0 {
			row[FieldLastSeen] = strconv.FormatInt(seen, 10)
		}
		c.keepDraft(row)
		return []map[string]interface{}{row}, 1
	}
	return c.listData(a, p)
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
