package inbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/parleyhq/parley/models"
)

// TaskSendEmail is the task that sends the e-mail of a due notification
// (and of the burst it coalesces with); jobs' mail sweep enqueues it.
const TaskSendEmail = "mail:notification"

// EmailLease is how long a sender holds a claimed notification: a sender
// that dies leaves it due again after this.
const EmailLease = 2 * time.Minute

// EmailAttempts is how many sends of one notification are tried before it
// is given up and shown to admins; EmailBackoff is the wait after the first
// failure, doubled after each further one.
const (
	EmailAttempts = 5
	EmailBackoff  = time.Minute
)

// Email is one claimed e-mail: the notifications it settles (Lead first,
// whose id the Message-ID derives from), its recipient and what it tells.
type Email struct {
	Lead         models.Notification
	IDs          []int64
	Kind         string
	To           string // address
	ToName       string
	Recipient    models.Actor
	Conversation models.Conversation
	Messages     []models.Message // oldest first
	// Unsubscribe is the recipient's signed one-click unsubscribe token
	// (customers only).
	Unsubscribe string
	// Location is the store's time zone (settings' time_zone): the e-mail
	// quotes times in it.
	Location *time.Location
}

// WithSecret gives the service the application secret that signs
// unsubscribe links.
func WithSecret(secret []byte) Option { return func(s *Service) { s.secret = secret } }

// ClaimEmail takes the e-mail of a due notification with a lease in the
// database, folding in the recipient's other pending notifications of the
// conversation (one e-mail per burst), and applies R19's e-mail rule at send
// time: nothing when the person has read them, is online, takes no e-mails
// or has no address — those rows are settled here. ok is false when there
// is nothing to send: not due, already claimed by another sender or sent
// (a duplicated or retried task), or settled by the rule.
func (s *Service) ClaimEmail(ctx context.Context, notificationID int64) (e Email, ok bool, err error) {
	now := s.now()
	rows, err := s.store.ClaimEmailGroup(ctx, notificationID, now, now.Add(EmailLease))
	if err != nil || len(rows) == 0 {
		return e, false, err
	}
	lead := rows[0]
	var unread, read []int64
	for _, n := range rows {
		if n.ReadAt != nil {
			read = append(read, n.ID)
		} else {
			unread = append(unread, n.ID)
		}
	}
	if err := s.store.SettleEmails(ctx, read, models.EmailRead, nil); err != nil {
		return e, false, err
	}
	if len(unread) == 0 {
		return e, false, nil
	}
	settle := func(outcome string) (Email, bool, error) {
		return e, false, s.store.SettleEmails(ctx, unread, outcome, nil)
	}
	online, err := s.Online(ctx, lead.RecipientType, lead.RecipientID)
	if err != nil {
		online = false // presence unknown (Redis down): better an e-mail than none
	}
	if online {
		return settle(models.EmailOnline)
	}
	e = Email{IDs: unread, Kind: lead.Kind, Recipient: models.Actor{Kind: lead.RecipientType, ID: lead.RecipientID}}
	if st, err := s.store.Settings(ctx); err == nil {
		e.Location = st.Location()
	} else {
		return e, false, err
	}
	switch lead.RecipientType {
	case models.ActorStaff:
		st, err := s.store.StaffMember(ctx, lead.RecipientID)
		if models.ErrorCode(err) == models.ENOTFOUND {
			return settle(models.EmailNoAddress)
		}
		if err != nil {
			return e, false, err
		}
		on, err := s.store.StaffEmailNotifications(ctx, st.ID)
		if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
			return e, false, err
		}
		if !st.Active || !on {
			return settle(models.EmailOff)
		}
		e.To, e.ToName = st.Email, st.Name
		e.Recipient.Role, e.Recipient.Name = st.Role, st.Username
	default:
		cu, err := s.store.Customer(ctx, lead.RecipientID)
		if models.ErrorCode(err) == models.ENOTFOUND {
			return settle(models.EmailNoAddress)
		}
		if err != nil {
			return e, false, err
		}
		off, err := s.store.CustomerUnsubscribed(ctx, cu.ID)
		if err != nil {
			return e, false, err
		}
		if off {
			return settle(models.EmailOff)
		}
		e.To, e.ToName = cu.Email, cu.Name
		e.Recipient.Role = models.RoleCustomer
		if cu.IsGuest {
			e.To = ""
		}
		e.Unsubscribe = s.UnsubscribeToken(cu.ID)
	}
	if e.To == "" {
		return settle(models.EmailNoAddress)
	}
	c, err := s.store.Conversation(ctx, lead.ConversationID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return settle(models.EmailNoAddress)
	}
	if err != nil {
		return e, false, err
	}
	e.Conversation = c
	var kept []int64
	for _, n := range rows {
		if n.ReadAt != nil {
			continue
		}
		m, err := s.store.MessageByID(ctx, n.MessageID)
		if models.ErrorCode(err) == models.ENOTFOUND {
			continue
		}
		if err != nil {
			return e, false, err
		}
		if lead.RecipientType != models.ActorStaff && !m.Public {
			continue // R8: never a note to a customer
		}
		e.Messages = append(e.Messages, m)
		kept = append(kept, n.ID)
	}
	if len(e.Messages) == 0 {
		return settle(models.EmailNoAddress)
	}
	e.Lead = lead
	for _, n := range rows {
		if n.ID == kept[0] {
			e.Lead = n
		}
	}
	return e, true, nil
}

// EmailSent records that a claimed e-mail was accepted by the SMTP server:
// the lead notification is sent, the rest of its burst coalesced.
func (s *Service) EmailSent(ctx context.Context, e Email) error {
	at := s.now()
	return s.store.InTx(ctx, func(tx *models.Tx) error {
		if err := tx.SettleEmails(ctx, []int64{e.Lead.ID}, models.EmailSent, &at); err != nil {
			return err
		}
		var rest []int64
		for _, id := range e.IDs {
			if id != e.Lead.ID {
				rest = append(rest, id)
			}
		}
		return tx.SettleEmails(ctx, rest, models.EmailCoalesced, &at)
	})
}

// EmailFailed records a failed send: the e-mail is due again after a
// backoff, or given up (shown to admins) after EmailAttempts tries. It
// reports whether it gave up.
func (s *Service) EmailFailed(ctx context.Context, e Email, cause error) (bool, error) {
	reason := cause.Error()
	if len(reason) > 500 {
		reason = reason[:500]
	}
	if e.Lead.EmailAttempts >= EmailAttempts {
		return true, s.store.FailEmails(ctx, e.IDs, reason)
	}
	next := s.now().Add(EmailBackoff << min(e.Lead.EmailAttempts-1, 10))
	return false, s.store.RetryEmails(ctx, e.IDs, next, reason)
}

// UnsubscribeToken is the signed token of a customer's one-click
// unsubscribe link: HMAC-SHA256 of the customer id under the app secret.
func (s *Service) UnsubscribeToken(customerID int64) string {
	mac := hmac.New(sha256.New, s.secret)
	fmt.Fprintf(mac, "parley-unsubscribe:customer:%d", customerID)
	return hex.EncodeToString(mac.Sum(nil))
}

// Unsubscribe turns off the e-mails of the customer a valid token is bound
// to (RFC 8058 one-click: no login, no Origin). A wrong token is not_found.
func (s *Service) Unsubscribe(ctx context.Context, customerID int64, token string) error {
	if len(s.secret) == 0 || customerID <= 0 || !hmac.Equal([]byte(token), []byte(s.UnsubscribeToken(customerID))) {
		return models.Errorf(models.ENOTFOUND, "this unsubscribe link is not valid")
	}
	if err := s.store.UnsubscribeCustomer(ctx, customerID, s.now()); err != nil {
		if models.ErrorCode(err) == models.ENOTFOUND {
			return models.Errorf(models.ENOTFOUND, "this unsubscribe link is not valid")
		}
		return err
	}
	return nil
}

// CheckUnsubscribe validates a token without acting (the confirmation page).
func (s *Service) CheckUnsubscribe(customerID int64, token string) bool {
	return len(s.secret) > 0 && customerID > 0 && hmac.Equal([]byte(token), []byte(s.UnsubscribeToken(customerID)))
}

// DueEmails lists the notifications whose e-mail is due now (the sweep).
func (s *Service) DueEmails(ctx context.Context, limit int) ([]models.Notification, error) {
	return s.store.DueEmails(ctx, s.now(), limit)
}

// FailedEmails lists e-mails given up after their last attempt (admins).
func (s *Service) FailedEmails(ctx context.Context, a models.Actor, limit int) ([]models.Notification, error) {
	if !a.IsStaff() || (a.Role != models.RoleAdmin && a.Role != models.RoleOwner) {
		return nil, models.Errorf(models.EFORBIDDEN, "only admins see failed e-mails")
	}
	return s.store.FailedEmails(ctx, limit)
}

// EmailTaskID is the task id of one attempt at a notification's e-mail, so
// the sweep enqueues each attempt once.
func EmailTaskID(instance string, n models.Notification) string {
	return "mail:" + instance + ":" + strconv.FormatInt(n.ID, 10) + ":" + strconv.Itoa(n.EmailAttempts)
}

// EmailFailures is what the dashboard's failure card shows of e-mails:
// given up after their last attempt (by the notification's time) in the
// last 24 hours and 7 days, and those waiting for a retry now.
type EmailFailures struct {
	GaveUp24h, GaveUp7d, Retrying int64
}

// EmailFailureCounts counts failed and retrying e-mails (chat
// administrators and up: the dashboard's failure card).
func (s *Service) EmailFailureCounts(ctx context.Context, a models.Actor) (EmailFailures, error) {
	var f EmailFailures
	if !a.IsStaff() || !slices.Contains([]string{models.RoleOwner, models.RoleAdmin, models.RoleChatAdmin}, a.Role) {
		return f, models.Errorf(models.EFORBIDDEN, "only chat administrators and up see failed e-mails")
	}
	now := s.now()
	var err error
	if f.GaveUp24h, err = s.store.CountFailedEmails(ctx, now.Add(-24*time.Hour)); err != nil {
		return f, err
	}
	if f.GaveUp7d, err = s.store.CountFailedEmails(ctx, now.AddDate(0, 0, -7)); err != nil {
		return f, err
	}
	if f.Retrying, err = s.store.CountRetryingEmails(ctx); err != nil {
		return f, err
	}
	return f, nil
}
