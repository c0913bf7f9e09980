// Package inbox is Parley's one domain service: every rule that changes a
// conversation, a message or an account lives here, with the authorization
// check inside each method so no entry point can skip it.
package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// Clock tells the time; tests and the demo seeder use their own.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// Limiter is a sliding-window rate limiter (R11, login throttling). Allow
// records one hit under key when fewer than limit hits fall inside window,
// and otherwise says how long until the next one fits.
type Limiter interface {
	Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
}

// Service is the inbox. Build it with New.
type Service struct {
	store   *models.Store
	pol     *policies.Enforcer
	clock   Clock
	limiter Limiter
	limits  Limits
	// exportBatch overrides ExportBatch (tests); 0 means ExportBatch.
	exportBatch int
	files       Files // attachments (R12); set by WithFiles

	// Jobs (issue 8): what removes purged attachment files (the
	// attachment store unless WithFileRemover says otherwise).
	remover FileRemover

	presence Presence      // inbox/presence.go: e-mail rule (R19), distribution (R17)
	secret   []byte        // inbox/email.go: signs unsubscribe links
	window   time.Duration // inbox/recipients.go: the e-mail burst window

	publisher Publisher // inbox/events.go: live events (issue 9)
}

// Limits are the per-actor rate limits of R11.
type Limits struct {
	CustomerMessages, CustomerConversations int
	GuestMessages, GuestConversations       int
	Window                                  time.Duration
}

// DefaultLimits are the limits of R11.
func DefaultLimits() Limits {
	return Limits{CustomerMessages: 30, CustomerConversations: 5, GuestMessages: 10, GuestConversations: 3, Window: time.Minute}
}

// Option adds an optional dependency to the service (a mailer, a file
// store, an event publisher); each is declared next to the code using it.
type Option func(*Service)

// New builds the service.
func New(store *models.Store, pol *policies.Enforcer, clock Clock, limiter Limiter, opts ...Option) *Service {
	s := &Service{store: store, pol: pol, clock: clock, limiter: limiter, limits: DefaultLimits()}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Service) now() time.Time { return models.Now(s.clock.Now()) }

// can checks a permission on a conversation the actor can already see.
func (s *Service) can(a models.Actor, act policies.Action, c *models.Conversation) bool {
	return s.pol.Can(a, "conversation", act, c)
}

// visible answers not_found unless the actor may read the conversation (R6a).
func (s *Service) visible(a models.Actor, c models.Conversation) error {
	if !s.can(a, policies.Read, &c) {
		return models.NotFound("conversation", c.ID)
	}
	return nil
}

// load reads a conversation the actor may see.
func (s *Service) load(ctx context.Context, q models.Queries, a models.Actor, id int64, lock bool) (models.Conversation, error) {
	var c models.Conversation
	var err error
	if lock {
		c, err = q.LockConversation(ctx, id)
	} else {
		c, err = q.Conversation(ctx, id)
	}
	if models.ErrorCode(err) == models.ENOTFOUND {
		return c, models.NotFound("conversation", id)
	}
	if err != nil {
		return c, err
	}
	return c, s.visible(a, c)
}

// audit writes the audit entry of a staff or system action (R20).
func (s *Service) audit(ctx context.Context, tx *models.Tx, a models.Actor, action, subjectType string, subjectID int64, before, after any) error {
	return tx.InsertAudit(ctx, auditEntry(a, action, subjectType, subjectID, before, after, s.now()))
}

// auditEntry builds an audit entry: who, what, when, before/after as JSON.
func auditEntry(a models.Actor, action, subjectType string, subjectID int64, before, after any, at time.Time) *models.AuditEntry {
	return &models.AuditEntry{ActorType: a.Kind, ActorID: a.ID, ActorName: a.Name, Action: action,
		SubjectType: subjectType, SubjectID: subjectID, Before: toJSON(before), After: toJSON(after), CreatedAt: at}
}

func toJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return string(b)
}

// auditView is what an audit entry records of a conversation.
type auditView struct {
	Status     models.Status `json:"status"`
	AssignedTo *int64        `json:"assigned_to"`
	Subject    string        `json:"subject,omitempty"`
	CustomerID int64         `json:"customer_id,omitempty"`
	Reason     string        `json:"reason,omitempty"`
}

func viewOf(c models.Conversation) auditView {
	return auditView{Status: c.Status, AssignedTo: c.AssignedTo}
}

func actorID(a models.Actor) *int64 {
	if a.Kind == models.ActorSystem {
		return nil
	}
	id := a.ID
	return &id
}
