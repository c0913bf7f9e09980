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
	// sees the action; the list page renders no action cells from it);
	// the picker shows only to those who may assign, and inbox decides.
	info.AddActionButton(ctx, "Assign", c.ajax(ActionAssign, "ids"), "conv-assign-action")
	info.AddJS(allMatchingJS())
	c.mayAssign = mayAssign
	if mayAssign {
		// SetHeaderHtml appends; the picker goes first.
		info.HeaderHtml = c.assignPicker() + info.HeaderHtml
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

// Paths of the list's bulk work beyond the selected rows (admin/bulkjob.go
// serves them): a job over all matching, and the CSV of the selection.
const (
	BulkJobsPath   = "/admin/bulk-jobs"
	BulkExportPath = "/admin/conversations/export"
)

// BulkTitle names a bulk action for people ("Close", "Mark read").
func BulkTitle(action string) string {
	for _, o := range allActions {
		if o.Value == action {
			return o.Title
		}
	}
	return action
}

type actionOption struct{ Value, Title string }

// allActions are the actions offered over "all matching" (delete only for
// a status=CLOSED filter, assign only to those who may).
var allActions = []actionOption{
	{inbox.BulkClose, "Close"}, {inbox.BulkResolve, "Resolve"}, {inbox.BulkReopen, "Reopen"}, {inbox.BulkTake, "Take"},
	{inbox.BulkMarkRead, "Mark read"}, {inbox.BulkMarkUnread, "Mark unread"}, {inbox.BulkAssign, "Assign to…"}, {inbox.BulkDelete, "Delete"},
}

var allMatchingTmpl = template.Must(template.New("all").Parse(
	`<div class="conv-bulk-extra" style="margin:6px 10px">` +
		`<button type="button" class="btn btn-sm btn-default conv-export-btn" data-url="{{.ExportURL}}"><i class="fa fa-download"></i> Export CSV</button>` +
		`{{if .More}}<div class="conv-select-all alert alert-info" style="display:none;margin:8px 0;padding:8px 12px;color:#31708f;background:#d9edf7;border-color:#bce8f1">` +
		`<div class="conv-page-selected">All {{.Shown}} conversations on this page are selected. ` +
		`<a href="#" class="conv-select-all-link"><strong>Select all {{.Total}} matching this filter</strong></a></div>` +
		`<form class="conv-all-matching form-inline" style="display:none;flex-wrap:wrap;gap:6px;align-items:center" onsubmit="return false" data-url="{{.JobsURL}}" data-filter="{{.Filter}}">` +
		`<strong class="conv-all-count">All {{.Total}} conversations matching this filter are selected.</strong> ` +
		`<select class="form-control input-sm conv-all-action" aria-label="Action on all matching">{{range .Actions}}<option value="{{.Value}}">{{.Title}}</option>{{end}}</select> ` +
		`{{if .Assignees}}<select class="form-control input-sm conv-all-assignee" aria-label="Assign to" style="display:none"><option value="none">nobody (unassign)</option>` +
		`{{range .Assignees}}<option value="{{.ID}}">{{.Name}}</option>{{end}}</select> {{end}}` +
		`<button type="button" class="btn btn-sm btn-primary conv-all-run">Run on all matching</button> ` +
		`<a href="#" class="conv-all-clear">Clear selection</a>` +
		`<div class="text-muted" style="width:100%;font-size:12px">Runs in the background in batches of 500, each all or nothing; you follow it on its own page.` +
		`{{if not .MayDelete}} Delete all matching is offered when the filter is status Closed alone.{{end}}</div>` +
		`</form></div>{{end}}</div>`))

// allMatching is the bar above the list: Export CSV of the selection, and,
// when more conversations match than the page shows, "Select all N
// matching this filter" with the actions that run over them as a job.
func (c *conversationTable) allMatching(page models.ConversationPage, shown int, mayAssign bool) template.HTML {
	q := listQuery(c.ctx.Request.URL.Query())
	for _, k := range []string{models.ParamCursor, models.ParamBefore, models.ParamLimit} {
		q.Del(k)
	}
	total := thousands(page.Total)
	if page.Capped {
		total = "more than " + thousands(models.CountCap)
	}
	type person struct {
		ID   int64
		Name string
	}
	data := struct {
		ExportURL, JobsURL, Filter, Total string
		Shown                             int
		More, MayDelete                   bool
		Actions                           []actionOption
		Assignees                         []person
	}{ExportURL: BulkExportPath, JobsURL: BulkJobsPath, Filter: q.Encode(), Total: total, Shown: shown,
		More: page.NextCursor != "" || page.PrevCursor != "", MayDelete: inbox.MayDeleteAll(c.filter)}
	for _, o := range allActions {
		if (o.Value == inbox.BulkDelete && !data.MayDelete) || (o.Value == inbox.BulkAssign && !mayAssign) {
			continue
		}
		data.Actions = append(data.Actions, o)
	}
	if mayAssign {
		for id, n := range c.names {
			data.Assignees = append(data.Assignees, person{id, n})
		}
		sort.Slice(data.Assignees, func(i, j int) bool { return data.Assignees[i].Name < data.Assignees[j].Name })
	}
	return render(allMatchingTmpl, data)
}

// allMatchingJS drives the bar: checking the page's select-all box offers
// "Select all N matching"; Run confirms, starts the job and opens its
// page; Export CSV downloads the selected rows. Delegated handlers, so a
// pjax reload does not bind them twice.
func allMatchingJS() template.JS {
	return template.JS(`$(document).off('.parleyall')
.on('ifChanged.parleyall', '.grid-select-all', function () {
	var bar = $('.conv-select-all');
	if (this.checked) { bar.show(); } else { bar.hide(); $('.conv-all-matching').hide(); $('.conv-page-selected').show(); }
})
.on('click.parleyall', '.conv-select-all-link', function (e) {
	e.preventDefault();
	$('.conv-page-selected').hide(); $('.conv-all-matching').css('display', 'flex');
})
.on('click.parleyall', '.conv-all-clear', function (e) {
	e.preventDefault();
	$('.conv-all-matching').hide(); $('.conv-page-selected').show(); $('.conv-select-all').hide();
	$('.grid-select-all').iCheck('uncheck');
})
.on('change.parleyall', '.conv-all-action', function () {
	$('.conv-all-assignee').toggle($(this).val() === 'assign');
})
.on('click.parleyall', '.conv-all-run', function () {
	var form = $('.conv-all-matching'), action = form.find('.conv-all-action').val();
	var data = {action: action, filter: form.attr('data-filter')};
	if (action === 'assign') { data.` + FieldAssignTo + ` = form.find('.conv-all-assignee').val(); }
	var label = form.find('.conv-all-action option:selected').text();
	swal({title: label + ' — ' + form.find('.conv-all-count').text(), text: action === 'delete' ? 'Deleted conversations are gone for good.' : 'It runs in the background.',
		type: action === 'delete' ? 'warning' : 'info', showCancelButton: true, confirmButtonText: 'Run', cancelButtonText: 'Cancel', closeOnConfirm: false},
		function (ok) {
			if (!ok) { return; }
			$.ajax({method: 'post', url: form.attr('data-url'), data: data,
				success: function (res) { window.location.href = res.url; },
				error: function (xhr) { swal(xhr.responseJSON && xhr.responseJSON.msg ? xhr.responseJSON.msg : 'error', '', 'error'); }});
		});
})
.on('click.parleyall', '.conv-export-btn', function () {
	var ids = (window.selectedRows ? selectedRows()[0] : []).join(',');
	if (!ids) { swal('Select the conversations to export first', '', 'error'); return; }
	window.location.href = $(this).attr('data-url') + '?ids=' + encodeURIComponent(ids);
});`)
}
