package policies

import "github.com/parleyhq/parley/models"

// condition is a named condition of policy.csv. Its Go evaluator (used by
// Enforce) and its SQL fragment (used by Scope) are written side by side so
// that a list query and a single check can never disagree; the tests run
// both over the same rows.
type condition struct {
	// needsConversation says the condition looks at the conversation; with
	// none it cannot be evaluated (see check).
	needsConversation bool
	// holds evaluates the condition; c is non-nil when needsConversation.
	holds func(a models.Actor, c *models.Conversation) bool
	// sql is the same condition as a two-valued WHERE fragment over the
	// conversations columns assigned_to, customer_id and status.
	sql func(a models.Actor) (string, []any)
	// branches, when set, is sql split into disjoint parts whose union it
	// is: a list walks each part in index order instead of sorting an OR.
	branches func(a models.Actor) []models.Scope
}

// parts returns the condition as disjoint fragments.
func (cd condition) parts(a models.Actor) []models.Scope {
	if cd.branches != nil {
		return cd.branches(a)
	}
	w, args := cd.sql(a)
	return []models.Scope{{Where: w, Args: args}}
}

// conditions returns the closed set of named conditions. A policy line
// naming any other condition makes New fail.
func conditions() map[string]condition {
	never := func(models.Actor) (string, []any) { return "1=0", nil }
	mine := func(a models.Actor, c *models.Conversation) bool {
		return a.IsStaff() && c.AssignedTo != nil && *c.AssignedTo == a.ID
	}
	return map[string]condition{
		"any": {
			holds: func(models.Actor, *models.Conversation) bool { return true },
			sql:   func(models.Actor) (string, []any) { return "1=1", nil },
		},
		// own: the customer's (or guest's) own conversation. Customer and
		// staff ids are different id spaces, so only customers own.
		"own": {
			needsConversation: true,
			holds:             func(a models.Actor, c *models.Conversation) bool { return a.IsCustomer() && c.CustomerID == a.ID },
			sql: func(a models.Actor) (string, []any) {
				if !a.IsCustomer() {
					return never(a)
				}
				return "customer_id = ?", []any{a.ID}
			},
		},
		"unassigned": {
			needsConversation: true,
			holds:             func(_ models.Actor, c *models.Conversation) bool { return c.AssignedTo == nil },
			sql:               func(models.Actor) (string, []any) { return "assigned_to IS NULL", nil },
		},
		// mine: assigned to the staff actor.
		"mine": {
			needsConversation: true,
			holds:             mine,
			sql: func(a models.Actor) (string, []any) {
				if !a.IsStaff() {
					return never(a)
				}
				return "(assigned_to IS NOT NULL AND assigned_to = ?)", []any{a.ID}
			},
		},
		"unassigned_or_mine": {
			needsConversation: true,
			holds:             func(a models.Actor, c *models.Conversation) bool { return c.AssignedTo == nil || mine(a, c) },
			sql: func(a models.Actor) (string, []any) {
				if !a.IsStaff() {
					return "assigned_to IS NULL", nil
				}
				return "(assigned_to IS NULL OR assigned_to = ?)", []any{a.ID}
			},
			branches: func(a models.Actor) []models.Scope {
				if !a.IsStaff() {
					return []models.Scope{{Where: "assigned_to IS NULL"}}
				}
				return []models.Scope{{Where: "assigned_to IS NULL"}, {Where: "assigned_to = ?", Args: []any{a.ID}}}
			},
		},
		"not_closed": {
			needsConversation: true,
			holds:             func(_ models.Actor, c *models.Conversation) bool { return c.Status != models.StatusClosed },
			sql:               func(models.Actor) (string, []any) { return "status <> ?", []any{string(models.StatusClosed)} },
		},
		"closed": {
			needsConversation: true,
			holds:             func(_ models.Actor, c *models.Conversation) bool { return c.Status == models.StatusClosed },
			sql:               func(models.Actor) (string, []any) { return "status = ?", []any{string(models.StatusClosed)} },
		},
		"escalated": {
			needsConversation: true,
			holds:             func(_ models.Actor, c *models.Conversation) bool { return c.Status == models.StatusEscalated },
			sql:               func(models.Actor) (string, []any) { return "status = ?", []any{string(models.StatusEscalated)} },
		},
	}
}

// request is the r.ctx value of a domain Enforce call.
type request struct {
	actor models.Actor
	conv  *models.Conversation
}

// check evaluates a condition for one policy line. A condition that needs a
// conversation when there is none fails closed: it does not match an allow
// line and does match a deny line.
func (cd condition) check(eft string, req request) bool {
	if cd.needsConversation && req.conv == nil {
		return eft == "deny"
	}
	return cd.holds(req.actor, req.conv)
}
