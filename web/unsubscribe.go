package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// UnsubscribePath is the one-click unsubscribe URL of customer e-mails
// (List-Unsubscribe, RFC 8058).
const UnsubscribePath = "/unsubscribe"

// RegisterUnsubscribe mounts the unsubscribe page: GET shows a
// confirmation with a button; POST (the button, or a mail client's
// one-click "List-Unsubscribe=One-Click") turns the e-mails of the customer
// the signed token is bound to off. Neither needs a login or an Origin:
// the token is the authority, and it can only turn that one customer's
// e-mails off.
func RegisterUnsubscribe(r gin.IRouter, svc *inbox.Service) {
	r.GET(UnsubscribePath, func(c *gin.Context) { unsubscribePage(c, svc, false) })
	r.POST(UnsubscribePath, func(c *gin.Context) { unsubscribePage(c, svc, true) })
}

// ParseUnsubscribe reads ?c=<customer id>&t=<token>: exactly those two
// parameters, a plain decimal id and a 64-hex-digit token.
func ParseUnsubscribe(rawQuery string) (int64, string, bool) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil || len(q) != 2 || len(q["c"]) != 1 || len(q["t"]) != 1 {
		return 0, "", false
	}
	id, err := strconv.ParseInt(q["c"][0], 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != q["c"][0] {
		return 0, "", false
	}
	t := q["t"][0]
	if len(t) != 64 {
		return 0, "", false
	}
	for _, r := range t {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return 0, "", false
		}
	}
	return id, t, true
}

var unsubscribeTmpl = template.Must(template.New("u").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.Title}} · Parley</title>
<style>body{font-family:system-ui,Arial,sans-serif;background:#f5f7fa;color:#1f2933;margin:0;padding:24px}
main{max-width:480px;margin:40px auto;background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:24px}
button{font-size:16px;padding:10px 18px;background:#3e7bfa;color:#fff;border:0;border-radius:4px;cursor:pointer}
h1{font-size:22px;margin-top:0}</style></head>
<body><main><h1>{{.Title}}</h1><p>{{.Text}}</p>
{{if .Form}}<form method="post" action="{{.Action}}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit" id="unsubscribe">Stop e-mails</button></form>{{end}}
</main></body></html>`))

type unsubscribeView struct {
	Title, Text, Action string
	Form                bool
}

func unsubscribePage(c *gin.Context, svc *inbox.Service, post bool) {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	id, token, ok := ParseUnsubscribe(c.Request.URL.RawQuery)
	if ok {
		ok = svc.CheckUnsubscribe(id, token)
	}
	status := http.StatusOK
	var v unsubscribeView
	switch {
	case !ok:
		status, v = http.StatusNotFound, unsubscribeView{Title: "Link not valid",
			Text: "This unsubscribe link is not valid. Copy the whole link from the e-mail."}
	case !post:
		v = unsubscribeView{Title: "Stop e-mails?", Form: true, Action: UnsubscribePath + "?" + c.Request.URL.RawQuery,
			Text: "You will no longer receive e-mails about new replies. You still see them when you open your messages."}
	default:
		if err := svc.Unsubscribe(c.Request.Context(), id, token); err != nil {
			status = http.StatusInternalServerError
			if models.ErrorCode(err) == models.ENOTFOUND {
				status = http.StatusNotFound
			}
			v = unsubscribeView{Title: "Not done", Text: "We could not turn your e-mails off. Please try again."}
			break
		}
		v = unsubscribeView{Title: "E-mails stopped", Text: "You will no longer receive e-mails about new replies."}
	}
	c.Status(status)
	c.Header("Content-Type", "text/html; charset=utf-8")
	unsubscribeTmpl.Execute(c.Writer, v)
}
