package inbox

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/models"
)

// TaskNotifyNewMessage is the outbox task type of R19; jobs defines the
// handler under the same name, which calls NotifyNewMessage.
const TaskNotifyNewMessage = "notify:new_message"

// TaskNotifyEscalation is the outbox task of an escalation (R19, R21);
// its handler calls NotifyEscalation.
const TaskNotifyEscalation = "notify:escalation"

// Notification kinds.
const (
	NotificationNewMessage = "new_message"
	NotificationEscalation = "escalation"
)

// notify queues the NEW_MESSAGE notification of a reply in the same
// transaction (outbox), so a Redis outage loses nothing.
func (s *Service) notify(ctx context.Context, tx *models.Tx, m models.Message) error {
	if m.Kind != models.KindReply {
		return nil
	}
	return tx.InsertOutbox(ctx, TaskNotifyNewMessage, fmt.Sprintf(`{"message_id":%d}`, m.ID), s.now())
}

// notifyEscalation queues the escalation notification of a conversation
// just escalated in this transaction: its newest status event is the
// escalation's.
func (s *Service) notifyEscalation(ctx context.Context, tx *models.Tx, c models.Conversation) error {
	id, err := tx.LastEventID(ctx, c.ID, EventStatus)
	if err != nil {
		return err
	}
	return tx.InsertOutbox(ctx, TaskNotifyEscalation, fmt.Sprintf(`{"message_id":%d}`, id), s.now())
}

// readNotifications marks the reader's notifications of a conversation
// read (R19: a notification is read when its person opens the thread).
func (s *Service) readNotifications(ctx context.Context, a models.Actor, conversationID int64) error {
	if !a.IsStaff() && !a.IsCustomer() {
		return nil
	}
	return s.store.ReadNotifications(ctx, presenceKind(a.Kind), a.ID, conversationID, s.now())
}

// NotificationItem is one line of a person's notification list.
type NotificationItem struct {
	models.Notification
	Subject string
	Status  models.Status
}

// Notifications lists the reader's newest notifications (the bell's list,
// GET /api/v1/staff/notifications) with their unread count. A notification
// of a conversation the reader may no longer see is left out.
func (s *Service) Notifications(ctx context.Context, a models.Actor, limit int) ([]NotificationItem, int, error) {
	if !a.IsStaff() && !a.IsCustomer() {
		return nil, 0, models.Errorf(models.EFORBIDDEN, "no notifications for %s", a.Kind)
	}
	kind := presenceKind(a.Kind)
	unread, err := s.store.UnreadNotifications(ctx, kind, a.ID)
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.store.RecipientNotifications(ctx, kind, a.ID, limit)
	if err != nil {
		return nil, 0, err
	}
	out := make([]NotificationItem, 0, len(rows))
	for _, n := range rows {
		c, err := s.store.Conversation(ctx, n.ConversationID)
		if models.ErrorCode(err) == models.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		if s.visible(a, c) != nil {
			continue
		}
		st := c.Status
		if !a.IsStaff() {
			st = c.PublicStatus() // customers never see ESCALATED
		}
		out = append(out, NotificationItem{Notification: n, Subject: c.Subject, Status: st})
	}
	return out, unread, nil
}

// UnreadCount is the reader's unread notification count (the bell).
func (s *Service) UnreadCount(ctx context.Context, a models.Actor) (int, error) {
	if !a.IsStaff() && !a.IsCustomer() {
		return 0, nil
	}
	return s.store.UnreadNotifications(ctx, presenceKind(a.Kind), a.ID)
}

// UnreadByConversation is the reader's unread notifications per
// conversation (customers' badges).
func (s *Service) UnreadByConversation(ctx context.Context, a models.Actor) (map[int64]int, error) {
	if !a.IsStaff() && !a.IsCustomer() {
		return map[int64]int{}, nil
	}
	return s.store.UnreadByConversation(ctx, presenceKind(a.Kind), a.ID)
}

// SetEmailNotifications turns the actor's own new-message e-mails on or
// off (the profile page's toggle).
func (s *Service) SetEmailNotifications(ctx context.Context, a models.Actor, on bool) error {
	if !a.IsStaff() {
		return models.Errorf(models.EFORBIDDEN, "only staff have this preference")
	}
	return s.store.SetStaffEmailNotifications(ctx, a.ID, on)
}

// EmailNotifications says whether the actor takes new-message e-mails.
func (s *Service) EmailNotifications(ctx context.Context, a models.Actor) (bool, error) {
	if !a.IsStaff() {
		return false, nil
	}
	return s.store.StaffEmailNotifications(ctx, a.ID)
}
