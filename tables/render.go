package tables

import (
	"bytes"
	"html/template"

	"github.com/parleyhq/parley/models"
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
	return template.HTML(`<span class="label label-` + class + ` conv-status">` + template.HTMLEscapeString(s.Label()) + `</span>`)
}
