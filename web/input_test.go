package web_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/models"
)

const staffConvsURL = "/api/v1/staff/conversations"

// Item 12: bad input is a 400 (or the 404 of an id that names nothing),
// never a 500 and never silently rewritten.
func TestBadInputIsRefused(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, aliceTok := e.customer(t, "alice@example.com")
		_, agentTok := e.staff(t, "agent1", models.RoleAdmin)
		conv := e.start(t, alice, 0, "hello")
		before := messageCount(t, e, conv.ID)
		b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
		msgs := idURL(custConvs, conv.ID, "/messages")
		staffMsgs := idURL(staffConvsURL, conv.ID, "/messages")

		e.run(t, []scenario{
			{Name: "cursor of year 10000", Method: "GET", URL: custConvs + "?cursor=" + b64("253402300800000000.5"), Token: aliceTok,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "cursor before 1970", Method: "GET", URL: staffConvsURL + "?cursor=" + b64("-62135596800000000.5"), Token: agentTok,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "cursor with a plus sign", Method: "GET", URL: custConvs + "?cursor=" + b64("+1700000000000000.5"), Token: aliceTok,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "invalid UTF-8 in a message", Method: "POST", URL: msgs, Token: aliceTok,
				Body: "{\"body\":\"caf\xe9 au lait\"}", ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "lone surrogate escape", Method: "POST", URL: msgs, Token: aliceTok,
				Body: `{"body":"half \ud800 a pair"}`, ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "case variant key", Method: "POST", URL: staffMsgs, Token: agentTok,
				Body: `{"body":"private?","kind":"reply","Kind":"note"}`, ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "only a case variant key", Method: "POST", URL: msgs, Token: aliceTok,
				Body: `{"Body":"hello"}`, ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "duplicate key", Method: "POST", URL: msgs, Token: aliceTok,
				Body: `{"body":"first","body":"second"}`, ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "zero-width body", Method: "POST", URL: msgs, Token: aliceTok,
				Body: map[string]string{"body": "\u200b\u200c\u200d\u2060\ufeff \u200b"}, ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "path id with plus", Method: "GET", URL: custConvs + "/+" + itoa(conv.ID), Token: aliceTok,
				ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "path id with leading zeros", Method: "POST", URL: custConvs + "/000" + itoa(conv.ID) + "/messages", Token: aliceTok,
				Body: map[string]string{"body": "aliased"}, ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "encoded slash is not a separator", Method: "POST", URL: custConvs + "/" + itoa(conv.ID) + "%2Fmessages", Token: aliceTok,
				Body: map[string]string{"body": "sneaky"}, ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "query id with leading zero", Method: "GET", URL: staffConvsURL + "?customer_id=0" + itoa(alice.ID), Token: agentTok,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "query id with plus", Method: "GET", URL: staffConvsURL + "?assigned_to=%2B1", Token: agentTok,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "body id as a float", Method: "POST", URL: staffConvsURL, Token: agentTok,
				Body: fmt.Sprintf(`{"customer_id":%d.0,"subject":"s","body":"b"}`, alice.ID), ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
		})
		if n := messageCount(t, e, conv.ID); n != before {
			t.Errorf("refused requests stored %d messages", n-before)
		}
		// A plain, valid message still goes through.
		if r := e.do(t, "POST", msgs, aliceTok, map[string]string{"body": "caf\u00e9 \u200b ok"}); r.Code != http.StatusCreated {
			t.Fatalf("valid message: %d %s", r.Code, r.Body)
		}
	})
}

// Item 15: a bulk request over the cap is refused while decoding; repeated
// ids are done once.
func TestBulkCapsAndDedupes(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, _ := e.customer(t, "alice@example.com")
		_, adminTok := e.staff(t, "admin1", models.RoleAdmin)
		conv := e.start(t, alice, 0, "to close")
		ids := make([]string, 501)
		for i := range ids {
			ids[i] = itoa(int64(i + 1))
		}
		e.run(t, []scenario{
			{Name: "501 ids", Method: "POST", URL: staffConvsURL + "/bulk", Token: adminTok,
				Body:           `{"action":"close","ids":[` + strings.Join(ids, ",") + `]}`,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "a repeated id", Method: "POST", URL: staffConvsURL + "/bulk", Token: adminTok,
				Body:           fmt.Sprintf(`{"action":"close","ids":[%d,%d,%d]}`, conv.ID, conv.ID, conv.ID),
				ExpectedStatus: http.StatusOK, Check: func(t *testing.T, r response) {
					if got := r.get("ids"); fmt.Sprint(got) != fmt.Sprintf("[%d]", conv.ID) {
						t.Errorf("ids %v", got)
					}
				}},
		})
	})
}

func messageCount(t *testing.T, e *env, id int64) int {
	t.Helper()
	ms, err := e.st.Messages(t.Context(), id, false)
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}
