package mail_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/mail"
	"github.com/parleyhq/parley/models"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func at(min int) time.Time { return time.Date(2026, 3, 4, 10, min, 0, 0, time.UTC) }

func staffID(id int64) *int64 { return &id }

// TestComposeGolden: the text and HTML bodies and the headers of each kind
// of e-mail, against golden files (go test ./mail -run Golden -update).
func TestComposeGolden(t *testing.T) {
	due := at(5)
	c := &mail.Composer{PublicURL: "https://support.shop.test", From: "support@shop.test", FromName: "Shop", ShopName: "Shop",
		Instance: "abc123"}
	conv := models.Conversation{ID: 42, CustomerID: 9, Subject: `Parcel <b>"late"</b> & lost`}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		e    inbox.Email
	}{
		{"customer_burst", inbox.Email{Lead: models.Notification{ID: 501, EmailDueAt: &due}, IDs: []int64{501, 502},
			Kind: inbox.NotificationNewMessage, To: "alice@example.com", ToName: "Alice <Admin>",
			Recipient: models.Actor{Kind: models.ActorCustomer, ID: 9}, Conversation: conv, Unsubscribe: strings.Repeat("ab", 32),
			Location: berlin, // the store's time zone: times quoted in it, named
			Messages: []models.Message{
				{AuthorType: models.ActorStaff, AuthorID: staffID(3), AuthorName: "agent1", Body: "It ships today.\nTracking follows.", CreatedAt: at(1)},
				{AuthorType: models.ActorStaff, AuthorID: staffID(3), AuthorName: "agent1", Body: "<script>alert(1)</script>", CreatedAt: at(2)},
			}}},
		{"staff_new_message", inbox.Email{Lead: models.Notification{ID: 600, EmailDueAt: &due}, IDs: []int64{600},
			Kind: inbox.NotificationNewMessage, To: "agent1@shop.test", ToName: "Agent One",
			Recipient: models.Actor{Kind: models.ActorStaff, ID: 3}, Conversation: conv,
			Messages: []models.Message{{AuthorType: models.ActorCustomer, AuthorName: "Alice", Body: "Where is it?", CreatedAt: at(3)}}}},
		{"staff_escalation", inbox.Email{Lead: models.Notification{ID: 700, EmailDueAt: &due}, IDs: []int64{700},
			Kind: inbox.NotificationEscalation, To: "owner@shop.test", ToName: "Owner",
			Recipient: models.Actor{Kind: models.ActorStaff, ID: 1}, Conversation: conv,
			Messages: []models.Message{{Kind: models.KindSystem, AuthorType: models.ActorStaff, AuthorName: "agent1",
				Body: "Status changed from Open to Escalated: refund over limit", CreatedAt: at(4)}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := c.Compose(tc.e)
			if err != nil {
				t.Fatal(err)
			}
			var h strings.Builder
			h.WriteString("From: " + m.FromName + " <" + m.From + ">\nTo: " + m.ToName + " <" + m.To + ">\nSubject: " + m.Subject +
				"\nMessage-ID: <" + m.ID + ">\nDate: " + m.Date.Format(time.RFC1123Z) + "\n")
			for _, k := range []string{"In-Reply-To", "References", "List-Unsubscribe", "List-Unsubscribe-Post"} {
				if v, ok := m.Headers[k]; ok {
					h.WriteString(k + ": " + v + "\n")
				}
			}
			golden(t, tc.name+".headers", h.String())
			golden(t, tc.name+".txt", m.Text)
			golden(t, tc.name+".html", m.HTML)
			if strings.Contains(m.HTML, "<script>") || strings.Contains(m.HTML, "<b>") {
				t.Error("the HTML part renders message or subject markup")
			}
		})
	}
}
