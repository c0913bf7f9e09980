package tables

import (
	"bytes"
	"html/template"

	"github.com/parleyhq/parley/models"
)

// Every snippet below is html/template: data is escaped, never trusted.
var (
	subjectTmpl = template.Must(template.New("subject").Parse(
		`<a class="conv-subject" style="display:inline-block;max-width:230px;word-break:break-word" href="/admin/info/conversation/edit?__goadmin_edit_pk={{.ID}}">{{.Subject}}</a>` +
			`{{if not .IsReadByAdmin}} <span class="badge bg-red unread">new</span>{{end}}` +
			`{{if .LastPreview}}<br><small class="text-muted conv-preview" style="display:inline-block;max-width:230px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap">{{.LastPreview}}</small>{{end}}`))
	customerTmpl = template.Must(template.New("customer").Parse(
		`<span class="conv-customer">{{.CustomerName}}</span><br><small class="text-muted">{{.CustomerEmail}} · #{{.CustomerID}}</small>`))
	activityTmpl = template.Must(template.New("activity").Parse(
		`<span class="conv-activity">{{.LastMessageAt.Format "Jan 2 15:04"}}</span><br><small class="text-muted">{{.MessageCount}} {{if eq .MessageCount 1}}message{{else}}messages{{end}}</small>`))
	labelTmpl = template.Must(template.New("label").Parse(`<span class="label label-{{.Class}} conv-status">{{.Text}}</span>`))
)

func render(t *template.Template, data any) template.HTML {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return template.HTML(template.HTMLEscapeString("(cannot display)"))
	}
	return template.HTML(b.String())
}

func statusLabel(s models.Status) template.HTML {
	class := map[models.Status]string{
		models.StatusOpen: "primary", models.StatusAwaitingAdmin: "warning", models.StatusAwaitingUser: "info",
		models.StatusEscalated: "danger", models.StatusResolved: "success", models.StatusClosed: "default",
	}[s]
	if class == "" {
		class = "default"
	}
	return render(labelTmpl, struct{ Class, Text string }{class, s.Label()})
}
