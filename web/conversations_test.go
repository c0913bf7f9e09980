package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/models"
)

const custConvs = "/api/v1/conversations"

// R6a for customers: another customer's thread is invisible everywhere.
func TestCustomerSeesOnlyOwn(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, aliceTok := e.customer(t, "alice@example.com")
		bob, bobTok := e.customer(t, "bob@example.com")
		mine := e.start(t, alice, 0, "alice's")
		theirs := e.start(t, bob, 0, "bob's")
		closedTheirs := e.start(t, bob, 0, "bob's closed")
		e.setStatus(t, closedTheirs.ID, models.StatusClosed)
		before := countMessages(t, e, theirs.ID)

		e.run(t, []scenario{
			{Name: "list has only own", Method: "GET", URL: custConvs, Token: aliceTok, ExpectedStatus: http.StatusOK,
				Check: func(t *testing.T, r response) {
					if got := r.ids("items"); !sameIDs(got, []int64{mine.ID}) {
						t.Errorf("alice lists %v", got)
					}
				}},
			{Name: "GET other's thread", Method: "GET", URL: idURL(custConvs, theirs.ID, ""), Token: aliceTok,
				ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "POST message to other's thread", Method: "POST", URL: idURL(custConvs, theirs.ID, "/messages"), Token: aliceTok,
				Body: map[string]string{"body": "let me in"}, ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "POST message to other's closed thread", Method: "POST", URL: idURL(custConvs, closedTheirs.ID, "/messages"), Token: aliceTok,
				Body: map[string]string{"body": "let me in"}, ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "invalid body to other's thread is still not found", Method: "POST", URL: idURL(custConvs, theirs.ID, "/messages"), Token: aliceTok,
				Body: map[string]string{"body": "x"}, ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "GET unknown id", Method: "GET", URL: idURL(custConvs, theirs.ID+1000, ""), Token: aliceTok,
				ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "GET non-numeric id", Method: "GET", URL: custConvs + "/abc", Token: aliceTok,
				ExpectedStatus: http.StatusNotFound, ExpectedCode: "not_found"},
			{Name: "GET own thread", Method: "GET", URL: idURL(custConvs, mine.ID, ""), Token: aliceTok, ExpectedStatus: http.StatusOK,
				Check: func(t *testing.T, r response) {
					if r.num("conversation.id") != mine.ID || len(r.list("messages")) != 1 {
						t.Errorf("thread: %s", r.Body)
					}
					for _, staffOnly := range []string{"assigned_to", "is_read_by_admin"} {
						if _, ok := r.get("conversation").(map[string]any)[staffOnly]; ok {
							t.Errorf("customer conversation carries %s", staffOnly)
						}
					}
				}},
			{Name: "bob still reaches his own", Method: "GET", URL: idURL(custConvs, theirs.ID, ""), Token: bobTok, ExpectedStatus: http.StatusOK},
		})
		if n := countMessages(t, e, theirs.ID); n != before {
			t.Errorf("bob's thread has %d messages, had %d", n, before)
		}
		if f, ok, _ := e.st.OpenFollowUp(t.Context(), closedTheirs.ID); ok {
			t.Errorf("alice's message made a follow-up of bob's thread: %+v", f)
		}
		_ = bob
	})
}

// R3 through the API: body 1–10,000 code points and not blank (413 above),
// subject up to 200.
func TestMessageLimits(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		cust, tok := e.customer(t, "c1@example.com")
		_, staffTok := e.staff(t, "agent1", models.RoleAgent)
		conv := e.start(t, cust, 0, "limits")
		msgs := idURL(custConvs, conv.ID, "/messages")
		staffMsgs := idURL(staffConvs, conv.ID, "/messages")
		e.run(t, []scenario{
			{Name: "10,001 characters", Method: "POST", URL: msgs, Token: tok, Body: map[string]string{"body": strings.Repeat("a", 10001)},
				ExpectedStatus: http.StatusRequestEntityTooLarge, ExpectedCode: "too_large"},
			{Name: "10,001 two-byte characters", Method: "POST", URL: msgs, Token: tok, Body: map[string]string{"body": strings.Repeat("é", 10001)},
				ExpectedStatus: http.StatusRequestEntityTooLarge, ExpectedCode: "too_large"},
			{Name: "10,000 characters", Method: "POST", URL: msgs, Token: tok, Body: map[string]string{"body": strings.Repeat("a", 10000)},
				ExpectedStatus: http.StatusCreated, Check: func(t *testing.T, r response) {
					if len(r.str("message.body")) != 10000 {
						t.Errorf("stored body is %d long", len(r.str("message.body")))
					}
				}},
			{Name: "10,000 four-byte characters", Method: "POST", URL: msgs, Token: tok, Body: map[string]string{"body": strings.Repeat("😀", 10000)},
				ExpectedStatus: http.StatusCreated},
			{Name: "staff 10,001 characters", Method: "POST", URL: staffMsgs, Token: staffTok, Body: map[string]string{"body": strings.Repeat("a", 10001), "kind": "note"},
				ExpectedStatus: http.StatusRequestEntityTooLarge, ExpectedCode: "too_large"},
			{Name: "blank body", Method: "POST", URL: msgs, Token: tok, Body: map[string]string{"body": " \n\t "},
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "missing body", Method: "POST", URL: msgs, Token: tok, Body: map[string]string{},
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "staff blank note", Method: "POST", URL: staffMsgs, Token: staffTok, Body: map[string]string{"body": "  ", "kind": "note"},
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "staff unknown kind", Method: "POST", URL: staffMsgs, Token: staffTok, Body: map[string]string{"body": "x", "kind": "shout"},
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "subject of 201", Method: "POST", URL: custConvs, Token: tok, Body: map[string]string{"subject": strings.Repeat("s", 201), "body": "hello"},
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "blank subject", Method: "POST", URL: custConvs, Token: tok, Body: map[string]string{"subject": "   ", "body": "hello"},
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "subject of 200", Method: "POST", URL: custConvs, Token: tok, Body: map[string]string{"subject": strings.Repeat("s", 200), "body": "hello"},
				ExpectedStatus: http.StatusCreated, Check: func(t *testing.T, r response) {
					if r.str("conversation.status") != "OPEN" || r.str("message.body") != "hello" || r.num("conversation.customer_id") != cust.ID {
						t.Errorf("created: %s", r.Body)
					}
				}},
			{Name: "body over the request cap", Method: "POST", URL: msgs, Token: tok, Body: `{"body":"` + strings.Repeat("a", 300<<10) + `"}`,
				ExpectedStatus: http.StatusRequestEntityTooLarge, ExpectedCode: "too_large"},
			{Name: "not JSON", Method: "POST", URL: msgs, Token: tok, Body: `{"body":`,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "syntax error", Method: "POST", URL: msgs, Token: tok, Body: `{"body" "x"}`,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "wrong type", Method: "POST", URL: msgs, Token: tok, Body: `{"body": 5}`,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid", ExpectedMessage: `field "body" must be a string, not number`},
			{Name: "unknown field", Method: "POST", URL: msgs, Token: tok, Body: `{"body": "x", "kind": "note"}`,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid", ExpectedMessage: `unknown field "kind"`},
			{Name: "array body", Method: "POST", URL: msgs, Token: tok, Body: `["x"]`,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "two objects", Method: "POST", URL: msgs, Token: tok, Body: `{"body":"x"}{"body":"y"}`,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
			{Name: "empty request body", Method: "POST", URL: msgs, Token: tok, Body: ``,
				ExpectedStatus: http.StatusBadRequest, ExpectedCode: "invalid"},
		})
	})
}

// R8: notes and staff-only events change nothing a customer can see.
func TestCustomersNeverSeeNotes(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		cust, tok := e.customer(t, "c1@example.com")
		agent, staffTok := e.staff(t, "agent1", models.RoleAgent)
		conv := e.start(t, cust, 0, "where is my parcel")
		if r := e.do(t, "POST", idURL(staffConvs, conv.ID, "/messages"), staffTok, map[string]string{"body": "On its way!", "kind": "reply"}); r.Code != http.StatusCreated {
			t.Fatalf("reply: %d %s", r.Code, r.Body)
		}
		e.do(t, "GET", idURL(custConvs, conv.ID, ""), tok, nil) // read it
		listBefore := e.do(t, "GET", custConvs, tok, nil)
		threadBefore := e.do(t, "GET", idURL(custConvs, conv.ID, ""), tok, nil)

		const secret = "SECRET-NOTE customer is rude"
		note := e.do(t, "POST", idURL(staffConvs, conv.ID, "/messages"), staffTok, map[string]string{"body": secret, "kind": "note"})
		if note.Code != http.StatusCreated || note.str("message.kind") != "note" {
			t.Fatalf("note: %d %s", note.Code, note.Body)
		}
		// Another staff-only event: take it.
		if r := e.do(t, "PATCH", idURL(staffConvs, conv.ID, ""), staffTok, map[string]any{"assigned_to": agent.ID}); r.Code != http.StatusOK {
			t.Fatalf("take: %d %s", r.Code, r.Body)
		}
		listAfter := e.do(t, "GET", custConvs, tok, nil)
		threadAfter := e.do(t, "GET", idURL(custConvs, conv.ID, ""), tok, nil)
		if listAfter.Body != listBefore.Body {
			t.Errorf("customer list changed:\nbefore %s\nafter  %s", listBefore.Body, listAfter.Body)
		}
		if threadAfter.Body != threadBefore.Body {
			t.Errorf("customer thread changed:\nbefore %s\nafter  %s", threadBefore.Body, threadAfter.Body)
		}
		// Escalation with a reason: the customer sees neither the word, the
		// reason nor any move of preview, time or count. (Their status shows
		// AWAITING_ADMIN: the store has no separate public status to keep.)
		if r := e.do(t, "PATCH", idURL(staffConvs, conv.ID, ""), staffTok, map[string]any{"status": "ESCALATED", "reason": "refund SECRET-REASON"}); r.Code != http.StatusOK {
			t.Fatalf("escalate: %d %s", r.Code, r.Body)
		}
		listEsc := e.do(t, "GET", custConvs, tok, nil)
		threadEsc := e.do(t, "GET", idURL(custConvs, conv.ID, ""), tok, nil)
		for _, r := range []response{listAfter, threadAfter, listEsc, threadEsc} {
			if strings.Contains(r.Body, "SECRET") || strings.Contains(r.Body, "ESCALATED") {
				t.Errorf("customer sees staff-only data: %s", r.Body)
			}
		}
		for _, field := range []string{"last_message_at", "last_message_preview", "message_count", "is_read_by_user"} {
			if a, b := listBefore.get("items.0."+field), listEsc.get("items.0."+field); a != b {
				t.Errorf("escalation moved the customer's %s: %v → %v", field, a, b)
			}
		}
		if a, b := len(threadBefore.list("messages")), len(threadEsc.list("messages")); a != b {
			t.Errorf("escalation added customer-visible messages: %d → %d", a, b)
		}
		for _, m := range threadEsc.list("messages") {
			if k := m.(map[string]any)["kind"]; k == "note" {
				t.Errorf("customer gets a note: %v", m)
			}
		}
		// Staff do see the note, and their preview moved.
		staffThread := e.do(t, "GET", idURL(staffConvs, conv.ID, ""), staffTok, nil)
		if !strings.Contains(staffThread.Body, secret) {
			t.Errorf("staff thread lacks the note: %s", staffThread.Body)
		}
		if listAfter.str("items.0.last_message_preview") != "On its way!" {
			t.Errorf("customer preview %q", listAfter.str("items.0.last_message_preview"))
		}
	})
}

// docs/design.md §3: a customer writing to a CLOSED thread lands in its follow-up.
func TestMessageToClosedLandsInFollowUp(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		cust, tok := e.customer(t, "c1@example.com")
		conv := e.start(t, cust, 0, "broken zipper")
		e.setStatus(t, conv.ID, models.StatusClosed)
		var followUp int64
		e.run(t, []scenario{
			{Name: "first message after close", Method: "POST", URL: idURL(custConvs, conv.ID, "/messages"), Token: tok,
				Body: map[string]string{"body": "it broke again"}, ExpectedStatus: http.StatusCreated,
				Check: func(t *testing.T, r response) {
					followUp = r.num("conversation.id")
					if followUp == conv.ID || r.num("conversation.follow_up_of") != conv.ID || r.str("conversation.status") != "OPEN" ||
						r.str("conversation.subject") != "broken zipper" || r.num("message.conversation_id") != followUp {
						t.Errorf("answer: %s", r.Body)
					}
				}},
			{Name: "second message lands in the same follow-up", Method: "POST", URL: idURL(custConvs, conv.ID, "/messages"), Token: tok,
				Body: map[string]string{"body": "still broken"}, ExpectedStatus: http.StatusCreated,
				Check: func(t *testing.T, r response) {
					if r.num("conversation.id") != followUp || r.num("conversation.follow_up_of") != conv.ID {
						t.Errorf("answer: %s", r.Body)
					}
				}},
			{Name: "closed thread stays closed", Method: "GET", URL: idURL(custConvs, conv.ID, ""), Token: tok, ExpectedStatus: http.StatusOK,
				Check: func(t *testing.T, r response) {
					if r.str("conversation.status") != "CLOSED" {
						t.Errorf("closed thread: %s", r.Body)
					}
				}},
		})
	})
}
