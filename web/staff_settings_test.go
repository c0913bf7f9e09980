package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/models"
)

// GET|PATCH /api/v1/staff/settings: owner only, typed values keyed by the
// setting names, strict input, 400 naming the key, nothing half-stored.
func TestStaffSettingsAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		_, owner := e.staff(t, "owner1", models.RoleOwner)
		_, admin := e.staff(t, "admin1", models.RoleAdmin)
		_, chat := e.staff(t, "chat1", models.RoleChatAdmin)
		_, cust := e.customer(t, "c@example.com")
		bad := func(name, body, msg string) scenario {
			return scenario{Name: name, Method: "PATCH", URL: "/api/v1/staff/settings", Token: owner, Body: body,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid", Check: func(t *testing.T, r response) {
					if !strings.Contains(r.str("error.message"), msg) {
						t.Errorf("message %q does not name %q", r.str("error.message"), msg)
					}
				}}
		}
		e.run(t, []scenario{
			{Name: "owner reads", Method: "GET", URL: "/api/v1/staff/settings", Token: owner, ExpectedStatus: 200,
				Check: func(t *testing.T, r response) {
					if r.get("enable_customer_chat") != true || r.get("retention_days") != float64(0) ||
						r.get("distribution_mode") != "off" || len(r.JSON.(map[string]any)) != len(models.SettingDefs()) {
						t.Errorf("settings %s", r.Body)
					}
				}},
			{Name: "admin refused", Method: "GET", URL: "/api/v1/staff/settings", Token: admin, ExpectedStatus: 403},
			{Name: "chat admin refused", Method: "PATCH", URL: "/api/v1/staff/settings", Token: chat, Body: `{"retention_days":5}`, ExpectedStatus: 403},
			{Name: "customer token", Method: "GET", URL: "/api/v1/staff/settings", Token: cust, ExpectedStatus: 401},
			bad("unknown key", `{"retention_days":5,"nope":1}`, `"nope"`),
			bad("case variant", `{"Retention_days":5}`, `Retention_days`),
			bad("string for int", `{"retention_days":"5"}`, "retention_days"),
			bad("float for int", `{"retention_days":5.0}`, "retention_days"),
			bad("string for bool", `{"enable_customer_chat":"true"}`, "enable_customer_chat"),
			bad("number for string", `{"time_zone":1}`, "time_zone"),
			bad("out of range", `{"retention_days":5,"customer_messages_per_minute":31}`, "customer_messages_per_minute"),
			bad("bad zone", `{"time_zone":"Mars/Olympus"}`, "time_zone"),
			bad("duplicate", `{"retention_days":5,"retention_days":6}`, "retention_days"),
			bad("not an object", `[1]`, "object"),
			{Name: "nothing half-stored", Method: "GET", URL: "/api/v1/staff/settings", Token: owner, ExpectedStatus: 200,
				Check: func(t *testing.T, r response) {
					if r.get("retention_days") != float64(0) {
						t.Errorf("a refused change was stored: %s", r.Body)
					}
				}},
			{Name: "owner changes", Method: "PATCH", URL: "/api/v1/staff/settings", Token: owner,
				Body:           `{"retention_days":30,"enable_customer_chat":false,"privacy_consent_excluded_channels":"widget,api","time_zone":"Europe/Berlin"}`,
				ExpectedStatus: 200, Check: func(t *testing.T, r response) {
					if r.get("retention_days") != float64(30) || r.get("enable_customer_chat") != false ||
						r.get("privacy_consent_excluded_channels") != "api,widget" || r.get("time_zone") != "Europe/Berlin" {
						t.Errorf("after change %s", r.Body)
					}
				}},
		})
		st, err := e.st.Settings(context.Background())
		if err != nil || st.RetentionDays != 30 || st.EnableCustomerChat {
			t.Errorf("stored %+v %v", st, err)
		}
	})
}
