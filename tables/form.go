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
)

// Edit form fields a post may carry (besides GoAdmin's own __ keys).
const (
	FieldID        = "id"
	FieldReplyBody = "reply_body"
	FieldReplyKind = "reply_kind"
	FieldStatus    = "status"
	FieldReason    = "reason"
)

// EditFields are the only row fields an edit post may carry.
func EditFields() []string {
	return []string{FieldID, FieldReplyBody, FieldReplyKind, FieldStatus, FieldReason}
}

func empty(types.FieldModel) interface{} { return "" }

func (c *conversationTable) form(f *types.FormPanel) {
	f.SetTable("conversations").SetTitle("Conversation").SetDescription("Thread, reply and status")
	f.HideContinueEditCheckBox().HideContinueNewCheckBox().HideResetButton()

	f.AddField("ID", FieldID, db.Int, form.Default).FieldHide().
		FieldDisplay(func(v types.FieldModel) interface{} { return html.EscapeString(v.ID) })
	f.AddField("Thread", "history", db.Text, form.Custom).FieldCustomContent(`{{.Value}}`).
		FieldDisplay(func(v types.FieldModel) interface{} {
			th, ok := v.Row["thread"].(inbox.Thread)
			if !ok {
				return template.HTML("")
			}
			return renderHistory(th)
		})
	f.AddField("Send as", FieldReplyKind, db.Varchar, form.Radio).
		FieldOptions(types.FieldOptions{{Value: models.KindReply, Text: "Reply to the customer"}, {Value: models.KindNote, Text: "Private note (staff only)"}}).
		FieldDefault(models.KindReply).
		FieldDisplay(func(types.FieldModel) interface{} { return models.KindReply })
	f.AddField("Message", FieldReplyBody, db.Text, form.TextArea).FieldDisplay(empty).
		FieldHelpMsg("Leave empty to only change the status.")
	opts := types.FieldOptions{{Value: "", Text: "(no change)"}}
	for _, s := range models.Statuses {
		opts = append(opts, types.FieldOption{Value: string(s), Text: s.Label()})
	}
	f.AddField("Set status", FieldStatus, db.Varchar, form.SelectSingle).FieldOptions(opts).FieldDisplay(empty).
		FieldHelpMsg("Applied after the reply, so your choice wins.")
	f.AddField("Reason", FieldReason, db.Varchar, form.Text).FieldDisplay(empty).
		FieldHelpMsg("Optional; kept on the timeline for staff (required to escalate).")

	f.SetUpdateFn(c.update)
}

// update writes an edit post through the inbox: the reply first, then an
// explicit status override, so the override wins. Nothing else of the row
// can change.
func (c *conversationTable) update(values form2.Values) error {
	if values.IsSingleUpdatePost() {
		return formError(models.Errorf(models.EFORBIDDEN, "inline editing is not available"), c)
	}
	allowed := map[string]bool{}
	for _, k := range EditFields() {
		allowed[k] = true
	}
	for k := range values {
		if !allowed[k] && !strings.HasPrefix(k, "__") {
			return formError(models.Errorf(models.EINVALID, "this form cannot change that field"), c)
		}
	}
	a, err := c.actor(c.ctx)
	if err != nil {
		return formError(err, c)
	}
	id, err := strconv.ParseInt(values.Get(FieldID), 10, 64)
	if err != nil || id <= 0 {
		return formError(models.Errorf(models.EINVALID, "invalid conversation id"), c)
	}
	var to models.Status
	if s := values.Get(FieldStatus); s != "" {
		if to, err = models.ParseStatus(s); err != nil {
			return formError(models.Errorf(models.EINVALID, "unknown status"), c)
		}
	}
	kind := values.Get(FieldReplyKind)
	if kind == "" {
		kind = models.KindReply
	}
	body := values.Get(FieldReplyBody)
	rctx := c.ctx.Request.Context()
	if strings.TrimSpace(body) == "" && to == "" {
		return formError(models.Errorf(models.EINVALID, "write a message or choose a status"), c)
	}
	current, err := c.svc.Get(rctx, a, id)
	if err != nil {
		return formError(err, c)
	}
	if strings.TrimSpace(body) != "" {
		if _, current, err = c.svc.Send(rctx, a, id, kind, body); err != nil {
			return formError(err, c)
		}
		id = current.ID // a reply lands in this conversation for staff; keep the id it names
	}
	if to != "" && to != current.Status {
		if _, err := c.svc.ChangeStatus(rctx, a, id, to, values.Get(FieldReason)); err != nil {
			return formError(err, c)
		}
	}
	return nil
}

// formError is the message GoAdmin shows on the form: GoAdmin inserts it
// as raw HTML, so it is escaped here.
func formError(err error, c *conversationTable) error {
	return models.Errorf(models.EINVALID, "%s", html.EscapeString(UserMessage(c.log, err)))
}
