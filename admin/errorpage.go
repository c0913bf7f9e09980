package admin

import (
	"bytes"
	"html/template"
	"net/http"
)

var errorTmpl = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Status}} · Parley</title>
<style>body{font-family:system-ui,sans-serif;background:#ecf0f5;color:#333;margin:0}main{max-width:34em;margin:12vh auto;background:#fff;padding:2em;border-top:3px solid #3c8dbc}a{color:#3c8dbc}</style></head>
<body><main class="parley-error"><h1>{{.Title}}</h1><p class="msg">{{.Msg}}</p><p><a href="/admin/dashboard/conversation">Back to the inbox</a></p></main></body></html>`))

// errorPage renders the guard's refusal page (the message is escaped).
func errorPage(status int, msg string) []byte {
	var b bytes.Buffer
	errorTmpl.Execute(&b, struct {
		Status     int
		Title, Msg string
	}{status, http.StatusText(status), msg})
	return b.Bytes()
}
