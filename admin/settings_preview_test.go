package admin_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
)

// The settings page shows the retention dry run only when asked (counting
// reads the messages): a link first, then the counts per reason.
func TestSettingsRetentionPreview(t *testing.T) {
	cl := login(t, newStaff(t, models.RoleOwner))
	res := cl.get("/admin/settings")
	doc := res.doc(t)
	link, _ := doc.Find(".parley-preview-link").Attr("href")
	if res.StatusCode != http.StatusOK || link != "/admin/settings?preview=retention" || doc.Find(".parley-preview-deleted").Length() != 0 {
		t.Fatalf("settings page: %d, preview link %q", res.StatusCode, link)
	}
	ctx := context.Background()
	before, err := env.store.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	put := func(days int) {
		if err := env.store.PutSetting(ctx, models.SettingRetentionDays, strconv.Itoa(days), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	put(30)
	defer put(before.RetentionDays)
	res = cl.get(link)
	box := res.doc(t).Find(".parley-retention-preview")
	if res.StatusCode != http.StatusOK || box.Find(".parley-preview-deleted").Length() != 1 || !strings.Contains(box.Text(), "kept for 30 days") {
		t.Fatalf("preview: %d %q", res.StatusCode, strings.Join(strings.Fields(box.Text()), " "))
	}
	put(0)
	if box := cl.get(link).doc(t).Find(".parley-retention-preview"); !strings.Contains(box.Text(), "Retention is off") {
		t.Fatalf("preview with retention off: %q", strings.Join(strings.Fields(box.Text()), " "))
	}
	if res := login(t, newStaff(t, models.RoleAdmin)).get(link); res.StatusCode != http.StatusForbidden {
		t.Fatalf("an admin's preview: %d", res.StatusCode)
	}
}
