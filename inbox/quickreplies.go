package inbox

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// MaxQuickReplyTitleRunes bounds a quick reply's title.
const MaxQuickReplyTitleRunes = 100

// Quick reply variables, filled in from the thread before sending.
const (
	VarCustomerName  = "customer.name"
	VarCustomerEmail = "customer.email"
	VarOrderNumber   = "order.number"
	VarAgentName     = "agent.name"
	VarSubject       = "conversation.subject"
)

// QuickReplyVariables lists the variables a quick reply may use.
func QuickReplyVariables() []string {
	return []string{VarCustomerName, VarCustomerEmail, VarOrderNumber, VarAgentName, VarSubject}
}

// variablePattern is any {…} token: each must be a known variable.
var variablePattern = regexp.MustCompile(`\{[^{}\s]{0,64}\}`)

// ValidateQuickReply checks a title and body: the body follows R3 and
// names only known variables.
func ValidateQuickReply(title, body string) (string, error) {
	if !utf8.ValidString(title) {
		return "", models.Errorf(models.EINVALID, "title is not valid UTF-8 text")
	}
	title = strings.TrimSpace(title)
	if n := utf8.RuneCountInString(title); n == 0 || n > MaxQuickReplyTitleRunes {
		return "", models.Errorf(models.EINVALID, "title must be 1 to %d characters", MaxQuickReplyTitleRunes)
	}
	if strings.ContainsFunc(title, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", models.Errorf(models.EINVALID, "title contains control characters")
	}
	if err := models.ValidateBody(body); err != nil {
		return "", err
	}
	known := map[string]bool{}
	for _, v := range QuickReplyVariables() {
		known[v] = true
	}
	var unknown []string
	for _, tok := range variablePattern.FindAllString(body, -1) {
		if name := tok[1 : len(tok)-1]; !known[name] {
			unknown = append(unknown, tok)
		}
	}
	if len(unknown) > 0 {
		return "", models.Errorf(models.EINVALID, "unknown variable %s (use %s)", strings.Join(unknown, ", "),
			"{"+strings.Join(QuickReplyVariables(), "}, {")+"}")
	}
	return title, nil
}

// FillQuickReply puts the values into a body's variables; missing lists
// the variables without a value (left as written).
func FillQuickReply(body string, values map[string]string) (filled string, missing []string) {
	seen := map[string]bool{}
	filled = variablePattern.ReplaceAllStringFunc(body, func(tok string) string {
		name := tok[1 : len(tok)-1]
		if v, ok := values[name]; ok && v != "" {
			return v
		}
		if !seen[name] {
			seen[name] = true
			missing = append(missing, name)
		}
		return tok
	})
	sort.Strings(missing)
	return filled, missing
}

// ThreadValues are the variable values of a conversation for its viewer.
func ThreadValues(a models.Actor, c models.Conversation, orderNumber string) map[string]string {
	return map[string]string{VarCustomerName: c.CustomerName, VarCustomerEmail: c.CustomerEmail,
		VarOrderNumber: orderNumber, VarAgentName: a.Name, VarSubject: c.Subject}
}

// QuickReplies lists the quick replies; every staff member uses them.
func (s *Service) QuickReplies(ctx context.Context, a models.Actor) ([]models.QuickReply, error) {
	if !a.IsStaff() {
		return nil, models.Errorf(models.EFORBIDDEN, "only staff use quick replies")
	}
	return s.store.QuickReplies(ctx)
}

// QuickReply loads one quick reply for staff.
func (s *Service) QuickReply(ctx context.Context, a models.Actor, id int64) (models.QuickReply, error) {
	if !a.IsStaff() {
		return models.QuickReply{}, models.Errorf(models.EFORBIDDEN, "only staff use quick replies")
	}
	r, err := s.store.QuickReply(ctx, id)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return r, models.NotFound("quick reply", id)
	}
	return r, err
}

func (s *Service) mayManageQuickReplies(a models.Actor) error {
	if !a.IsStaff() || !s.pol.Can(a, policies.ObjQuickReply, policies.ManageQuickReplies, nil) {
		return models.Errorf(models.EFORBIDDEN, "only chat admins and up manage quick replies")
	}
	return nil
}

// CreateQuickReply adds a quick reply (chat admins and up; audited).
func (s *Service) CreateQuickReply(ctx context.Context, a models.Actor, title, body string) (models.QuickReply, error) {
	if err := s.mayManageQuickReplies(a); err != nil {
		return models.QuickReply{}, err
	}
	title, err := ValidateQuickReply(title, body)
	if err != nil {
		return models.QuickReply{}, err
	}
	now := s.now()
	r := models.QuickReply{Title: title, Body: body, CreatedBy: a.ID, CreatedAt: now, UpdatedAt: now}
	err = s.store.InTx(ctx, func(tx *models.Tx) error {
		if err := tx.InsertQuickReply(ctx, &r); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "quick_reply.create", "quick_reply", r.ID, nil, quickReplyView(r))
	})
	if err != nil {
		return models.QuickReply{}, fmt.Errorf("create quick reply: %w", err)
	}
	return r, nil
}

// UpdateQuickReply changes a quick reply's title and/or body (nil keeps
// it); chat admins and up; audited.
func (s *Service) UpdateQuickReply(ctx context.Context, a models.Actor, id int64, title, body *string) (models.QuickReply, error) {
	if err := s.mayManageQuickReplies(a); err != nil {
		return models.QuickReply{}, err
	}
	var out models.QuickReply
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		r, err := tx.QuickReply(ctx, id)
		if models.ErrorCode(err) == models.ENOTFOUND {
			return models.NotFound("quick reply", id)
		} else if err != nil {
			return err
		}
		before := r
		if title != nil {
			r.Title = *title
		}
		if body != nil {
			r.Body = *body
		}
		if r.Title, err = ValidateQuickReply(r.Title, r.Body); err != nil {
			return err
		}
		r.UpdatedAt = s.now()
		if err := tx.UpdateQuickReply(ctx, r); err != nil {
			return err
		}
		out = r
		return s.audit(ctx, tx, a, "quick_reply.update", "quick_reply", id, quickReplyView(before), quickReplyView(r))
	})
	if err != nil {
		return models.QuickReply{}, fmt.Errorf("update quick reply %d: %w", id, err)
	}
	return out, nil
}

// DeleteQuickReply removes a quick reply; chat admins and up; audited.
func (s *Service) DeleteQuickReply(ctx context.Context, a models.Actor, id int64) error {
	if err := s.mayManageQuickReplies(a); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		r, err := tx.QuickReply(ctx, id)
		if models.ErrorCode(err) == models.ENOTFOUND {
			return models.NotFound("quick reply", id)
		} else if err != nil {
			return err
		}
		if _, err := tx.DeleteQuickReply(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "quick_reply.delete", "quick_reply", id, quickReplyView(r), nil)
	})
	if err != nil {
		return fmt.Errorf("delete quick reply %d: %w", id, err)
	}
	return nil
}

func quickReplyView(r models.QuickReply) map[string]string {
	return map[string]string{"title": r.Title, "body": r.Body}
}
