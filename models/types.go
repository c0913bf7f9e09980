package models

import "time"

// ActorKind says which side of the conversation an actor is on.
type ActorKind string

// The actor kinds.
const (
	ActorStaff    ActorKind = "staff"
	ActorCustomer ActorKind = "customer"
	ActorGuest    ActorKind = "guest"
	ActorSystem   ActorKind = "system"
)

// Staff roles, strongest first; each is also the Casbin role and the GoAdmin role slug.
const (
	RoleOwner     = "owner"
	RoleAdmin     = "admin"
	RoleChatAdmin = "chat_admin"
	RoleAgent     = "agent"
	RoleCustomer  = "customer"
	RoleGuest     = "guest"
	RoleSystem    = "system"
)

// StaffRoles lists the staff roles, strongest first.
var StaffRoles = []string{RoleOwner, RoleAdmin, RoleChatAdmin, RoleAgent}

// IsStaffRole reports whether role names a staff role.
func IsStaffRole(role string) bool {
	for _, r := range StaffRoles {
		if r == role {
			return true
		}
	}
	return false
}

// Actor is whoever calls the service: a staff user, a customer, a guest or the system.
type Actor struct {
	Kind ActorKind
	ID   int64  // goadmin_users.id for staff, customers.id for customers and guests
	Role string // the Casbin role
	Name string // username or e-mail, for audit entries
	IP   string
}

// System is the actor of jobs and maintenance commands.
var System = Actor{Kind: ActorSystem, Role: RoleSystem, Name: "system"}

// IsStaff reports whether the actor is a staff user.
func (a Actor) IsStaff() bool { return a.Kind == ActorStaff }

// IsCustomer reports whether the actor is a customer or guest.
func (a Actor) IsCustomer() bool { return a.Kind == ActorCustomer || a.Kind == ActorGuest }

// Customer is a registered customer or a guest (one id space).
type Customer struct {
	ID         int64
	Email      string
	Name       string
	IsGuest    bool
	ExternalID string
	CreatedAt  time.Time
}

// Staff is a back-office user (a goadmin_users row with its Parley role).
type Staff struct {
	ID        int64
	Username  string
	Name      string
	Role      string
	Email     string
	Active    bool
	CreatedAt time.Time
}

// Order is a store order, optionally linked to a conversation (R4).
type Order struct {
	ID         int64
	CustomerID int64
	Number     string
	Status     string // open | fulfilled | cancelled
	TotalCents int64
	Currency   string
	CreatedAt  time.Time
	Items      []OrderItem
}

// OrderItem is one line of an order.
type OrderItem struct {
	ID         int64
	OrderID    int64
	SKU        string
	Name       string
	Quantity   int
	PriceCents int64
}

// Message kinds.
const (
	KindReply  = "reply"
	KindNote   = "note"
	KindSystem = "system"
)

// Conversation is a thread between one customer and the store's staff.
// Fields prefixed Public are what the customer sees (docs/design.md §3): notes and
// staff-only events never move them.
type Conversation struct {
	ID             int64
	CustomerID     int64
	CustomerName   string
	CustomerEmail  string
	Subject        string
	OrderID        *int64
	Status         Status
	AssignedTo     *int64
	FollowUpOf     *int64
	IsReadByAdmin  bool
	IsReadByUser   bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
	LastMessageAt  time.Time // staff view: any message or event
	LastPreview    string
	MessageCount   int
	PublicLastAt   time.Time // customer view
	PublicPreview  string
	PublicMessages int
	// FirstResponseAt is the first public staff reply (the first-response
	// metric; staff outreach is stamped at its start); nil until then.
	FirstResponseAt *time.Time
}

// PublicStatus is the conversation's status as its customer sees it, the
// one place that decides it: escalation is staff-only (R21, docs/design.md
// §3), so ESCALATED shows as AWAITING_ADMIN — to the customer the thread
// is simply waiting on the store.
func (c Conversation) PublicStatus() Status { return publicStatus(c.Status) }

func publicStatus(s Status) Status {
	if s == StatusEscalated {
		return StatusAwaitingAdmin
	}
	return s
}

// PublicStatuses lists the statuses customers see, in display order.
func PublicStatuses() []Status {
	var out []Status
	for _, s := range Statuses {
		if publicStatus(s) == s {
			out = append(out, s)
		}
	}
	return out
}

// StatusesShownAs lists the statuses a customer sees as s, for a customer's
// status filter (AWAITING_ADMIN also matches ESCALATED); none when
// customers never see s.
func StatusesShownAs(s Status) []Status {
	var out []Status
	for _, st := range Statuses {
		if publicStatus(st) == s {
			out = append(out, st)
		}
	}
	return out
}

// IsAssigned reports whether someone is assigned.
func (c Conversation) IsAssigned() bool { return c.AssignedTo != nil }

// Message is one entry of a conversation's timeline: a reply, a private
// note or a system event.
type Message struct {
	ID             int64
	ConversationID int64
	Kind           string // reply | note | system
	AuthorType     ActorKind
	AuthorID       *int64
	AuthorName     string
	Body           string
	Event          string // system events: status, reopened, assigned, …
	Public         bool   // visible to the customer
	CreatedAt      time.Time
	// Attachments are the message's files (R12), filled by the queries
	// that answer a timeline (Queries.WithAttachments).
	Attachments []Attachment
	// IP is where a customer's or guest's message came from: written on
	// insert, read back only by Queries.SenderIP (staff, R13).
	IP string
}

// PublicReply reports whether m is a reply the customer sees: what the
// activity shown to customers and the stale-reply guard count
// (LatestMessage's publicReply is the same in SQL).
func (m Message) PublicReply() bool { return m.Kind == KindReply && m.Public }

// Block refuses a customer's sends by customer, e-mail or IP (R13).
type Block struct {
	ID         int64
	CustomerID *int64
	Email      string
	IP         string
	Reason     string
	CreatedBy  int64
	CreatedAt  time.Time
}

// AuditEntry records one back-office action (R20).
type AuditEntry struct {
	ID          int64
	ActorType   ActorKind
	ActorID     int64
	ActorName   string
	Action      string
	SubjectType string
	SubjectID   int64
	Before      string // JSON
	After       string // JSON
	CreatedAt   time.Time
}

// Token is an API bearer token; only its hash is stored.
type Token struct {
	ID          int64
	SubjectType ActorKind
	SubjectID   int64
	ExpiresAt   time.Time
}
