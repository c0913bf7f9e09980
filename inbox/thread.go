package inbox

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// ThreadPageSize is how many of the newest messages the conversation page
// renders; older ones load on demand (Older).
const ThreadPageSize = 50

// RetentionWarnDays is how close to the purge's cut-off a thread's oldest
// message must be for the page to warn (R14).
const RetentionWarnDays = 7

// ThreadPage is what the back office's conversation page shows of one
// conversation: the newest messages, the retention notice, what the viewer
// may do, and the linked order.
type ThreadPage struct {
	Conversation models.Conversation
	Messages     []models.Message // oldest first, the newest ThreadPageSize
	HasOlder     bool             // messages before Messages[0] exist
	Retention    Retention
	Can          Abilities
	Assignee     string        // username, "" when unassigned
	Order        *models.Order // the linked order with its items
	SenderIP     bool          // an address to block by is known (R13)
	Uploads      UploadLimits  // R12's limits, for the reply box's file picker
	// Assignees are whom the viewer may assign the thread to (Can.Assign
	// only): active staff who may reply.
	Assignees []Assignee
}

// UploadLimits are the store's attachment limits (R12) as settings hold them.
type UploadLimits struct {
	MaxBytes, MaxSeconds int
}

// Retention is the thread's retention notice (R14).
type Retention struct {
	Days int // 0: messages are kept forever
	// Exempt: the purge skips this thread (ESCALATED or its order open).
	Exempt bool
	// PurgeAt is when the oldest message passes the cut-off; Warn when that
	// is within RetentionWarnDays.
	PurgeAt time.Time
	Warn    bool
}

// Abilities say which of the page's actions the viewer may take; the
// service checks each again when it is taken.
type Abilities struct {
	Reply, Note, Take, Assign, SetStatus, Escalate, LeaveEscalated, Delete, Block, Export bool
	ManageQuickReplies                                                                    bool
}

// ThreadView loads the conversation page for a staff member without
// marking it read (the page does that with a same-origin MarkRead).
func (s *Service) ThreadView(ctx context.Context, a models.Actor, id int64) (ThreadPage, error) {
	if !a.IsStaff() {
		return ThreadPage{}, models.NotFound("conversation", id)
	}
	c, err := s.load(ctx, s.store.Queries, a, id, false)
	if err != nil {
		return ThreadPage{}, err
	}
	p := ThreadPage{Conversation: c, Can: s.abilities(a, c)}
	if p.Messages, p.HasOlder, err = s.messagesBefore(ctx, a, id, 0); err != nil {
		return p, err
	}
	// One read of the staff serves the assign picker and the assignee's
	// name when the viewer may assign; otherwise the assignee alone.
	var staff []models.Staff
	if p.Can.Assign {
		if staff, err = s.store.ListStaff(ctx); err != nil {
			return p, err
		}
		p.Assignees = s.assigneesOf(staff)
	} else if c.AssignedTo != nil {
		if st, err := s.store.StaffMember(ctx, *c.AssignedTo); err == nil {
			staff = []models.Staff{st}
		}
	}
	if c.AssignedTo != nil {
		p.Assignee = fmt.Sprintf("staff #%d", *c.AssignedTo)
		for _, st := range staff {
			if st.ID == *c.AssignedTo {
				p.Assignee = st.Username
			}
		}
	}
	if c.OrderID != nil {
		o, err := s.store.OrderWithItems(ctx, *c.OrderID)
		if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
			return p, err
		}
		if err == nil {
			p.Order = &o
		}
	}
	set, err := s.store.Settings(ctx)
	if err != nil {
		return p, err
	}
	p.Uploads = UploadLimits{MaxBytes: set.MaxAttachmentBytes, MaxSeconds: set.MaxMediaSeconds}
	if p.Retention, err = s.retention(ctx, set, c, p.Order); err != nil {
		return p, err
	}
	if p.Can.Block {
		ip, err := s.store.SenderIP(ctx, id)
		if err != nil {
			return p, err
		}
		p.SenderIP = ip != ""
	}
	return p, nil
}

// Older lists the messages of a conversation before message before (an id
// the page already shows), oldest first, ThreadPageSize at most; more says
// whether even older ones exist. Same visibility as the page (R6a, R8).
func (s *Service) Older(ctx context.Context, a models.Actor, id, before int64) (msgs []models.Message, more bool, err error) {
	if before <= 0 {
		return nil, false, models.Errorf(models.EINVALID, "invalid message id")
	}
	if _, err := s.load(ctx, s.store.Queries, a, id, false); err != nil {
		return nil, false, err
	}
	return s.messagesBefore(ctx, a, id, before)
}

func (s *Service) messagesBefore(ctx context.Context, a models.Actor, id, before int64) ([]models.Message, bool, error) {
	msgs, err := s.store.MessagesBefore(ctx, id, !a.IsStaff(), before, ThreadPageSize+1)
	if err != nil {
		return nil, false, err
	}
	more := len(msgs) > ThreadPageSize
	if more {
		msgs = msgs[:ThreadPageSize]
	}
	slices.Reverse(msgs) // oldest first, as the page shows them
	if a.IsStaff() {
		msgs = StaffTimeline(msgs)
	}
	return msgs, more, nil
}

// StaffTimeline shows each system event once to staff: a status change
// is written twice (the staff's line with its reason, and the customer's
// public line, docs/design.md §3), and staff need only the first.
func StaffTimeline(msgs []models.Message) []models.Message {
	out := msgs[:0:0]
	for i, m := range msgs {
		if i > 0 && m.Kind == models.KindSystem && m.Public {
			prev := msgs[i-1]
			if prev.Kind == models.KindSystem && !prev.Public && prev.Event == EventStatus && prev.AuthorName == m.AuthorName &&
				m.CreatedAt.Sub(prev.CreatedAt) < time.Second && (m.Event == EventReopened || m.Event == EventStatus) {
				continue
			}
		}
		out = append(out, m)
	}
	return out
}

func (s *Service) abilities(a models.Actor, c models.Conversation) Abilities {
	can := func(act policies.Action) bool { return s.can(a, act, &c) }
	asClosed := c
	asClosed.Status = models.StatusClosed
	return Abilities{
		Reply: can(policies.Reply), Note: can(policies.Note),
		Take:      c.AssignedTo == nil && can(policies.Take),
		Assign:    can(policies.Assign),
		SetStatus: can(policies.SetStatus) && (c.Status != models.StatusEscalated || can(policies.LeaveEscalated)),
		Escalate:  c.Status != models.StatusEscalated && can(policies.Escalate), LeaveEscalated: can(policies.LeaveEscalated),
		Delete: s.can(a, policies.Delete, &asClosed),
		Block:  s.pol.Can(a, policies.ObjBlock, policies.Block, nil), Export: can(policies.Export),
		ManageQuickReplies: s.pol.Can(a, policies.ObjQuickReply, policies.ManageQuickReplies, nil),
	}
}

// retention works out the thread's notice (R14): the purge deletes
// messages older than RetentionDays unless the thread is ESCALATED or its
// linked order is open.
func (s *Service) retention(ctx context.Context, set models.Settings, c models.Conversation, o *models.Order) (Retention, error) {
	r := Retention{Days: set.RetentionDays}
	if r.Days <= 0 {
		return r, nil
	}
	r.Exempt = c.Status == models.StatusEscalated || (o != nil && o.Status == "open")
	first, ok, err := s.store.FirstMessageAt(ctx, c.ID)
	if err != nil || !ok {
		return r, err
	}
	r.PurgeAt = first.AddDate(0, 0, r.Days)
	r.Warn = !r.Exempt && r.PurgeAt.Before(s.now().AddDate(0, 0, RetentionWarnDays))
	return r, nil
}

// Assignee is a staff member a conversation may be assigned to.
type Assignee struct {
	ID       int64
	Username string
	Name     string
	Role     string
}

// assigneesOf picks from staff the active ones whose role works
// conversations (R6): whom "Assign to" offers (ThreadPage.Assignees).
func (s *Service) assigneesOf(staff []models.Staff) []Assignee {
	roles := map[string]bool{}
	for _, r := range s.pol.HolderRoles("conversation", policies.Reply) {
		roles[r] = true
	}
	var out []Assignee
	for _, st := range staff {
		if st.Active && roles[st.Role] {
			out = append(out, Assignee{ID: st.ID, Username: st.Username, Name: st.Name, Role: st.Role})
		}
	}
	return out
}

// Block ways of BlockSender (R13).
const (
	BlockByCustomer = "customer"
	BlockByEmail    = "email"
	BlockByIP       = "ip"
)

// BlockSender blocks the customer of a conversation the actor may see, by
// customer, by e-mail or by the address their latest message came from
// (R13). The address never leaves the service.
func (s *Service) BlockSender(ctx context.Context, a models.Actor, id int64, by, reason string) (models.Block, error) {
	c, err := s.load(ctx, s.store.Queries, a, id, false)
	if err != nil {
		return models.Block{}, err
	}
	in := BlockInput{Reason: reason}
	switch by {
	case BlockByCustomer:
		in.CustomerID = &c.CustomerID
	case BlockByEmail:
		if c.CustomerEmail == "" {
			return models.Block{}, models.Errorf(models.EINVALID, "this customer has no e-mail address")
		}
		in.Email = c.CustomerEmail
	case BlockByIP:
		if !s.pol.Can(a, policies.ObjBlock, policies.Block, nil) {
			return models.Block{}, models.Errorf(models.EFORBIDDEN, "you may not block customers")
		}
		if in.IP, err = s.store.SenderIP(ctx, id); err != nil {
			return models.Block{}, err
		}
		if in.IP == "" {
			return models.Block{}, models.Errorf(models.EINVALID, "no address is recorded for this customer's messages")
		}
	default:
		return models.Block{}, models.Errorf(models.EINVALID, "block by customer, email or ip")
	}
	return s.Block(ctx, a, in)
}
