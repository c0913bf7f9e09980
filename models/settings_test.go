package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

func TestSettingDefaultsParse(t *testing.T) {
	for _, d := range models.SettingDefs() {
		if v, err := d.Parse(d.Default); err != nil || v != d.Default {
			t.Errorf("%s: default %q parses to %q, %v", d.Name, d.Default, v, err)
		}
	}
}

func TestSettingParseRefusesOutOfBounds(t *testing.T) {
	cases := map[string]string{
		models.SettingCustomerMessagesPerMin: "31", // above R11
		models.SettingMaxAttachmentBytes:     "1048577",
		models.SettingMaxMediaSeconds:        "61",
		models.SettingRetentionDays:          "-1",
		models.SettingEnableCustomerChat:     "yes",
		models.SettingTimeZone:               "Mars/Olympus",
		models.SettingRetentionPurgeTime:     "3:00",
		models.SettingDistributionMode:       "random",
		models.SettingConsentExcluded:        "portal,email",
		models.SettingConsentURL:             "javascript:alert(1)",
		models.SettingMaxCustomerMonthly:     "012",
	}
	for name, raw := range cases {
		d, ok := models.SettingDefByName(name)
		if !ok {
			t.Fatalf("no setting %s", name)
		}
		if _, err := d.Parse(raw); models.ErrorCode(err) != models.EINVALID {
			t.Errorf("%s=%q: got %v, want invalid", name, raw, err)
		}
	}
}

func TestSettingsStoredOverDefaults(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		at := models.Now(time.Now())
		if err := s.PutSetting(ctx, models.SettingConsentExcluded, "widget,api", at); err != nil {
			t.Fatal(err)
		}
		if err := s.PutSetting(ctx, models.SettingRetentionDays, "90", at); err != nil {
			t.Fatal(err)
		}
		got, err := s.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.RetentionDays != 90 || got.ConsentRequired(models.ChannelWidget) || got.CustomerMessagesPerMinute != 30 {
			t.Fatalf("settings = %+v", got)
		}
		got.PrivacyConsentEnabled = true
		if !got.ConsentRequired(models.ChannelPortal) || got.ConsentRequired(models.ChannelAPI) || got.ConsentRequired(models.ChannelStaff) {
			t.Fatal("consent channels wrong")
		}
	})
}

// TestSettingsAndBlocked: the send's one statement for settings and blocks
// answers what Settings and IsBlocked answer, with no setting stored, after
// a change (read per call, never kept), and for each way a block matches.
func TestSettingsAndBlocked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		at := models.Now(time.Now())
		c := models.Customer{Email: "amy@example.com", Name: "Amy", CreatedAt: at}
		if err := s.InsertCustomer(ctx, &c, ""); err != nil {
			t.Fatal(err)
		}
		check := func(what, email, ip string, wantBlocked bool, want models.Settings) {
			t.Helper()
			got, blocked, err := s.SettingsAndBlocked(ctx, c.ID, email, ip)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if blocked != wantBlocked {
				t.Errorf("%s: blocked %v, want %v", what, blocked, wantBlocked)
			}
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
				t.Errorf("%s: settings\n%+v\nwant\n%+v", what, got, want)
			}
			if b, err := s.IsBlocked(ctx, c.ID, email, ip); err != nil || b != blocked {
				t.Errorf("%s: IsBlocked %v %v, SettingsAndBlocked %v", what, b, err, blocked)
			}
			if st, err := s.Settings(ctx); err != nil || fmt.Sprintf("%+v", st) != fmt.Sprintf("%+v", got) {
				t.Errorf("%s: Settings %+v %v", what, st, err)
			}
		}
		want := models.DefaultSettings()
		check("fresh store", c.Email, "192.0.2.1", false, want)

		if err := s.PutSetting(ctx, models.SettingEnableCustomerChat, "false", at); err != nil {
			t.Fatal(err)
		}
		if err := s.PutSetting(ctx, models.SettingCustomerMessagesPerMin, "7", at); err != nil {
			t.Fatal(err)
		}
		want.EnableCustomerChat, want.CustomerMessagesPerMinute = false, 7
		check("settings stored", c.Email, "192.0.2.1", false, want)
		if err := s.PutSetting(ctx, models.SettingEnableCustomerChat, "true", at); err != nil {
			t.Fatal(err)
		}
		want.EnableCustomerChat = true
		check("setting changed back", c.Email, "192.0.2.1", false, want)

		for _, b := range []struct {
			what  string
			block models.Block
		}{
			{"blocked by e-mail (any case)", models.Block{Email: "amy@example.com"}},
			{"blocked by address", models.Block{IP: "192.0.2.1"}},
			{"blocked as the customer", models.Block{CustomerID: &c.ID}},
		} {
			b.block.CreatedBy, b.block.CreatedAt = 1, at
			if err := s.InsertBlock(ctx, &b.block); err != nil {
				t.Fatal(err)
			}
			check(b.what, "AMY@example.com", "192.0.2.1", true, want)
			// Another e-mail and address: only the customer's own block matches.
			check(b.what+", other e-mail and address", "zed@example.com", "198.51.100.7", b.block.CustomerID != nil, want)
			if _, err := s.DeleteBlock(ctx, b.block.ID); err != nil {
				t.Fatal(err)
			}
		}
		check("blocks lifted", c.Email, "192.0.2.1", false, want)
		// An empty e-mail or address never matches a block without one.
		if err := s.InsertBlock(ctx, &models.Block{IP: "203.0.113.9", CreatedBy: 1, CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
		check("empty e-mail and address", "", "", false, want)
	})
}
