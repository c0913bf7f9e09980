package tables

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"strconv"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/templates"
)

// Paths of the conversation page's own routes (admin/routes.go serves them).
const (
	// ThreadActionPath takes one of the page's actions: a same-origin POST
	// of id, op and the action's fields, answered as JSON {code, msg}.
	ThreadActionPath = "/admin/conversation/action"
	// OlderPath answers older messages of a thread as an HTML fragment:
	// GET ?id=…&before=<message id>; header X-Parley-Older says whether
	// even older ones exist.
	OlderPath = "/admin/conversation/messages"
	// ExportPath is the back office's CSV export of one conversation
	// (admin/export.go serves it: GET ?id=…).
	ExportPath = "/admin/conversation/export"
	// QuickRepliesPath is the quick-reply management page.
	QuickRepliesPath = "/admin/quick-replies"
	// AttachPath takes a staff upload (admin/attachments.go): a multipart
	// post of id (the conversation), kind, an optional body and files.
	AttachPath = "/admin/conversation/attachments"
	// AttachFilePrefix + id serves an attachment's file.
	AttachFilePrefix = "/admin/conversation/attachments/"
	// AttachJSPath serves templates/attach.js, the reply box's file picker
	// and voice recorder.
	AttachJSPath = "/admin/attach.js"
)

// AttachmentURL is where the back office serves an attachment.
func AttachmentURL(id int64) string { return AttachFilePrefix + strconv.FormatInt(id, 10) }

// timeLayout is how the page shows times (UTC).
const timeLayout = "2006-01-02 15:04"

// ThreadData is what the conversation page shows.
type ThreadData struct {
	Actor     models.Actor
	Page      inbox.ThreadPage
	Assignees []inbox.Assignee
	Replies   []models.QuickReply
	Profile   *inbox.CustomerProfile
	Online    bool // the customer has a page open (the panel's dot; live.js keeps it current)
}

// LoadThread reads everything the conversation page shows, in the
// viewer's scope; the panels that fail to load are left out (logged).
func LoadThread(ctx context.Context, svc *inbox.Service, log *slog.Logger, a models.Actor, id int64) (*ThreadData, error) {
	p, err := svc.ThreadView(ctx, a, id)
	if err != nil {
		return nil, err
	}
	d := &ThreadData{Actor: a, Page: p, Assignees: p.Assignees}
	if d.Replies, err = svc.QuickReplies(ctx, a); err != nil {
		log.Error("list quick replies", "err", err)
	}
	if prof, err := svc.CustomerProfile(ctx, a, p.Conversation.CustomerID); err != nil {
		log.Error("customer profile", "customer", p.Conversation.CustomerID, "err", err)
	} else {
		d.Profile = &prof
	}
	if d.Online, err = svc.Online(ctx, models.ActorCustomer, p.Conversation.CustomerID); err != nil {
		log.Warn("customer presence", "err", err) // best effort: shown offline
	}
	return d, nil
}

// View builds the page's view around form, the reply form's HTML.
func (d *ThreadData) View(form template.HTML) templates.ThreadPage {
	v := ThreadView(d.Actor, d.Page, d.Assignees, d.Replies, d.Profile, form)
	if v.Customer != nil {
		v.Customer.Online = d.Online
	}
	return v
}

// wrap renders the conversation page around GoAdmin's reply form.
func (c *conversationTable) wrap(form template.HTML) template.HTML {
	if c.thread == nil {
		return form
	}
	out, err := templates.Thread(c.thread.View(form))
	if err != nil {
		c.log.Error("render conversation page", "err", err)
		return form
	}
	return out
}

// ThreadView builds the conversation page's view.
func ThreadView(a models.Actor, p inbox.ThreadPage, assignees []inbox.Assignee, replies []models.QuickReply, prof *inbox.CustomerProfile, form template.HTML) templates.ThreadPage {
	conv := p.Conversation
	v := templates.ThreadPage{ID: conv.ID, Subject: conv.Subject, Status: conv.Status.Label(), StatusClass: statusClass(conv.Status),
		CustomerID: conv.CustomerID, CustomerName: conv.CustomerName, CustomerEmail: conv.CustomerEmail, Assignee: p.Assignee,
		Created: conv.CreatedAt.Format(timeLayout), LastActivity: conv.LastMessageAt.Format(timeLayout),
		Messages: MessageViews(p.Messages), HasOlder: p.HasOlder, Unread: !conv.IsReadByAdmin,
		ActionPath: ThreadActionPath, OlderPath: OlderPath, Form: form,
		Retention: templates.RetentionNotice{Days: p.Retention.Days, Exempt: p.Retention.Exempt, Warn: p.Retention.Warn}}
	if !p.Retention.PurgeAt.IsZero() {
		v.Retention.PurgeAt = p.Retention.PurgeAt.Format("2006-01-02")
	}
	if len(p.Messages) > 0 {
		v.OldestID = p.Messages[0].ID
	}
	v.LastSeen, v.ViewerID = LastSeen(p.Messages), a.ID
	orderNumber := ""
	if p.Order != nil {
		orderNumber = p.Order.Number
		v.OrderNumber, v.OrderStatus = p.Order.Number, p.Order.Status
	}
	closed := conv.Status == models.StatusClosed
	v.Can = templates.ThreadAbilities{Take: p.Can.Take, Assign: p.Can.Assign,
		Resolve: p.Can.SetStatus && conv.Status != models.StatusResolved && !closed,
		Close:   p.Can.SetStatus && !closed, Escalate: p.Can.Escalate,
		Delete: p.Can.Delete, Closed: closed, Block: p.Can.Block, BlockIP: p.SenderIP}
	for _, s := range assignees {
		text := s.Username
		if s.Name != "" && s.Name != s.Username {
			text += " (" + s.Name + ")"
		}
		v.Assignees = append(v.Assignees, templates.Option{Value: strconv.FormatInt(s.ID, 10), Text: text,
			Selected: conv.AssignedTo != nil && *conv.AssignedTo == s.ID})
	}
	values := inbox.ThreadValues(a, conv, orderNumber)
	for _, r := range replies {
		text, missing := inbox.FillQuickReply(r.Body, values)
		o := templates.QuickReplyOption{ID: r.ID, Title: r.Title, Text: text, Unknown: len(missing) > 0}
		for i, m := range missing {
			if i > 0 {
				o.MissingNames += ", "
			}
			o.MissingNames += "{" + m + "}"
		}
		v.QuickReplies = append(v.QuickReplies, o)
	}
	v.Files = templates.FileBox{UploadPath: AttachPath, ScriptPath: AttachJSPath, MaxBytes: p.Uploads.MaxBytes, MaxSeconds: p.Uploads.MaxSeconds}
	if p.Can.Export {
		v.ExportPath = ExportPath + "?id=" + strconv.FormatInt(conv.ID, 10)
	}
	if p.Can.ManageQuickReplies {
		v.ManageQuickRepliesPath = QuickRepliesPath
	}
	if prof != nil {
		v.Customer = customerPanel(conv, p.Order, prof)
	}
	return v
}

// LastSeen is the newest public reply among msgs (0: none), what the
// reply form's stale-reply guard says the agent has seen.
func LastSeen(msgs []models.Message) int64 {
	var id int64
	for _, m := range msgs {
		if m.PublicReply() && m.ID > id {
			id = m.ID
		}
	}
	return id
}

func customerPanel(conv models.Conversation, linked *models.Order, prof *inbox.CustomerProfile) *templates.CustomerPanel {
	cu := prof.Customer
	cp := &templates.CustomerPanel{ID: cu.ID, Name: cu.Name, Email: cu.Email, Guest: cu.IsGuest, Marketing: prof.Details.MarketingSubscribed,
		Created: cu.CreatedAt.Format("2006-01-02"), Address: prof.Details.Address, CanEditNote: true, ConversationsTruncate: prof.More}
	if prof.Note != nil {
		cp.Note = prof.Note.Body
		cp.NoteUpdated = "Last changed " + prof.Note.UpdatedAt.Format(timeLayout)
	}
	if prof.Cart != nil {
		cp.HasCart = true
		cp.CartUpdated = prof.Cart.UpdatedAt.Format(timeLayout)
		cp.Cart = lineViews(prof.Cart.Items, "")
	}
	for _, o := range prof.Orders {
		cp.Orders = append(cp.Orders, orderView(o))
	}
	if linked != nil {
		ov := orderView(*linked)
		ov.Items = lineViews(linked.Items, linked.Currency)
		cp.LinkedOrder = &ov
	}
	for _, c := range prof.Conversations {
		cp.Conversations = append(cp.Conversations, templates.ConversationLink{URL: EditPath(c.ID), Subject: c.Subject,
			Status: c.Status.Label(), LastActivity: c.LastMessageAt.Format("2006-01-02"), Current: c.ID == conv.ID})
	}
	return cp
}

func orderView(o models.Order) templates.OrderView {
	return templates.OrderView{Number: o.Number, Status: o.Status, Total: money(o.TotalCents, o.Currency), Created: o.CreatedAt.Format("2006-01-02")}
}

func lineViews(items []models.OrderItem, currency string) []templates.LineView {
	out := make([]templates.LineView, 0, len(items))
	for _, it := range items {
		out = append(out, templates.LineView{SKU: it.SKU, Name: it.Name, Quantity: it.Quantity, Price: money(it.PriceCents*int64(it.Quantity), currency)})
	}
	return out
}

// money shows cents as a decimal amount with its currency.
func money(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	s := fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
	if currency != "" {
		s += " " + currency
	}
	return s
}

// MessageViews turns timeline entries into the page's views.
func MessageViews(msgs []models.Message) []templates.MessageView {
	out := make([]templates.MessageView, 0, len(msgs))
	for _, m := range msgs {
		v := templates.MessageView{ID: m.ID, Kind: m.Kind, Staff: m.AuthorType == models.ActorStaff,
			Author: m.AuthorName, At: m.CreatedAt.Format(timeLayout), Event: m.Event, Body: templates.Segments(m.Body)}
		for _, a := range m.Attachments {
			v.Attachments = append(v.Attachments, templates.AttachmentView{URL: AttachmentURL(a.ID), MediaType: a.MediaType,
				Filename: a.Filename, SizeBytes: a.SizeBytes, DurationMS: a.DurationMS})
		}
		out = append(out, v)
	}
	return out
}

func statusClass(s models.Status) string {
	class := map[models.Status]string{
		models.StatusOpen: "primary", models.StatusAwaitingAdmin: "warning", models.StatusAwaitingUser: "info",
		models.StatusEscalated: "danger", models.StatusResolved: "success", models.StatusClosed: "default",
	}[s]
	if class == "" {
		class = "default"
	}
	return class
}
