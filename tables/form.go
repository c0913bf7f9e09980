package tables

import (
	"html"
	"html/template"
	"strconv"
	"strings"

	"github.com/GoAdminGroup/go-admin/modules/db"
	form2 "github.com/GoAdminGroup/go-admin/plugins/admin/modules/form"
	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/GoAdminGroup/go-admin/template/types/form"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/templates"
)

// Edit form fields a post may carry (besides GoAdmin's own __ keys).
const (
	FieldID        = "id"
	FieldReplyBody = "reply_body"
	FieldReplyKind = "reply_kind"
	FieldStatus    = "status"
	FieldReason    = "reason"
	// FieldLastSeen is the stale-reply guard (inbox.LastSeen): the newest
	// public reply the page showed when the agent started writing.
	FieldLastSeen = "last_seen_message_id"
)

// EditFields are the only row fields an edit post may carry.
func EditFields() []string {
	return []string{FieldID, FieldReplyBody, FieldReplyKind, FieldStatus, FieldReason, FieldLastSeen}
}

// ReadPath is the same-origin POST (form field "id", answers 204) with
// which a rendered thread page marks its conversation read: a GET of the
// page never does, since it may come from a cross-site link (item 5).
const ReadPath = "/admin/conversation/read"

// EditPath is a conversation's own page: after a send the agent stays there.
func EditPath(id int64) string {
	return "/admin/info/" + ConversationTable + "/edit?__goadmin_edit_pk=" + strconv.FormatInt(id, 10)
}

// draftKey marks a request whose send failed: the form it re-renders keeps
// what the agent wrote.
const draftKey = "parley_keep_draft"

// draftStatus is the row key of the override the form shows: the row's
// "status" is the conversation's current one, and the override starts at
// "(no change)".
const draftStatus = "draft_status"

// draftField displays the row's value of one edit field as written: the
// theme's textarea and input templates (html/template) escape it for their
// context (the draft tests check "<" and "&" come back as typed).
func draftField(field string) types.FieldFilterFn {
	return func(v types.FieldModel) interface{} {
		s, _ := v.Row[field].(string)
		return s
	}
}

// pageJS runs on the rendered thread page: it points GoAdmin's return
// address at this thread (so a send lands back here with the new message),
// opens at the newest message with the reply box in view, loads older
// messages on demand, inserts quick replies, takes the page's actions by
// same-origin POST (showing a refusal's message in the page), and marks
// the thread read. It reads only data attributes the template escaped.
var pageJS = template.JS(`(function () {
	var h = document.querySelector('.conv-history');
	if (!h) { return; }
	var id = h.getAttribute('data-id');
	var prev = document.querySelector('input[name="__go_admin_previous_"]');
	if (prev) { prev.value = '/admin/info/` + ConversationTable + `/edit?__goadmin_edit_pk=' + encodeURIComponent(id); }
	h.scrollTop = h.scrollHeight;
	var box = document.querySelector('textarea[name="` + FieldReplyBody + `"]');
	if (box && box.scrollIntoView) { box.scrollIntoView({block: 'nearest'}); }
	var send = document.querySelector('form button.submit');
	if (send) { send.setAttribute('data-loading-text', 'Sending…'); }
	var errBox = document.querySelector('.parley-thread .thread-error');
	var okBox = document.querySelector('.parley-thread .thread-notice');
	function show(el, msg) {
		if (errBox) { errBox.hidden = true; }
		if (okBox) { okBox.hidden = true; }
		if (el) { el.className = el.className.split(' ')[0] + ' ' + el.getAttribute('data-class'); el.textContent = msg; el.hidden = false; el.scrollIntoView && el.scrollIntoView({block: 'nearest'}); }
	}
	var older = document.querySelector('.conv-older');
	if (older) {
		older.addEventListener('click', function () {
			older.disabled = true;
			var url = older.getAttribute('data-url') + '?id=' + encodeURIComponent(id) + '&before=' + encodeURIComponent(older.getAttribute('data-before'));
			fetch(url, {credentials: 'same-origin', headers: {'X-Requested-With': 'XMLHttpRequest'}}).then(function (r) {
				if (!r.ok) { throw new Error('status ' + r.status); }
				var more = r.headers.get('X-Parley-Older');
				return r.text().then(function (html) { return {html: html, more: more}; });
			}).then(function (res) {
				var before = h.scrollHeight;
				var tmp = document.createElement('div');
				tmp.innerHTML = res.html;
				var first = tmp.querySelector('[data-msg]');
				while (tmp.lastChild) { h.insertBefore(tmp.lastChild, h.firstChild); }
				h.scrollTop += h.scrollHeight - before;
				if (res.more && first) { older.setAttribute('data-before', first.getAttribute('data-msg')); older.disabled = false; }
				else { older.parentNode.removeChild(older); }
			}).catch(function () { older.disabled = false; show(errBox, 'Older messages could not be loaded. Please try again.'); });
		});
	}
	var pick = document.querySelector('.quick-reply-select');
	if (pick && box) {
		pick.addEventListener('change', function () {
			var opt = pick.options[pick.selectedIndex];
			var text = opt ? opt.getAttribute('data-text') : null;
			if (text) {
				var at = box.selectionStart || box.value.length;
				box.value = box.value.slice(0, at) + text + box.value.slice(box.selectionEnd || at);
				box.focus();
			}
			pick.value = '';
		});
	}
	Array.prototype.forEach.call(document.querySelectorAll('.parley-delete'), function (f) {
		var ask = f.querySelector('.delete-confirm');
		f.querySelector('.act-delete').addEventListener('click', function () { ask.hidden = false; f.querySelector('input[name=confirm]').value = 'yes'; });
		f.querySelector('.act-delete-cancel').addEventListener('click', function () { ask.hidden = true; f.querySelector('input[name=confirm]').value = ''; });
	});
	Array.prototype.forEach.call(document.querySelectorAll('form.parley-action'), function (f) {
		f.addEventListener('submit', function (ev) {
			ev.preventDefault();
			var buttons = f.querySelectorAll('button');
			Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
			var body = new URLSearchParams(new FormData(f));
			fetch(f.getAttribute('action'), {method: 'POST', credentials: 'same-origin',
				headers: {'Content-Type': 'application/x-www-form-urlencoded', 'X-Requested-With': 'XMLHttpRequest', 'Accept': 'application/json'},
				body: body.toString()}).then(function (r) {
				return r.json().catch(function () { return {code: r.status, msg: 'Something went wrong; please try again.'}; });
			}).then(function (data) {
				Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
				if (data.code !== 200) { show(errBox, data.msg || 'refused'); return; }
				show(okBox, data.msg);
				var next = data.data && data.data.url;
				setTimeout(function () {
					if (next) { window.location.assign(next); }
					else if (window.jQuery && jQuery.pjax) { jQuery.pjax.reload('#pjax-container'); }
					else { window.location.reload(); }
				}, 400);
			}).catch(function () {
				Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
				show(errBox, 'Something went wrong; please try again.');
			});
		});
	});
	// A refused send comes back with GoAdmin's alert at the top and the
	// draft kept: say it again next to the reply box. A stale reply (the
	// conversation moved on while the agent wrote) is sent anyway with one
	// more click, the thread above now showing what changed.
	var refused = document.querySelector('#pjax-container .alert.alert-warning');
	var replyBox = document.querySelector('.thread-reply');
	if (refused && replyBox && box && box.value.trim() !== '' && !replyBox.querySelector('.reply-refused')) {
		var msg = (refused.innerText || '').replace(/^\s*×?\s*error!?\s*/i, '').trim();
		if (msg && !/[.!?]$/.test(msg)) { msg += '.'; }
		var near = document.createElement('div');
		near.className = 'alert alert-warning reply-refused';
		near.setAttribute('role', 'alert');
		near.textContent = msg;
		if (msg.indexOf('after the message you last saw') >= 0) {
			near.textContent = msg + ' Your message is kept below: press "Send anyway" to send it as it is.';
			if (send) { send.textContent = 'Send anyway'; }
		}
		replyBox.insertBefore(near, replyBox.firstChild);
		near.scrollIntoView && near.scrollIntoView({block: 'nearest'});
	}
	if (h.getAttribute('data-unread') === 'true' && window.fetch) {
		fetch('` + ReadPath + `', {method: 'POST', credentials: 'same-origin',
			headers: {'Content-Type': 'application/x-www-form-urlencoded', 'X-Requested-With': 'XMLHttpRequest'},
			body: 'id=' + encodeURIComponent(id)});
	}
})();`)

// replyKinds are the form's "Send as" choices.
func replyKinds() types.FieldOptions {
	return types.FieldOptions{{Value: models.KindReply, Text: "Reply to the customer"}, {Value: models.KindNote, Text: "Private note (staff only)"}}
}

// statusOverrides are the form's "Set status" choices.
func statusOverrides() types.FieldOptions {
	opts := types.FieldOptions{{Value: "", Text: replyText.StatusPlaceholder}}
	for _, s := range models.Statuses {
		opts = append(opts, types.FieldOption{Value: string(s), Text: s.Label()})
	}
	return opts
}

// replyText is the reply form's wording, for GoAdmin's form definition
// (the page of a refused send) and Parley's rendering of the form.
var replyText = templates.ReplyText{
	Title: "Reply", Send: "Send", Kind: "Send as",
	Body: "Message", BodyPlaceholder: "Write a reply…", BodyHelp: "Leave empty to only change the status.",
	Status: "Set status", StatusPlaceholder: "(no change)", StatusHelp: "Applied after the reply, so your choice wins.",
	Reason: "Reason", ReasonPlaceholder: "Why? Kept on the timeline for staff", ReasonHelp: "Optional; required to escalate.",
}

// EditPostPath is GoAdmin's edit route, where the reply form posts.
const EditPostPath = "/admin/edit/" + ConversationTable

// ReplyForm is the reply form of a page Parley renders: the GoAdmin
// form's fields and choices, posted to GoAdmin's edit route with its form
// token, returning to the thread. Files go through Parley's upload route
// (the page's file box): never through a GoAdmin form.
func ReplyForm(id int64, token string) *templates.ReplyForm {
	rf := &templates.ReplyForm{Action: EditPostPath, Token: token, Previous: EditPath(id), Text: replyText}
	for i, o := range replyKinds() {
		rf.Kinds = append(rf.Kinds, templates.Option{Value: o.Value, Text: o.Text, Selected: i == 0})
	}
	for _, o := range statusOverrides() {
		rf.Statuses = append(rf.Statuses, templates.Option{Value: o.Value, Text: o.Text})
	}
	return rf
}

// PageJS is the conversation page's script (pageJS).
func PageJS() template.JS { return pageJS }

func (c *conversationTable) form(f *types.FormPanel) {
	f.SetTable("conversations").SetTitle("Conversation").SetDescription("")
	f.HideContinueEditCheckBox().HideContinueNewCheckBox().HideResetButton()
	f.SetFormEditBtnWord(template.HTML(template.HTMLEscapeString(replyText.Send))).SetFormEditTitle(template.HTML(template.HTMLEscapeString(replyText.Title)))

	f.AddField("ID", FieldID, db.Int, form.Default).FieldHide().
		FieldDisplay(func(v types.FieldModel) interface{} { return html.EscapeString(v.ID) })
	f.AddField(replyText.Kind, FieldReplyKind, db.Varchar, form.Radio).
		FieldOptions(replyKinds()).
		FieldDefault(models.KindReply).FieldDisplay(draftField(FieldReplyKind))
	f.AddField(replyText.Body, FieldReplyBody, db.Text, form.TextArea).FieldDisplay(draftField(FieldReplyBody)).
		FieldPlaceholder(replyText.BodyPlaceholder).
		FieldHelpMsg(template.HTML(template.HTMLEscapeString(replyText.BodyHelp)))
	f.AddField(replyText.Status, FieldStatus, db.Varchar, form.SelectSingle).FieldOptions(statusOverrides()).FieldDisplay(draftField(draftStatus)).
		FieldPlaceholder(replyText.StatusPlaceholder).
		FieldHelpMsg(template.HTML(template.HTMLEscapeString(replyText.StatusHelp)))
	f.AddField(replyText.Reason, FieldReason, db.Varchar, form.Text).FieldDisplay(draftField(FieldReason)).
		FieldPlaceholder(replyText.ReasonPlaceholder).
		FieldHelpMsg(template.HTML(template.HTMLEscapeString(replyText.ReasonHelp)))

	f.AddField("", FieldLastSeen, db.Int, form.Default).FieldHide().FieldDisplay(draftField(FieldLastSeen))

	f.SetUpdateFn(c.update)
	f.SetWrapper(c.wrap)
	f.AddJS(pageJS)
}

// keepDraft puts what the agent posted back into the edit fields of a form
// re-rendered after a failed send, so nothing they wrote is lost.
func (c *conversationTable) keepDraft(row map[string]interface{}) {
	if keep, _ := c.ctx.UserValue[draftKey].(bool); !keep || c.ctx.Request.MultipartForm == nil {
		return
	}
	posted := form2.Values(c.ctx.Request.MultipartForm.Value)
	if k := posted.Get(FieldReplyKind); k == models.KindReply || k == models.KindNote {
		row[FieldReplyKind] = k
	}
	if s, err := models.ParseStatus(posted.Get(FieldStatus)); err == nil {
		row[draftStatus] = string(s)
	}
	row[FieldReplyBody] = posted.Get(FieldReplyBody)
	row[FieldReason] = posted.Get(FieldReason)
}

// update writes an edit post through the inbox in one call: the reply
// first, then an explicit status override (so the override wins), one
// transaction; a refused override leaves no reply behind (item 17). Nothing
// else of the row can change.
func (c *conversationTable) update(values form2.Values) error {
	if err := c.send(values); err != nil {
		c.ctx.SetUserValue(draftKey, true)
		return formError(err, c)
	}
	return nil
}

func (c *conversationTable) send(values form2.Values) error {
	if values.IsSingleUpdatePost() {
		return models.Errorf(models.EFORBIDDEN, "inline editing is not available")
	}
	allowed := map[string]bool{}
	for _, k := range EditFields() {
		allowed[k] = true
	}
	for k := range values {
		if !allowed[k] && !strings.HasPrefix(k, "__") {
			return models.Errorf(models.EINVALID, "this form cannot change that field")
		}
	}
	a, err := c.actor(c.ctx)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(values.Get(FieldID), 10, 64)
	if err != nil || id <= 0 {
		return models.Errorf(models.EINVALID, "invalid conversation id")
	}
	u := inbox.Update{Reason: values.Get(FieldReason)}
	if s := values.Get(FieldStatus); s != "" {
		if u.Status, err = models.ParseStatus(s); err != nil {
			return models.Errorf(models.EINVALID, "unknown status")
		}
	}
	if body := values.Get(FieldReplyBody); strings.TrimSpace(body) != "" {
		u.Reply = &inbox.Draft{Kind: values.Get(FieldReplyKind), Body: body}
		if v := values.Get(FieldLastSeen); v != "" {
			seen, ok := models.ParseID(v)
			if !ok {
				return models.Errorf(models.EINVALID, "invalid last seen message")
			}
			u.Reply.LastSeen = &seen
		}
	}
	if u.Reply == nil && u.Status == "" {
		return models.Errorf(models.EINVALID, "write a message or choose a status")
	}
	_, err = c.svc.Update(c.ctx.Request.Context(), a, id, u)
	return err
}

// formError is the error GoAdmin shows on the form: its text is the
// domain message alone (no code prefix), escaped because GoAdmin inserts it
// as raw HTML; it unwraps to the domain error, so its code stays readable.
func formError(err error, c *conversationTable) error {
	recordOutcome(c.ctx.Request.Context(), err)
	return &shownError{msg: html.EscapeString(UserMessage(c.log, err)), err: err}
}

type shownError struct {
	msg string
	err error
}

func (e *shownError) Error() string { return e.msg }
func (e *shownError) Unwrap() error { return e.err }
