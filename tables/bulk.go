package tables

import (
	"html/template"
	"sort"

	"github.com/GoAdminGroup/go-admin/context"
	"github.com/GoAdminGroup/go-admin/template/icon"
	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/GoAdminGroup/go-admin/template/types/action"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// More Ajax actions of the list (issue 6): POST /admin/operation/<id>
// with ids=<selection>; assign also carries assigned_to (a staff id or
// "none").
const (
	ActionReopen       = "conversation_reopen"
	ActionTakeSelected = "conversation_take_selected"
	ActionMarkRead     = "conversation_mark_read"
	ActionMarkUnread   = "conversation_mark_unread"
	ActionAssign       = "conversation_assign"
	FieldAssignTo      = "assigned_to"
)

// bulkVerbs is what a done action says, before the ids.
var bulkVerbs = map[string]string{
	inbox.BulkResolve: "Resolved", inbox.BulkClose: "Closed", inbox.BulkDelete: "Deleted", inbox.BulkReopen: "Reopened",
	inbox.BulkTake: "You took", inbox.BulkMarkRead: "Marked read:", inbox.BulkMarkUnread: "Marked unread:",
}

// assignee reads assigned_to: a staff id, or "none" to unassign.
func assignee(v string) (*int64, error) {
	if v == "none" {
		return nil, nil
	}
	id, ok := models.ParseID(v)
	if !ok {
		return nil, models.Errorf(models.EINVALID, "choose whom to assign to")
	}
	return &id, nil
}

// bulkButtons adds the list's bulk buttons: resolve, close, reopen, take,
// mark read/unread, delete (confirmed first) and, for those who may
// assign, "Assign to…" with a staff picker.
func (c *conversationTable) bulkButtons(ctx *context.Context, info *types.InfoPanel, mayAssign bool) {
	for _, b := range []struct {
		title template.HTML
		icon  string
		id    string
	}{
		{"Resolve", icon.Check, ActionResolve}, {"Close", icon.Lock, ActionClose}, {"Reopen", icon.Undo, ActionReopen},
		{"Take", icon.HandPaperO, ActionTakeSelected}, {"Mark read", icon.Envelope, ActionMarkRead},
		{"Mark unread", icon.EnvelopeO, ActionMarkUnread}, {"Delete", icon.Trash, ActionDelete},
	} {
		a := c.ajax(b.id, "ids")
		if b.id == ActionDelete {
			a.WithAlert(action.AlertData{Title: "Delete the selected conversations for good?", Type: "warning",
				ShowCancelButton: true, ConfirmButtonColor: "#DD6B55", ConfirmButtonText: "Delete", CancelButtonText: "Cancel"})
		}
		info.AddButton(ctx, b.title, b.icon, a)
	}
	// Registered for everyone (GoAdmin registers a handler when it first
	// sees the action; the row cell is takeCell, so this adds no button);
	// the picker shows only to those who may assign, and inbox decides.
	info.AddActionButton(ctx, "Assign", c.ajax(ActionAssign, "ids"), "conv-assign-action")
	if mayAssign {
		info.SetHeaderHtml(c.assignPicker() + c.infoPanel.HeaderHtml)
		info.AddJS(assignJS())
	}
}

var assignTmpl = template.Must(template.New("assign").Parse(
	`<form class="form-inline conv-assign" style="margin:8px 10px;display:flex;flex-wrap:wrap;gap:6px;align-items:center" onsubmit="return false">` +
		`<label for="conv-assign-to" style="font-weight:normal;margin:0">Assign selected to</label> ` +
		`<select id="conv-assign-to" class="form-control input-sm"><option value="">choose…</option><option value="none">nobody (unassign)</option>` +
		`{{range .}}<option value="{{.ID}}">{{.Name}}</option>{{end}}</select> ` +
		`<button type="button" class="btn btn-sm btn-default conv-assign-btn"><i class="fa fa-user-plus"></i> Assign</button></form>`))

func (c *conversationTable) assignPicker() template.HTML {
	type opt struct {
		ID   int64
		Name string
	}
	var opts []opt
	for id, n := range c.names {
		opts = append(opts, opt{id, n})
	}
	sort.Slice(opts, func(i, j int) bool { return opts[i].Name < opts[j].Name })
	return render(assignTmpl, opts)
}

// assignJS posts the selection with the chosen assignee; delegated, so a
// pjax reload does not bind it twice.
func assignJS() template.JS {
	return template.JS(`$(document).off('click.parleyassign').on('click.parleyassign', '.conv-assign-btn', function () {
	var to = $('#conv-assign-to').val();
	var ids = (window.selectedRows ? selectedRows()[0] : []).join(',');
	if (!ids) { swal('Select the conversations to assign first', '', 'error'); return; }
	if (!to) { swal('Choose whom to assign them to', '', 'error'); return; }
	$.ajax({method: 'post', url: '` + action.URL(ActionAssign) + `', data: {ids: ids, ` + FieldAssignTo + `: to},
		success: function (data) {
			if (data.code === 0) { swal(data.msg, '', 'success'); setTimeout(function () { $.pjax.reload('#pjax-container'); }, 600); }
			else { swal(data.msg, '', 'error'); }
		},
		error: function (xhr) { swal(xhr.responseJSON && xhr.responseJSON.msg ? xhr.responseJSON.msg : 'error', '', 'error'); }});
});`)
}
