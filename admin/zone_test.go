package admin_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// The staff pages show times in the store's time zone (settings'
// time_zone), the zone named: blocks, the audit log and the notification
// list (the customer list shows dates in it).
func TestStaffPagesStoreZone(t *testing.T) {
	ctx := context.Background()
	if err := env.store.PutSetting(ctx, models.SettingTimeZone, "Asia/Tokyo", time.Now()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.store.PutSetting(ctx, models.SettingTimeZone, "", time.Now()) })

	chatSt := newStaff(t, models.RoleChatAdmin)
	chat := login(t, chatSt)
	cu, err := env.acc.CreateCustomer(ctx, "zone"+randomHex(3)+"@example.com", "Zone", "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.svc.Block(ctx, actorOf(chatSt), inbox.BlockInput{CustomerID: &cu.ID, Reason: "zone test"})
	if err != nil {
		t.Fatal(err)
	}
	row := chat.get("/admin/blocks").doc(t).Find(`tr.parley-directory-row[data-id="` + itoa(b.ID) + `"]`).Text()
	if !strings.Contains(row, " JST") || strings.Contains(row, "UTC") {
		t.Errorf("blocks row not in the store's zone: %q", row)
	}

	adm := login(t, newStaff(t, models.RoleAdmin))
	doc := adm.get("/admin/audit?actor=" + chatSt.Username).doc(t)
	if h := doc.Find("th").First().Text(); !strings.Contains(doc.Find("table").Text(), "When (Asia/Tokyo)") {
		t.Errorf("audit heading %q does not name the store's zone", h)
	}
	if cell := doc.Find("tr.parley-directory-row td").First().Text(); !strings.HasSuffix(strings.TrimSpace(cell), " JST") {
		t.Errorf("audit time %q not in the store's zone", cell)
	}

	agent := newStaff(t, models.RoleAgent)
	c := newConversation(t, "Zone", "hello")
	th, err := env.svc.View(ctx, actorOf(agent), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.NotifyNewMessage(ctx, th.Messages[len(th.Messages)-1].ID); err != nil {
		t.Fatal(err)
	}
	if body := login(t, agent).get("/admin/notifications").body; !strings.Contains(body, " JST") || strings.Contains(body, " UTC") {
		t.Errorf("notification times not in the store's zone: %.600s", body)
	}
}
