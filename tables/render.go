package tables

import (
	"bytes"
	"html/template"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// Every snippet below is html/template: data is escaped, never trusted.
var (
	labelTmpl = template.Must(template.New("label").Parse(`<span class="label label-{{.Class}} conv-status">{{.Text}}</span>`))

	historyTmpl = template.Must(template.New("history").Parse(`<div class="conv-history" data-id="{{.Conversation.ID}}" data-unread="{{not .Conversation.IsReadByAdmin}}" style="width:100%;max-height:480px;overflow-y:auto">
<p class="conv-meta"><strong>{{.Conversation.Subject}}</strong> — {{.Conversation.CustomerName}} &lt;{{.Conversation.CustomerEmail}}&gt; · {{.Conversation.Status.Label}}</p>
{{range .Messages}}{{if eq .Kind "system"}}<div class="conv-msg conv-system text-muted text-center" style="margin:6px 0;font-size:90%"><i class="fa fa-info-circle"></i> {{.Body}} <small>· {{.AuthorName}} · {{.CreatedAt.Format "2006-01-02 15:04"}}</small></div>
{{else if eq .Kind "note"}}<div class="conv-msg conv-note callout callout-warning" style="margin:6px 0;white-space:pre-wrap"><p><strong><i class="fa fa-lock"></i> Private note</strong> — {{.AuthorName}} <small>{{.CreatedAt.Format "2006-01-02 15:04"}}</small></p><div class="conv-body">{{.Body}}</div></div>
{{else}}<div class="conv-msg conv-reply {{if eq (print .AuthorType) "staff"}}conv-staff bg-info{{else}}conv-customer bg-gray{{end}}" style="margin:6px 0;padding:8px 12px;border-radius:4px;white-space:pre-wrap"><p style="margin:0 0 4px"><strong>{{.AuthorName}}</strong> <small>{{if eq (print .AuthorType) "staff"}}staff reply{{else}}customer{{end}} · {{.CreatedAt.Format "2006-01-02 15:04"}}</small></p><div class="conv-body">{{.Body}}</div></div>
{{end}}{{else}}<p class="text-muted">No messages yet.</p>{{end}}</div>`))
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

func renderHistory(th inbox.Thread) template.HTML { return render(historyTmpl, th) }
