package templates

import (
	"html/template"
	"regexp"
	"strings"
)

// Template names of the conversation page.
const (
	ThreadTemplate         = "thread.html"
	ThreadMessagesTemplate = "thread-messages"
)

// ThreadPage is the back office's conversation page around GoAdmin's
// reply form (Form): header, actions, history, quick replies and the
// customer panel. Every string is plain text; the template escapes it.
type ThreadPage struct {
	ID                                int64
	Subject, Status, StatusClass      string
	CustomerID                        int64
	CustomerName, CustomerEmail       string
	OrderNumber, OrderStatus          string
	Assignee                          string // "" when unassigned
	Created, LastActivity             string
	Retention                         RetentionNotice
	Messages                          []MessageView
	HasOlder                          bool
	OldestID                          int64
	LastSeen                          int64 // the newest public reply shown (the stale-reply guard), 0 if none
	ViewerID                          int64 // the staff member viewing (the live script leaves out their own signals)
	Unread                            bool
	Can                               ThreadAbilities
	Assignees                         []Option
	ActionPath, OlderPath, ExportPath string // ExportPath "" when there is no export route
	QuickReplies                      []QuickReplyOption
	ManageQuickRepliesPath            string         // "" unless the viewer manages quick replies
	Customer                          *CustomerPanel // nil when it could not be loaded
	// The reply form: Reply when Parley renders the page, else Form,
	// GoAdmin's own rendering (a refused send's page, keeping the draft).
	Reply *ReplyForm
	Form  template.HTML
	Files FileBox
}

// ReplyForm is the conversation's reply form (tables/form.go's fields),
// posted to GoAdmin's edit route with GoAdmin's form token.
type ReplyForm struct {
	Action, Token, Previous string
	Kinds, Statuses         []Option
	Text                    ReplyText
}

// ReplyText is the reply form's wording, one copy for both renderings of
// the form (this page's and GoAdmin's page of a refused send).
type ReplyText struct {
	Title, Send                           string
	Kind                                  string
	Body, BodyPlaceholder, BodyHelp       string
	Status, StatusPlaceholder, StatusHelp string
	Reason, ReasonPlaceholder, ReasonHelp string
}

// FileBox is the reply box's file picker and voice recorder (attach.js):
// where files go and the limits it checks before sending (the server
// checks them again).
type FileBox struct {
	UploadPath, ScriptPath string
	MaxBytes, MaxSeconds   int
}

// RetentionNotice is R14's notice: Days 0 keeps messages forever.
type RetentionNotice struct {
	Days    int
	Exempt  bool
	PurgeAt string // when the oldest message goes, "" if none
	Warn    bool
}

// ThreadAbilities say which actions the page offers.
type ThreadAbilities struct {
	Take, Assign, Resolve, Close, Escalate, Delete, Block, BlockIP, Closed bool
}

// Option is one choice of a select.
type Option struct {
	Value, Text string
	Selected    bool
}

// QuickReplyOption is a quick reply with its variables filled in for this
// thread.
type QuickReplyOption struct {
	ID           int64
	Title, Text  string
	Unknown      bool // a variable could not be filled (no linked order …)
	MissingNames string
}

// MessageView is one timeline entry.
type MessageView struct {
	ID                int64
	Kind              string // reply | note | system
	Staff             bool
	Author, At, Event string
	Body              []Segment
	Attachments       []AttachmentView
}

// Segment is a run of a message body: plain text, or a link (R3: links are
// clickable, nothing else is interpreted).
type Segment struct {
	Text string
	URL  string // "" for text
}

// CustomerPanel is the customer beside the thread.
type CustomerPanel struct {
	ID                    int64
	Name, Email           string
	Guest                 bool
	Online                bool
	Marketing             bool
	Created, Address      string
	Note, NoteUpdated     string
	CanEditNote           bool
	Cart                  []LineView
	CartUpdated           string
	HasCart               bool
	Orders                []OrderView
	LinkedOrder           *OrderView
	Conversations         []ConversationLink
	ConversationsTruncate bool
}

// LineView is an order or cart line.
type LineView struct {
	SKU, Name, Price string
	Quantity         int
}

// OrderView is an order in the customer panel.
type OrderView struct {
	Number, Status, Total, Created string
	Items                          []LineView
}

// ConversationLink is one of the customer's other conversations.
type ConversationLink struct {
	URL, Subject, Status, LastActivity string
	Current                            bool
}

// urlPattern finds http(s) links in a message body.
var urlPattern = regexp.MustCompile(`https?://[^\s<>"'\x60]+`)

// Segments splits a message body into text and links. A link's trailing
// punctuation stays text ("see https://x.example/a." links without the dot).
func Segments(body string) []Segment {
	var out []Segment
	last := 0
	for _, loc := range urlPattern.FindAllStringIndex(body, -1) {
		start, end := loc[0], loc[1]
		u := strings.TrimRight(body[start:end], ".,;:!?)]}")
		if len(u) <= len("https://") {
			continue
		}
		end = start + len(u)
		if start > last {
			out = append(out, Segment{Text: body[last:start]})
		}
		out = append(out, Segment{Text: u, URL: u})
		last = end
	}
	if last < len(body) {
		out = append(out, Segment{Text: body[last:]})
	}
	return out
}

// Thread renders the conversation page.
func Thread(p ThreadPage) (template.HTML, error) { return render(ThreadTemplate, p) }

// ThreadMessages renders timeline entries alone (older history loaded on
// demand).
func ThreadMessages(msgs []MessageView) (template.HTML, error) {
	return render(ThreadMessagesTemplate, msgs)
}

// QuickRepliesTemplate is the back office's quick-reply management page.
const QuickRepliesTemplate = "thread_quickreplies.html"

// QuickRepliesPage lists the quick replies with their edit forms and a
// form for a new one (DraftTitle/DraftBody keep a refused new one).
type QuickRepliesPage struct {
	Action                string
	Items                 []QuickReplyItem
	Variables             []string
	Notice, Error         string
	DraftTitle, DraftBody string
}

// QuickReplyItem is one quick reply as written (variables unfilled).
type QuickReplyItem struct {
	ID          int64
	Title, Body string
}

// QuickReplies renders the quick-reply management page.
func QuickReplies(p QuickRepliesPage) (template.HTML, error) { return render(QuickRepliesTemplate, p) }
