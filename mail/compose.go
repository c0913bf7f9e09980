package mail

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/templates"
)

// Composer turns claimed notifications into e-mails.
type Composer struct {
	// PublicURL is where people reach Parley (PARLEY_PUBLIC_URL), without a
	// trailing slash; links and Message-ID domains derive from it.
	PublicURL string
	// From is PARLEY_MAIL_FROM; FromName the display name.
	From, FromName string
	// ShopName names the shop in the e-mails.
	ShopName string
	// Instance is the database's instance id, so Message-IDs of two
	// databases never collide.
	Instance string
	// Location is the time zone of the times quoted when the e-mail does
	// not carry the store's (inbox.Email.Location); UTC when nil.
	Location *time.Location
	// StaffThreadPath and CustomerThreadPath format a conversation id into
	// the path of its page.
	StaffThreadPath, CustomerThreadPath string
}

// Paths of the pages e-mails link to.
const (
	DefaultStaffThreadPath    = "/admin/info/conversation/edit?__goadmin_edit_pk=%d"
	DefaultCustomerThreadPath = "/dashboard/messages/%d"
	ProfilePath               = "/admin/profile"
	UnsubscribePath           = "/unsubscribe"
)

func (c *Composer) domain() string {
	if u, err := url.Parse(c.PublicURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "parley.invalid"
}

// MessageID is the Message-ID of a notification's e-mail: derived from the
// notification, so a resend of the same e-mail carries the same id.
func (c *Composer) MessageID(notificationID int64) string {
	return fmt.Sprintf("notification-%d.%s@%s", notificationID, c.Instance, c.domain())
}

// ThreadID is the conversation's root Message-ID that every e-mail of the
// conversation refers to (In-Reply-To, References), so clients thread them.
func (c *Composer) ThreadID(conversationID int64) string {
	return fmt.Sprintf("conversation-%d.%s@%s", conversationID, c.Instance, c.domain())
}

// UnsubscribeURL is a customer's one-click unsubscribe link.
func (c *Composer) UnsubscribeURL(customerID int64, token string) string {
	return c.PublicURL + UnsubscribePath + "?c=" + strconv.FormatInt(customerID, 10) + "&t=" + url.QueryEscape(token)
}

// Compose builds the e-mail of a claimed notification burst.
func (c *Composer) Compose(e inbox.Email) (Message, error) {
	staff := e.Recipient.Kind == models.ActorStaff
	path := c.CustomerThreadPath
	if path == "" {
		path = DefaultCustomerThreadPath
	}
	if staff {
		path = c.StaffThreadPath
		if path == "" {
			path = DefaultStaffThreadPath
		}
	}
	loc := e.Location
	if loc == nil {
		loc = c.Location
	}
	if loc == nil {
		loc = time.UTC
	}
	shop := c.ShopName
	if shop == "" {
		shop = "Parley"
	}
	d := templates.MailNewMessage{ShopName: shop, RecipientName: e.ToName, Staff: staff,
		Escalation: e.Kind == inbox.NotificationEscalation, ConversationID: e.Conversation.ID,
		Subject: e.Conversation.Subject, ThreadURL: c.PublicURL + fmt.Sprintf(path, e.Conversation.ID)}
	if d.RecipientName == "" {
		d.RecipientName = "there"
	}
	if staff {
		d.ProfileURL = c.PublicURL + ProfilePath
	} else if e.Unsubscribe != "" {
		d.UnsubscribeURL = c.UnsubscribeURL(e.Recipient.ID, e.Unsubscribe)
	}
	for _, m := range e.Messages {
		author := m.AuthorName
		if !staff && m.AuthorType == models.ActorStaff {
			author = shop + " support" // customers never learn staff usernames
		}
		if author == "" {
			author = "Customer"
		}
		d.Messages = append(d.Messages, templates.MailMessage{Author: author, Body: m.Body,
			At: FormatTime(m.CreatedAt, loc)})
	}
	switch {
	case d.Escalation:
		d.Title = fmt.Sprintf("Escalated: #%d %s", e.Conversation.ID, oneLine(e.Conversation.Subject))
	case staff:
		d.Title = fmt.Sprintf("New message in #%d %s", e.Conversation.ID, oneLine(e.Conversation.Subject))
	default:
		d.Title = fmt.Sprintf("New reply from %s: %s", shop, oneLine(e.Conversation.Subject))
	}
	text, html, err := templates.RenderMail(d)
	if err != nil {
		return Message{}, err
	}
	root := "<" + c.ThreadID(e.Conversation.ID) + ">"
	m := Message{From: c.From, FromName: c.FromName, To: e.To, ToName: e.ToName, Subject: d.Title, Text: text, HTML: html,
		ID: c.MessageID(e.Lead.ID), Date: e.Lead.CreatedAt, Bulk: true,
		Headers: map[string]string{"In-Reply-To": root, "References": root}}
	if e.Lead.EmailDueAt != nil {
		m.Date = *e.Lead.EmailDueAt
	}
	if d.UnsubscribeURL != "" {
		m.Headers["List-Unsubscribe"] = "<" + d.UnsubscribeURL + ">"
		m.Headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
	}
	return m, nil
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120]) + "…"
	}
	return s
}

// FormatTime is how e-mails quote a time: in loc (the store's time zone),
// with the zone named — its abbreviation and, unless it is UTC, its IANA
// name, e.g. "4 Mar 2026 11:01 CET (Europe/Berlin)".
func FormatTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	s := t.In(loc).Format("2 Jan 2006 15:04 MST")
	if name := loc.String(); name != "UTC" && name != "" && name != "Local" {
		s += " (" + name + ")"
	}
	return s
}
