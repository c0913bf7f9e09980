package admin

import (
	"bytes"
	"html/template"
	"net/http"
)

const pageStyle = `body{font-family:system-ui,sans-serif;background:#ecf0f5;color:#333;margin:0}main{max-width:34em;margin:12vh auto;background:#fff;padding:2em;border-top:3px solid #3c8dbc}a{color:#3c8dbc}button{background:#3c8dbc;color:#fff;border:0;padding:.5em 1.2em;font-size:1em;cursor:pointer}`

var errorTmpl = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Status}} · Parley</title>
<style>` + pageStyle + `</style></head>
<body><main class="parley-error"><h1>{{.Title}}</h1><p class="msg">{{.Msg}}</p><p><a href="/admin/dashboard/conversation">Back to the Parley inbox</a></p></main></body></html>`))

// errorPage renders the guard's refusal page (the message is escaped).
func errorPage(status int, msg string) []byte {
	var b bytes.Buffer
	errorTmpl.Execute(&b, struct {
		Status     int
		Title, Msg string
	}{status, http.StatusText(status), msg})
	return b.Bytes()
}

// logoutHTML is GET /admin/logout: signing out is a same-origin POST.
var logoutHTML = []byte(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign out · Parley</title>
<style>` + pageStyle + `</style></head>
<body><main class="parley-logout"><h1>Sign out of Parley?</h1>
<form method="post" action="/admin/logout"><button type="submit">Sign out</button></form>
<p><a href="/admin/dashboard/conversation">Back to the Parley inbox</a></p></main></body></html>`)
