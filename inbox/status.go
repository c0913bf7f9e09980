package inbox

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// MaxReasonRunes bounds the reason of an override or escalation.
const MaxReasonRunes = 500

// ChangeStatus is a staff override of a conversation's status, with an
// optional reason kept on the timeline event (required to escalate, R21).
func (s *Service) ChangeStatus(ctx context.Context, a models.Actor, id int64, to models.Status, reason string) (models.Conversation, error) {
	var out models.Conversation
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		c, err := s.load(ctx, tx.Queries, a, id, true)
		if err != nil {
			return err
		}
		out, err = s.changeStatus(ctx, tx, a, c, to, reason)
		return err
	})
	if err != nil {
		return models.Conversation{}, fmt.Errorf("change status of %d: %w", id, err)
	}
	s.publish(ctx, conversationEvent(EventConversationUpdated, out))
	return out, nil
}

// Update is a staff edit of a conversation: an optional reply or note, an
// assignment and a status override with its reason, applied in that order
// in one transaction. The override comes last so the staff member's choice
// wins; a refusal of any part leaves nothing of the others behind (no reply
// without its override, no assignment without its status).
type Update struct {
	Reply       *Draft // optional message, sent first
	SetAssignee bool   // apply AssignTo (nil unassigns)
	AssignTo    *int64 // with SetAssignee
	Status      models.Status
	Reason      string
}

// Draft is a message to send as part of an Update.
type Draft struct {
	Kind string // models.KindReply (default) or models.KindNote
	Body string
	// LastSeen is the stale-reply guard (see LastSeen): the newest message
	// the page showed; nil, no check.
	LastSeen *int64
}

// Update applies an Update; with nothing to change it answers the
// conversation as it is. The answer is the conversation after every part.
func (s *Service) Update(ctx context.Context, a models.Actor, id int64, u Update) (models.Conversation, error) {
	if u.Status == "" && u.Reason != "" {
		return models.Conversation{}, models.Errorf(models.EINVALID, "a reason goes with a status change")
	}
	if u.Reply != nil {
		if u.Reply.Kind == "" {
			u.Reply.Kind = models.KindReply
		}
		if u.Reply.Kind != models.KindReply && u.Reply.Kind != models.KindNote {
			return models.Conversation{}, models.Errorf(models.EINVALID, "kind must be %q or %q", models.KindReply, models.KindNote)
		}
		if !a.IsStaff() {
			return models.Conversation{}, models.Errorf(models.EFORBIDDEN, "only staff edit a conversation")
		}
		if err := models.ValidateBody(u.Reply.Body); err != nil {
			return models.Conversation{}, err
		}
		if u.Reply.LastSeen != nil && *u.Reply.LastSeen <= 0 {
			return models.Conversation{}, models.Errorf(models.EINVALID, "last_seen_message_id must be a message id")
		}
	}
	var out models.Conversation
	var reply *models.Message
	var assigned change
	err := s.store.InTx(ctx, func(tx *models.Tx) (err error) {
		// An assignment alone loads the conversation itself: a take of one
		// someone else just took must answer as Take does (R6), not as a
		// thread outside the caller's scope.
		if u.Reply != nil || !u.SetAssignee {
			lock := u.Status != "" || u.Reply != nil
			if out, err = s.load(ctx, tx.Queries, a, id, lock); err != nil {
				return err
			}
		}
		if u.Reply != nil {
			if err := s.mayWrite(a, out, u.Reply.Kind); err != nil {
				return err
			}
			// A staff reply stays in this conversation (only customers land
			// in a follow-up), so the later parts apply to the same row.
			if err := stale(ctx, tx.Queries, a, out, u.Reply.LastSeen); err != nil {
				return err
			}
			var m models.Message
			if m, out, err = s.send(ctx, tx, a, out, u.Reply.Kind, u.Reply.Body); err != nil {
				return err
			}
			reply = &m
		}
		if u.SetAssignee {
			if assigned, err = s.assign(ctx, tx, a, id, u.AssignTo); err != nil {
				return err
			}
			out = assigned.after
		}
		if u.Status != "" && (u.Status != out.Status || u.Reply == nil) {
			out, err = s.changeStatus(ctx, tx, a, out, u.Status, u.Reason)
		}
		return err
	})
	if err != nil {
		return models.Conversation{}, fmt.Errorf("update %d: %w", id, err)
	}
	updated := conversationEvent(EventConversationUpdated, out)
	if reply != nil {
		s.publish(ctx, messageEvent(out, *reply))
		// A note alone changes nothing a customer may know of (R8).
		updated.Private = !reply.Public && u.Status == "" && !u.SetAssignee
	}
	s.publish(ctx, updated)
	if u.SetAssignee && !sameAssignee(assigned.before.AssignedTo, out.AssignedTo) {
		s.publish(ctx, conversationEvent(EventConversationUpdated, assigned.before)) // who could read it before learn it left them
	}
	return out, nil
}

// changeStatus applies an override to a locked, visible conversation.
func (s *Service) changeStatus(ctx context.Context, tx *models.Tx, a models.Actor, c models.Conversation, to models.Status, reason string) (models.Conversation, error) {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n > MaxReasonRunes {
		return c, models.Errorf(models.EINVALID, "reason is %d characters long; the limit is %d", n, MaxReasonRunes)
	}
	if !a.IsStaff() && a.Kind != models.ActorSystem {
		return c, models.Errorf(models.EFORBIDDEN, "only staff change a conversation's status")
	}
	t, err := models.Override(c.Status, to)
	if err != nil {
		return c, err
	}
	if !s.can(a, policies.SetStatus, &c) {
		return c, models.Errorf(models.EFORBIDDEN, "you may not change the status of conversation %d", c.ID)
	}
	if c.Status == models.StatusEscalated && !s.can(a, policies.LeaveEscalated, &c) {
		return c, models.Errorf(models.EFORBIDDEN, "conversation %d is escalated: only chat admins and finance staff may move it on", c.ID)
	}
	if to == models.StatusEscalated {
		if !s.can(a, policies.Escalate, &c) {
			return c, models.Errorf(models.EFORBIDDEN, "you may not escalate conversation %d", c.ID)
		}
		if reason == "" {
			return c, models.Errorf(models.EINVALID, "escalating needs a reason")
		}
	}
	before := viewOf(c)
	from := c.Status
	c.Status = to
	if err := s.statusEvent(ctx, tx, &c, a, from, t, reason); err != nil {
		return c, err
	}
	if err := tx.SaveConversation(ctx, c); err != nil {
		return c, err
	}
	if err := s.resolved(ctx, tx, c); err != nil {
		return c, err
	}
	if to == models.StatusEscalated {
		if err := s.notifyEscalation(ctx, tx, c); err != nil { // R19, R21
			return c, err
		}
	}
	after := viewOf(c)
	after.Reason = reason
	return c, s.audit(ctx, tx, a, "conversation.status", "conversation", c.ID, before, after)
}

// Bulk actions of the inbox list.
const (
	BulkDelete  = "delete"
	BulkClose   = "close"
	BulkResolve = "resolve"
)

// MaxBulk bounds one bulk action.
const MaxBulk = 500

// Bulk applies one action to many conversations, all or nothing in one
// transaction. It answers the ids it changed.
func (s *Service) Bulk(ctx context.Context, a models.Actor, action string, ids []int64) ([]int64, error) {
	ids, err := cleanIDs(ids)
	if err != nil {
		return nil, err
	}
	if err := checkBulkAction(action, false); err != nil {
		return nil, err
	}
	return ids, s.bulkCommit(ctx, a, action, ids, nil)
}

// cleanIDs validates a list of ids: 1 to MaxBulk positive ids, deduplicated.
func cleanIDs(ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, models.Errorf(models.EINVALID, "no conversation ids given")
	}
	if len(ids) > MaxBulk {
		return nil, models.Errorf(models.EINVALID, "at most %d conversations at once; %d given", MaxBulk, len(ids))
	}
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id <= 0 {
			return nil, models.Errorf(models.EINVALID, "invalid conversation id %d", id)
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// lockVisible locks the conversations, answering not_found with the ids
// that are unknown or outside the actor's scope (R6a).
func (s *Service) lockVisible(ctx context.Context, tx *models.Tx, a models.Actor, ids []int64) ([]models.Conversation, error) {
	convs, err := tx.LockConversations(ctx, ids)
	if err != nil {
		return nil, err
	}
	found := make(map[int64]bool, len(convs))
	var visible []models.Conversation
	for _, c := range convs {
		if s.visible(a, c) == nil {
			found[c.ID] = true
			visible = append(visible, c)
		}
	}
	var missing []int64
	for _, id := range ids {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, &models.Error{Code: models.ENOTFOUND, IDs: missing, Message: fmt.Sprintf("%s not found", nameIDs(missing))}
	}
	return visible, nil
}

// nameIDs reads "conversation 4" or "conversations 4, 7".
func nameIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	if len(ids) == 1 {
		return "conversation " + parts[0]
	}
	return "conversations " + strings.Join(parts, ", ")
}
