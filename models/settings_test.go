package models_test

import (
	"context"
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
