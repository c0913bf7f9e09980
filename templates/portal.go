package templates

import (
	"embed"
	"fmt"
	"io"
)

// The customer pages (/dashboard/messages) and the widget (/widget): whole
// pages of their own, not inside GoAdmin. They share one layout
// (portal.html); Compact makes it the widget's.
const (
	PortalLoginTemplate  = "portal-login"
	PortalListTemplate   = "portal-list"
	PortalThreadTemplate = "portal-thread"
	PortalErrorTemplate  = "portal-error"
	PortalResetTemplate  = "portal-reset"
	WidgetTemplate       = "widget-page"
)

//go:embed portal.js portal.css widget.js widget-app.js store.html
var assets embed.FS

// Asset returns one of the portal's static files (portal.js, portal.css,
// widget.js, widget-app.js, store.html).
func Asset(name string) ([]byte, error) { return assets.ReadFile(name) }

// PortalPage is every customer page: who is signed in, the form token and
// the page's own part (one of Login, List, Thread set).
type PortalPage struct {
	Title string
	// Compact is the widget's layout.
	Compact bool
	// Base is the pages' root (/dashboard/messages).
	Base     string
	Assets   string
	CSRF     string
	Customer string // the signed-in customer's name; "" when signed out
	IsGuest  bool
	Notice   string
	Error    string
	// RetryAfter is the wait of a rate-limit refusal, in seconds.
	RetryAfter int

	Widget *PortalWidget
	Login  *PortalLogin
	Reset  *PortalReset
	List   *PortalList
	Thread *PortalThread
}

// PortalLogin is the sign-in form and the forgotten-password form.
type PortalLogin struct {
	Action, Email string
	ForgotAction  string
	// IdentityHint says the shop can sign customers in itself.
	IdentityHint bool
}

// PortalReset is the form that sets a new password from an e-mailed link.
type PortalReset struct {
	Action, Token string
}

// PortalList is the conversation list with the new-conversation form.
type PortalList struct {
	Conversations []PortalConversation
	Orders        []PortalOrder
	NewAction     string
	Subject, Body string
	OrderID       int64
	Consent       *PortalConsent
	Quota         string
	Retention     string
	ChatOff       bool
	LogoutAction  string
	// OlderURL continues the list after its last row (keyset paging);
	// NewestURL goes back to the first page.
	OlderURL, NewestURL string
}

// PortalConversation is one row of the list.
type PortalConversation struct {
	URL, Subject, Status, Preview string
	LastActivity, LastActivityISO string
	Unread                        bool
}

// PortalOrder is one order in the picker.
type PortalOrder struct {
	ID    int64
	Label string
}

// PortalConsent is the privacy notice to accept (R18).
type PortalConsent struct {
	Text, URL string
}

// PortalThread is one conversation.
type PortalThread struct {
	Subject, Status     string
	Order               string // the linked order's number, if any
	BackURL, PostAction string
	AttachAction        string // the upload form's action; "" hides it
	ExportURL           string // "" for guests
	OlderURL, NewerURL  string
	Messages            []PortalMessage
	Seen                bool
	Draft               string
	Quota               string
	Retention, NearCut  string
	ChatOff             bool
	LogoutAction        string
}

// PortalMessage is one timeline entry as the customer sees it.
type PortalMessage struct {
	ID            int64
	Mine, Event   bool
	Author, Body  string
	Time, TimeISO string
	Attachments   []AttachmentView
}

// Portal renders a customer page.
func Portal(w io.Writer, name string, p PortalPage) error {
	if err := pages.ExecuteTemplate(w, name, p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return nil
}

// PortalWidget is the widget's iframe page: its script drives the JSON API.
type PortalWidget struct {
	// Origins are the shop origins whose postMessage is believed
	// (space-separated); the page's own origin always is.
	Origins string
	API     string
	// ConsentText and ConsentURL are the privacy notice (R18), shown
	// when the API asks for acceptance.
	ConsentText, ConsentURL string
}
