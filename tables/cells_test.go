package tables

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
)

// TestListCellsEscape: the hand-written list cells render exactly what the
// html/template snippets they replace rendered, for values meant to break
// out of text and attributes.
func TestListCellsEscape(t *testing.T) {
	ref := map[string]*template.Template{
		"customer": template.Must(template.New("customer").Parse(
			`<span class="conv-customer">{{.CustomerName}}</span> <span class="conv-online text-success" data-customer="{{.CustomerID}}" title="Has a page of the store open" aria-label="online" hidden><i class="fa fa-circle" aria-hidden="true"></i></span><br><small class="text-muted conv-email">{{.CustomerEmail}}</small>`)),
		"subject": template.Must(template.New("subject").Parse(
			`{{if not .IsReadByAdmin}}<span class="badge bg-red unread" title="Unread">new</span> {{end}}` +
				`<a class="conv-subject{{if not .IsReadByAdmin}} conv-unread{{end}}" href="/admin/info/conversation/edit?__goadmin_edit_pk={{.ID}}">{{.Subject}}</a>` +
				`{{if .LastPreview}}<br><small class="text-muted conv-preview">{{.LastPreview}}</small>{{end}}`)),
		"activity": template.Must(template.New("activity").Parse(
			`<span class="conv-activity" title="{{.LastMessageAt.Format "2006-01-02 15:04:05 MST"}}">{{.LastMessageAt.Format "2006-01-02 15:04"}}</span>`)),
	}
	offline := func(c models.Conversation) template.HTML { return customerCell(c, false) }
	cells := map[string]func(models.Conversation) template.HTML{"customer": offline, "subject": subjectCell, "activity": activityCell}
	if on := customerCell(models.Conversation{CustomerID: 7}, true); strings.Contains(string(on), " hidden>") || !strings.Contains(string(on), `data-customer="7"`) {
		t.Errorf("an online customer's cell: %s", on)
	}
	nasty := []string{"", "plain", `<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `' onmouseover='x`, "a & b", "Käthe <Novak>", "\x00nul", "</small></span>"}
	label := template.Must(template.New("label").Parse(`<span class="label label-{{.Class}} conv-status">{{.Text}}</span>`))
	for _, st := range append(models.Statuses, "BOGUS") {
		class := strings.TrimPrefix(strings.SplitN(string(statusLabel(st)), " conv-status", 2)[0], `<span class="label label-`)
		if want := render(label, struct{ Class, Text string }{class, st.Label()}); statusLabel(st) != want {
			t.Errorf("status %s: got %s, want %s", st, statusLabel(st), want)
		}
	}
	zone := time.FixedZone("<b>", 3600)
	for i, v := range nasty {
		for _, read := range []bool{false, true} {
			c := models.Conversation{ID: int64(i + 1), CustomerName: v, CustomerEmail: v + "@x", Subject: v, LastPreview: v,
				IsReadByAdmin: read, LastMessageAt: time.Date(2026, 3, 4, 5, 6, 7, 0, zone)}
			for name, cell := range cells {
				if want, got := render(ref[name], c), cell(c); got != want {
					t.Errorf("%s of %q (read %v):\n got %s\nwant %s", name, v, read, got, want)
				}
			}
		}
	}
}
