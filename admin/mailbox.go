package admin

import (
	"net/http"
	"strconv"

	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/tables"
	"github.com/parleyhq/parley/templates"
)

// MailboxPath is the dev mailbox (admins).
const MailboxPath = "/admin/mailbox"

// Mailbox is what the in-process SMTP server received (embedded mode).
type Mailbox interface {
	Mails() []templates.DevMail
	Mail(id int) (templates.DevMail, bool)
}

// mailbox is GET /admin/mailbox[?id=N]: the dev mailbox's list and one
// message (its text part, its HTML part only in a sandboxed frame), and the
// e-mails given up after their last attempt.
func (g *guard) mailbox(c *gin.Context) (types.Panel, error) {
	a, _ := tables.ActorFrom(c.Request.Context())
	page := templates.MailboxPage{Enabled: g.mail != nil, Path: MailboxPath}
	q := c.Request.URL.Query()
	if len(q) > 1 || (len(q) == 1 && len(q["id"]) != 1) {
		c.Set(ctxStatus, http.StatusBadRequest)
		return g.errorPanel("Unknown parameters."), nil
	}
	if g.mail != nil {
		page.Mails = g.mail.Mails()
		if raw := q.Get("id"); raw != "" {
			id, err := strconv.Atoi(raw)
			m, ok := g.mail.Mail(id)
			if err != nil || strconv.Itoa(id) != raw || !ok {
				c.Set(ctxStatus, http.StatusNotFound)
				return g.errorPanel("No such message in the dev mailbox."), nil
			}
			page.Selected, page.SelectedID = &m, id
		} else if len(page.Mails) > 0 {
			page.Selected, page.SelectedID = &page.Mails[0], page.Mails[0].ID
		}
	}
	failed, err := g.svc.FailedEmails(c.Request.Context(), a, 50)
	if err != nil {
		g.log.Error("failed e-mails", "err", err)
	}
	for _, n := range failed {
		page.Failed = append(page.Failed, templates.FailedMail{ID: n.ID, ConversationID: n.ConversationID,
			Recipient: string(n.RecipientType) + " " + strconv.FormatInt(n.RecipientID, 10), Error: n.EmailError, Attempts: n.EmailAttempts})
	}
	html, err := templates.Mailbox(page)
	if err != nil {
		g.log.Error("render mailbox", "err", err)
		c.Set(ctxStatus, http.StatusInternalServerError)
		return g.errorPanel("The mailbox could not be shown."), nil
	}
	return types.Panel{Title: "Dev mailbox", Description: "E-mail Parley sent", Content: html}, nil
}
