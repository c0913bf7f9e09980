package inbox_test

import (
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

func TestConsentR18(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.MustSetting(models.SettingConsentEnabled, "true")
		e.MustSetting(models.SettingConsentExcluded, "api")
		cu := e.MustCustomer()
		before := e.rows()
		_, _, err := e.svc.Start(e.ctx, cu, inbox.StartInput{Subject: "Hi", Body: "hello", Channel: models.ChannelPortal})
		wantCode(t, err, models.EFORBIDDEN)
		e.sameRows(before)
		c, err := e.svc.ConsentFor(e.ctx, cu, models.ChannelPortal)
		if err != nil || !c.Required || c.Version == "" {
			t.Fatalf("consent before acceptance: %+v %v", c, err)
		}
		conv := e.MustStart(cu, inbox.StartInput{Subject: "Hi", Body: "hello", Channel: models.ChannelPortal, AcceptConsent: true})
		if n := e.count("consents", "customer_id = ? AND text_version = ? AND channel = ?", cu.ID, c.Version, "portal"); n != 1 {
			t.Fatalf("%d consent rows", n)
		}
		if ch, _ := e.st.ConversationChannel(e.ctx, conv.ID); ch != "portal" {
			t.Errorf("channel %q", ch)
		}
		// Accepted once: the next conversation needs nothing.
		next := e.MustStart(cu, inbox.StartInput{Subject: "Again", Body: "hello", Channel: models.ChannelWidget})
		if ch, _ := e.st.ConversationChannel(e.ctx, next.ID); ch != "widget" {
			t.Errorf("channel %q", ch)
		}
		// An excluded channel skips it; staff never need it.
		other := e.MustCustomer()
		e.MustStart(other, inbox.StartInput{Subject: "API", Body: "hello", Channel: models.ChannelAPI})
		s := e.MustStart(e.chatAdmin, inbox.StartInput{CustomerID: other.ID, Subject: "Outreach", Body: "hi"})
		if ch, _ := e.st.ConversationChannel(e.ctx, s.ID); ch != "staff" {
			t.Errorf("staff start channel %q", ch)
		}
		// A new text asks again.
		e.MustSetting(models.SettingConsentText, "New text")
		if c, _ := e.svc.ConsentFor(e.ctx, cu, models.ChannelPortal); !c.Required {
			t.Errorf("a changed consent text is not asked again")
		}
		_, _, err = e.svc.Start(e.ctx, cu, inbox.StartInput{Subject: "Hi", Body: "hello", Channel: models.ChannelStaff, AcceptConsent: true})
		wantCode(t, err, models.EINVALID)
	})
}

func TestQuotaPreviewsWithoutConsuming(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu, c := e.MustCustomerConv()
		q, err := e.svc.Quota(e.ctx, cu)
		if err != nil || !q.Known {
			t.Fatalf("quota: %+v %v", q, err)
		}
		if q.MessageLimit != 30 || q.ConversationLimit != 5 || q.Conversations != 4 || q.Messages != 30 {
			t.Fatalf("quota after one start: %+v", q)
		}
		for i := 0; i < 3; i++ {
			e.MustSend(cu, c.ID, models.KindReply, "more")
		}
		for i := 0; i < 5; i++ { // looking costs nothing
			if q, _ = e.svc.Quota(e.ctx, cu); q.Messages != 27 {
				t.Fatalf("quota after 3 sends: %+v", q)
			}
		}
	})
}
