// Package policies is Parley's authorization (docs/design.md §4): who may do what on
// which conversation, which /admin routes each staff role may call, and the
// SQL scope of what each actor may list. Casbin holds the policy; the
// conditions it refers to are a closed set of named Go functions, each with
// its SQL twin.
package policies

// Action is something an actor does to an object.
type Action string

// The actions of policy.csv.
const (
	Read               Action = "read"
	Reply              Action = "reply"
	Note               Action = "note"
	Start              Action = "start"
	SetStatus          Action = "status"     // staff status override / close / resolve
	LeaveEscalated     Action = "deescalate" // moving a conversation out of ESCALATED
	Escalate           Action = "escalate"
	Take               Action = "take"
	Assign             Action = "assign"
	Delete             Action = "delete"
	Export             Action = "export"
	Block              Action = "block"
	ManageSettings     Action = "settings.manage"
	ManageFinancial    Action = "financial.manage"
	ReadAudit          Action = "audit.read"
	ManageQuickReplies Action = "quick_replies.manage"
	ManageStaff        Action = "staff.manage"        // agents and chat admins
	ListCustomers      Action = "customers.list"      // the customer directory, orders and blocks
	ManageAdmins       Action = "staff.manage_admins" // admins and owners (creating, promoting, demoting)
)

// The objects of policy.csv. Admin routes are checked by path with CanRoute.
const (
	ObjConversation = "conversation"
	ObjCustomer     = "customer"
	ObjSettings     = "settings"
	ObjFinancial    = "financial"
	ObjAudit        = "audit"
	ObjQuickReply   = "quick_reply"
	ObjStaff        = "staff"
	ObjBlock        = "block"
)
