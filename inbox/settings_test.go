package inbox_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// Settings are the owner's: chat admins and admins are refused reading and
// changing them.
func TestSettingsOwnerOnly(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		for _, a := range []models.Actor{e.admin, e.chatAdmin, e.agent, e.MustCustomer()} {
			_, err := e.svc.Settings(e.ctx, a)
			wantCode(t, err, models.EFORBIDDEN)
			_, err = e.svc.UpdateSettings(e.ctx, a, map[string]string{models.SettingRetentionDays: "30"})
			wantCode(t, err, models.EFORBIDDEN)
		}
		if e.count("settings", "name = ?", models.SettingRetentionDays) != 0 {
			t.Error("a refused change was stored")
		}
		vals, err := e.svc.Settings(e.ctx, e.owner)
		if err != nil || vals[models.SettingRetentionDays] != "0" || len(vals) != len(models.SettingDefs()) {
			t.Fatalf("owner reads %v, %v", vals, err)
		}
	})
}

// A change is validated whole: one bad value stores nothing and names the
// bad setting; a good change writes only the keys that changed, each with
// an audit entry holding before and after (R20).
func TestUpdateSettings(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		before := e.count("audit_log", "action = 'settings.update'")
		_, err := e.svc.UpdateSettings(e.ctx, e.owner, map[string]string{
			models.SettingRetentionDays:          "90",
			models.SettingCustomerMessagesPerMin: "31", // above R11
			models.SettingDistributionMode:       "sometimes",
		})
		wantCode(t, err, models.EINVALID)
		var se *inbox.SettingErrors
		if !errors.As(err, &se) || len(se.Fields) != 2 || se.Fields[models.SettingCustomerMessagesPerMin] == "" ||
			se.Fields[models.SettingDistributionMode] == "" {
			t.Fatalf("errors %#v", err)
		}
		if e.count("settings", "name = ?", models.SettingRetentionDays) != 0 || e.count("audit_log", "action = 'settings.update'") != before {
			t.Fatal("a refused change was half stored")
		}
		_, err = e.svc.UpdateSettings(e.ctx, e.owner, map[string]string{"no_such_setting": "1"})
		wantCode(t, err, models.EINVALID)

		changed, err := e.svc.UpdateSettings(e.ctx, e.owner, map[string]string{
			models.SettingRetentionDays:      "90",
			models.SettingEnableCustomerChat: "true", // the default: unchanged
			models.SettingConsentText:        `<script>alert(1)</script> accept`,
		})
		if err != nil || fmt.Sprint(changed) != "[privacy_consent_text retention_days]" {
			t.Fatalf("changed %v, %v", changed, err)
		}
		st, err := e.st.Settings(e.ctx)
		if err != nil || st.RetentionDays != 90 || st.PrivacyConsentText != `<script>alert(1)</script> accept` {
			t.Fatalf("stored %+v %v", st, err)
		}
		es := e.audits("setting", 0)
		var got []string
		for _, a := range es {
			if a.Action == "settings.update" && a.ActorID == e.owner.ID {
				var b, af map[string]string
				json.Unmarshal([]byte(a.Before), &b)
				json.Unmarshal([]byte(a.After), &af)
				for k := range af {
					got = append(got, fmt.Sprintf("%s:%s>%s", k, b[k], af[k]))
				}
			}
		}
		slices.Sort(got)
		want := "[privacy_consent_text:We keep your messages to answer you. See our privacy policy.><script>alert(1)</script> accept retention_days:0>90]"
		if fmt.Sprint(got) != want {
			t.Errorf("audit %v\nwant %s", got, want)
		}
		// The same values again change nothing and audit nothing.
		n := e.count("audit_log", "")
		if changed, err := e.svc.UpdateSettings(e.ctx, e.owner, map[string]string{models.SettingRetentionDays: "90"}); err != nil || len(changed) != 0 {
			t.Errorf("no-op change: %v %v", changed, err)
		}
		if e.count("audit_log", "") != n {
			t.Error("a no-op change was audited")
		}
	})
}

// R11 limits come from the settings at once (read per request), never
// above R11's own numbers.
func TestRateLimitFromSettings(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		if _, err := e.svc.UpdateSettings(e.ctx, e.owner, map[string]string{
			models.SettingCustomerMessagesPerMin:   "3",
			models.SettingCustomerConversationsMin: "1",
		}); err != nil {
			t.Fatal(err)
		}
		cu, c := e.MustCustomerConv() // the one conversation of the minute
		for i := range 3 {
			if _, _, err := e.svc.Send(e.ctx, cu, c.ID, models.KindReply, fmt.Sprintf("m%d", i)); err != nil {
				t.Fatalf("message %d of 3: %v", i+1, err)
			}
		}
		_, _, err := e.svc.Send(e.ctx, cu, c.ID, models.KindReply, "fourth")
		wantCode(t, err, models.ERATELIMITED)
		_, _, err = e.svc.Start(e.ctx, cu, inbox.StartInput{Subject: "S", Body: "second"})
		wantCode(t, err, models.ERATELIMITED)

		// A stored value above R11 (written around the service) is capped at R11.
		e.MustSetting(models.SettingGuestConversationsMin, "1000")
		st, _ := e.st.Settings(e.ctx)
		if st.GuestConversationsPerMinute > 3 {
			t.Fatalf("settings let %d guest conversations through", st.GuestConversationsPerMinute)
		}
	})
}
