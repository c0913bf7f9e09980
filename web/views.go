package web

import (
	"time"

	"github.com/parleyhq/parley/models"
)

// staffConversation is a conversation as staff see it.
type staffConversation struct {
	ID                 int64         `json:"id"`
	Subject            string        `json:"subject"`
	Status             models.Status `json:"status"`
	CustomerID         int64         `json:"customer_id"`
	CustomerName       string        `json:"customer_name"`
	CustomerEmail      string        `json:"customer_email"`
	OrderID            *int64        `json:"order_id"`
	AssignedTo         *int64        `json:"assigned_to"`
	FollowUpOf         *int64        `json:"follow_up_of"`
	IsReadByAdmin      bool          `json:"is_read_by_admin"`
	IsReadByUser       bool          `json:"is_read_by_user"`
	CreatedAt          time.Time     `json:"created_at"`
	UpdatedAt          time.Time     `json:"updated_at"`
	LastMessageAt      time.Time     `json:"last_message_at"`
	LastMessagePreview string        `json:"last_message_preview"`
	MessageCount       int           `json:"message_count"`
}

func staffView(c models.Conversation) staffConversation {
	return staffConversation{
		ID: c.ID, Subject: c.Subject, Status: c.Status, CustomerID: c.CustomerID,
		CustomerName: c.CustomerName, CustomerEmail: c.CustomerEmail, OrderID: c.OrderID,
		AssignedTo: c.AssignedTo, FollowUpOf: c.FollowUpOf, IsReadByAdmin: c.IsReadByAdmin, IsReadByUser: c.IsReadByUser,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(), LastMessageAt: c.LastMessageAt.UTC(),
		LastMessagePreview: c.LastPreview, MessageCount: c.MessageCount,
	}
}

// customerConversation is a conversation as its customer sees it. It is a
// type of its own, not the staff one with fields blanked: assignment,
// escalation and notes are staff-only (docs/design.md §3, R8), so it has no
// assigned_to or updated_at (which assignment moves) — only whether the
// store has read what they wrote (seen_by_store, the pages' "Seen") — and
// its activity, preview and count are the Public* values that only public
// messages move. ESCALATED shows as AWAITING_ADMIN: to the customer the
// thread is simply waiting on the store.
type customerConversation struct {
	ID                 int64         `json:"id"`
	Subject            string        `json:"subject"`
	Status             models.Status `json:"status"`
	CustomerID         int64         `json:"customer_id"`
	OrderID            *int64        `json:"order_id"`
	FollowUpOf         *int64        `json:"follow_up_of"`
	IsReadByUser       bool          `json:"is_read_by_user"`
	SeenByStore        bool          `json:"seen_by_store"` // the store read all they wrote: "Seen"
	CreatedAt          time.Time     `json:"created_at"`
	LastMessageAt      time.Time     `json:"last_message_at"`
	LastMessagePreview string        `json:"last_message_preview"`
	MessageCount       int           `json:"message_count"`
	// Unread is the caller's unread notifications of the conversation
	// (R19's badge); only the list fills it.
	Unread int `json:"unread"`
}

func customerView(c models.Conversation) customerConversation {
	return customerConversation{
		ID: c.ID, Subject: c.Subject, Status: c.PublicStatus(), CustomerID: c.CustomerID,
		OrderID: c.OrderID, FollowUpOf: c.FollowUpOf, IsReadByUser: c.IsReadByUser, SeenByStore: c.IsReadByAdmin,
		CreatedAt: c.CreatedAt.UTC(), LastMessageAt: c.PublicLastAt.UTC(),
		LastMessagePreview: c.PublicPreview, MessageCount: c.PublicMessages,
	}
}

// message is one timeline entry. Customers only ever get public ones: the
// service filters them (R8).
type message struct {
	ID             int64            `json:"id"`
	ConversationID int64            `json:"conversation_id"`
	Kind           string           `json:"kind"`
	AuthorType     models.ActorKind `json:"author_type"`
	AuthorID       *int64           `json:"author_id"`
	AuthorName     string           `json:"author_name"`
	Body           string           `json:"body"`
	Event          string           `json:"event,omitempty"`
	CreatedAt      time.Time        `json:"created_at"`
	Attachments    []attachment     `json:"attachments"`
}

// messageView shows a message; staff picks the side whose API serves its
// attachments.
func messageView(m models.Message, staff bool) message {
	return message{ID: m.ID, ConversationID: m.ConversationID, Kind: m.Kind, AuthorType: m.AuthorType,
		AuthorID: m.AuthorID, AuthorName: m.AuthorName, Body: m.Body, Event: m.Event, CreatedAt: m.CreatedAt.UTC(),
		Attachments: attachmentViews(m.Attachments, staff)}
}

func messageViews(ms []models.Message, staff bool) []message {
	out := make([]message, 0, len(ms))
	for _, m := range ms {
		out = append(out, messageView(m, staff))
	}
	return out
}

// list is one page of a list; NextCursor is null at the end.
type list[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func pageOf[T any](p models.ConversationPage, view func(models.Conversation) T) list[T] {
	out := list[T]{Items: make([]T, 0, len(p.Items))}
	for _, c := range p.Items {
		out.Items = append(out.Items, view(c))
	}
	if p.NextCursor != "" {
		next := p.NextCursor
		out.NextCursor = &next
	}
	return out
}

// thread is GET …/conversations/{id}.
type thread[T any] struct {
	Conversation       T         `json:"conversation"`
	Messages           []message `json:"messages"`
	MessagesNextCursor *string   `json:"messages_next_cursor"`
}

// posted answers a new conversation or message: the message and the
// conversation it landed in.
type posted[T any] struct {
	Conversation T       `json:"conversation"`
	Message      message `json:"message"`
}

// conversationOnly answers PATCH.
type conversationOnly struct {
	Conversation staffConversation `json:"conversation"`
}
