package templates

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	texttemplate "text/template"
	"time"
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

// Template names of the notification and mailbox pages.
const (
	NotificationsTemplate = "notifications.html"
	MailboxTemplate       = "mailbox.html"
)

// NotificationsPage is the staff member's notification list (the bell's
// page).
type NotificationsPage struct {
	Unread int
	Items  []NotificationItem
}

// NotificationItem is one line: what happened, where, and the thread's URL.
type NotificationItem struct {
	What, Subject, URL, At string
	ConversationID         int64
	Read                   bool
}

// Notifications renders the notification list.
func Notifications(p NotificationsPage) (htmltemplate.HTML, error) {
	return render(NotificationsTemplate, p)
}

// MailboxPage is the dev mailbox (admins): the in-process SMTP server's
// messages, one of them opened, and the e-mails given up.
type MailboxPage struct {
	Enabled    bool
	Path       string
	Mails      []DevMail
	Selected   *DevMail
	SelectedID int
	Failed     []FailedMail
}

// DevMail is one received message.
type DevMail struct {
	ID                int
	At                time.Time
	From, To, Subject string
	Text              string
	HTML              string // shown only in a sandboxed iframe's srcdoc
	Headers           []MailHeader
}

// MailHeader is one header shown.
type MailHeader struct{ Name, Value string }

// FailedMail is an e-mail given up after its last attempt.
type FailedMail struct {
	ID, ConversationID int64
	Recipient, Error   string
	Attempts           int
}

// Mailbox renders the dev mailbox.
func Mailbox(p MailboxPage) (htmltemplate.HTML, error) { return render(MailboxTemplate, p) }

// MailPasswordReset is the password-reset e-mail.
type MailPasswordReset struct {
	Name, ShopName, Link, Expires string
}

// RenderResetMail renders the text and HTML bodies of a password reset.
func RenderResetMail(d MailPasswordReset) (text, html string, err error) {
	var t, h bytes.Buffer
	if err := mailText.ExecuteTemplate(&t, "mail_password_reset.txt", d); err != nil {
		return "", "", fmt.Errorf("mail text: %w", err)
	}
	if err := mailHTML.ExecuteTemplate(&h, "mail_password_reset.html", d); err != nil {
		return "", "", fmt.Errorf("mail html: %w", err)
	}
	return t.String(), h.String(), nil
}
