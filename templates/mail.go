package templates

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	texttemplate "text/template"
)

//go:embed mail_*.tmpl
var mailFiles embed.FS

var (
	mailText = texttemplate.Must(texttemplate.ParseFS(mailFiles, "mail_*.txt.tmpl"))
	mailHTML = htmltemplate.Must(htmltemplate.ParseFS(mailFiles, "mail_*.html.tmpl"))
)

// MailNewMessage is a NEW_MESSAGE (or escalation) e-mail (R19).
type MailNewMessage struct {
	Title          string // the e-mail's subject
	ShopName       string
	RecipientName  string
	Staff          bool // to a staff member (names the conversation number)
	Escalation     bool
	ConversationID int64
	Subject        string // the conversation's subject
	Messages       []MailMessage
	ThreadURL      string
	ProfileURL     string // staff: where e-mails are turned off
	UnsubscribeURL string // customers: the one-click unsubscribe page
}

// MailMessage is one message quoted in an e-mail.
type MailMessage struct {
	Author, At, Body string
}

// RenderMail renders the text and HTML bodies of a NEW_MESSAGE e-mail.
func RenderMail(d MailNewMessage) (text, html string, err error) {
	var t, h bytes.Buffer
	if err := mailText.ExecuteTemplate(&t, "mail_new_message.txt", d); err != nil {
		return "", "", fmt.Errorf("mail text: %w", err)
	}
	if err := mailHTML.ExecuteTemplate(&h, "mail_new_message.html", d); err != nil {
		return "", "", fmt.Errorf("mail html: %w", err)
	}
	return t.String(), h.String(), nil
}
