package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

// TestInsertNotificationsOnce: notifications are written once per
// recipient, message and kind, across the INSERT's batches, within one
// call and when a retried job writes them again; the count is of the new
// ones.
func TestInsertNotificationsOnce(t *testing.T) {
	defer models.SetNotificationBatch(2)()
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		cu := models.Customer{Email: "nio@example.com", Name: "Nio"}
		if err := st.InsertCustomer(ctx, &cu, ""); err != nil {
			t.Fatal(err)
		}
		now := models.Now(time.Now())
		c := models.Conversation{CustomerID: cu.ID, Subject: "Once", Status: models.StatusAwaitingAdmin,
			CreatedAt: now, UpdatedAt: now, LastMessageAt: now, PublicLastAt: now}
		if err := st.InsertConversation(ctx, &c); err != nil {
			t.Fatal(err)
		}
		m := models.Message{ConversationID: c.ID, Kind: models.KindReply, AuthorType: models.ActorCustomer, AuthorID: &cu.ID,
			Body: "hello", Public: true, CreatedAt: now}
		if err := st.InsertMessage(ctx, &m); err != nil {
			t.Fatal(err)
		}
		due := now.Add(time.Minute)
		note := func(id int64, email bool) models.Notification {
			n := models.Notification{RecipientType: models.ActorStaff, RecipientID: id, ConversationID: c.ID,
				MessageID: m.ID, Kind: "new_message", CreatedAt: now}
			if email {
				n.EmailDueAt = &due
			}
			return n
		}
		// Four recipients in three INSERTs of two, one of them twice in one INSERT.
		first := []models.Notification{note(1, true), note(3, false), note(2, false), note(2, false), note(4, true)}
		if added, err := st.InsertNotifications(ctx, first); err != nil || added != 4 {
			t.Fatalf("first write: %d new, %v; want 4", added, err)
		}
		// A retried job: the four again and a fifth.
		again := []models.Notification{note(4, true), note(3, false), note(5, false), note(1, true), note(2, false)}
		if added, err := st.InsertNotifications(ctx, again); err != nil || added != 1 {
			t.Fatalf("retry: %d new, %v; want 1", added, err)
		}
		for id := int64(1); id <= 5; id++ {
			if n, err := st.UnreadNotifications(ctx, models.ActorStaff, id); err != nil || n != 1 {
				t.Errorf("staff %d: %d notifications, %v; want 1", id, n, err)
			}
		}
		if due, err := st.DueEmails(ctx, now.Add(time.Hour), 10); err != nil || len(due) != 2 {
			t.Errorf("due e-mails: %d, %v; want 2 (staff 1 and 4)", len(due), err)
		}
		if added, err := st.InsertNotifications(ctx, nil); err != nil || added != 0 {
			t.Errorf("no notifications: %d, %v", added, err)
		}
	})
}
