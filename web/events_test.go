package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/models"
)

// sseEvent is one event read off a stream.
type sseEvent struct {
	ID, Type string
	Data     map[string]any
}

// stream opens GET url on srv with the header and reads its events into a
// channel until the test ends or the stream closes.
func stream(t *testing.T, srv *httptest.Server, url string, header http.Header) (*http.Response, <-chan sseEvent) {
	t.Helper()
	req, err := http.NewRequest("GET", srv.URL+url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	out := make(chan sseEvent, 64)
	if res.StatusCode != http.StatusOK {
		close(out)
		return res, out
	}
	go func() {
		defer close(out)
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Type != "" {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.Type = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.Data); err != nil {
					t.Errorf("data is not JSON: %q", line)
				}
			}
		}
	}()
	return res, out
}

func bearerHeader(tok string) http.Header {
	return http.Header{"Authorization": {"Bearer " + tok}}
}

// nextMessage waits up to 5 s for the next message.created event.
func nextMessage(t *testing.T, ch <-chan sseEvent) sseEvent {
	t.Helper()
	return nextOf(t, ch, "message.created")
}

// TestEventStream: a customer's stream carries the staff reply but never
// the note before it, by bearer and by the portal's cookie; a dropped
// stream resumed with Last-Event-ID misses nothing; bad ids and the
// wrong side's token are refused.
func TestEventStream(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		srv := httptest.NewServer(e.h)
		defer srv.Close()
		defer e.bus.CloseStreams() // else srv.Close waits for the open streams
		alice, aliceTok := e.customer(t, "alice@example.com")
		_, staffTok := e.staff(t, "sam", models.RoleOwner)
		conv := e.start(t, alice, alice.ID, "Where is my parcel?")

		res, aliceS := stream(t, srv, "/api/v1/events", bearerHeader(aliceTok))
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		_, cookieS := stream(t, srv, "/api/v1/events", http.Header{"Cookie": {"parley_customer=" + aliceTok}})
		time.Sleep(100 * time.Millisecond) // both streams subscribed

		note := e.do(t, "POST", idURL(staffConvs, conv.ID, "/messages"), staffTok, map[string]string{"body": "check the carrier", "kind": "note"})
		reply := e.do(t, "POST", idURL(staffConvs, conv.ID, "/messages"), staffTok, map[string]string{"body": "It left today.", "kind": "reply"})
		if note.Code != http.StatusCreated || reply.Code != http.StatusCreated {
			t.Fatalf("note %d, reply %d", note.Code, reply.Code)
		}
		replyID := reply.get("message.id")
		if replyID == nil {
			replyID = reply.get("id")
		}
		noteID := note.get("message.id")
		if noteID == nil {
			noteID = note.get("id")
		}
		var last string
		for name, ch := range map[string]<-chan sseEvent{"bearer": aliceS, "cookie": cookieS} {
			// The start's own message may come first: the node's reader
			// may not have read it yet when the stream opened.
			ev := nextMessage(t, ch)
			for ev.Data["message_id"] != replyID && ev.Data["message_id"] != noteID {
				ev = nextMessage(t, ch)
			}
			if ev.Data["message_id"] != replyID || ev.Data["conversation_id"] != float64(conv.ID) {
				t.Fatalf("%s stream: message event %+v; want the reply %v (never the note)", name, ev, replyID)
			}
			for _, k := range []string{"customer_id", "private", "assigned_to"} {
				if _, ok := ev.Data[k]; ok {
					t.Errorf("%s stream: the signal carries %q (an audience field)", name, k)
				}
			}
			last = ev.ID
		}
		// Dropped: two replies meanwhile, then a resume from the last id.
		res.Body.Close()
		var want []any
		for _, body := range []string{"Tracking: 123", "Anything else?"} {
			r := e.do(t, "POST", idURL(staffConvs, conv.ID, "/messages"), staffTok, map[string]string{"body": body, "kind": "reply"})
			id := r.get("message.id")
			if id == nil {
				id = r.get("id")
			}
			want = append(want, id)
		}
		h := bearerHeader(aliceTok)
		h.Set("Last-Event-ID", last)
		_, resumed := stream(t, srv, "/api/v1/events", h)
		for _, id := range want {
			if ev := nextMessage(t, resumed); ev.Data["message_id"] != id {
				t.Fatalf("resumed stream: %+v; want message %v", ev, id)
			}
		}

		// Refused: a malformed id, the other side's token, no credentials.
		bad := bearerHeader(aliceTok)
		bad.Set("Last-Event-ID", "01-1")
		for _, tc := range []struct {
			name, url string
			h         http.Header
			code      int
		}{
			{"malformed Last-Event-ID", "/api/v1/events", bad, http.StatusBadRequest},
			{"staff token on the customer stream", "/api/v1/events", bearerHeader(staffTok), http.StatusUnauthorized},
			{"customer token on the staff stream", "/api/v1/staff/events", bearerHeader(aliceTok), http.StatusUnauthorized},
			{"customer cookie on the staff stream", "/api/v1/staff/events", http.Header{"Cookie": {"parley_customer=" + aliceTok}}, http.StatusUnauthorized},
			{"nothing", "/api/v1/events", http.Header{}, http.StatusUnauthorized},
		} {
			if res, _ := stream(t, srv, tc.url, tc.h); res.StatusCode != tc.code {
				t.Errorf("%s: %d; want %d", tc.name, res.StatusCode, tc.code)
			}
		}
	})
}

// TestServiceEvents: what the service publishes as staff work a thread,
// read from the real event stream the way a node's streams read it (each
// subscriber through MaySee): an agent's stream never carries another
// agent's thread, a customer's never a note nor what a note changed.
func TestServiceEvents(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		alice, _ := e.customer(t, "alice@example.com")
		agent, _ := e.staff(t, "agent1", models.RoleAgent)
		agent2, _ := e.staff(t, "agent2", models.RoleAgent)
		chatAdmin, _ := e.staff(t, "chat1", models.RoleChatAdmin)
		sub := func(a models.Actor) *live.Sub {
			s, _, err := e.bus.Subscribe(ctx, "", func(ev inbox.Event) bool { return e.svc.MaySee(a, ev) })
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { e.bus.Unsubscribe(s) })
			return s
		}
		aliceS, agentS, agent2S, chatS := sub(alice), sub(agent), sub(agent2), sub(chatAdmin)

		c, first, err := e.svc.Start(ctx, alice, inbox.StartInput{CustomerID: alice.ID, Subject: "Where is my parcel?", Body: "It has not come."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Take(ctx, agent, c.ID); err != nil {
			t.Fatal(err)
		}
		note, _, err := e.svc.Send(ctx, agent, c.ID, models.KindNote, "check the carrier")
		if err != nil {
			t.Fatal(err)
		}
		reply, _, err := e.svc.Send(ctx, agent, c.ID, models.KindReply, "It left today.")
		if err != nil {
			t.Fatal(err)
		}
		type seen struct {
			typ string
			msg int64
		}
		drain := func(name string, s *live.Sub, n int) []seen {
			var out []seen
			for len(out) < n {
				select {
				case d := <-s.C:
					if d.Event.ConversationID != c.ID {
						t.Fatalf("%s: event of conversation %d; want %d", name, d.Event.ConversationID, c.ID)
					}
					out = append(out, seen{d.Event.Type, d.Event.MessageID})
				case <-time.After(5 * time.Second):
					t.Fatalf("%s: only %v within 5 s; want %d events", name, out, n)
				}
			}
			select {
			case d := <-s.C:
				t.Fatalf("%s: after %v also %+v", name, out, d.Event)
			case <-time.After(300 * time.Millisecond):
			}
			return out
		}
		created, updated := inbox.EventMessageCreated, inbox.EventConversationUpdated
		// Start, take (the thread as it is, and as it was: who saw it
		// unassigned learns it left them), note, reply: all of it to the
		// assignee and the chat admin.
		all := []seen{{updated, 0}, {created, first.ID}, {updated, 0}, {updated, 0}, {created, note.ID}, {updated, 0}, {created, reply.ID}, {updated, 0}}
		if got := drain("assignee", agentS, len(all)); !slices.Equal(got, all) {
			t.Errorf("assignee's stream: %v; want %v", got, all)
		}
		if got := drain("chat admin", chatS, len(all)); !slices.Equal(got, all) {
			t.Errorf("chat admin's stream: %v; want %v", got, all)
		}
		// The other agent saw it while it was unassigned, then that it was
		// taken, then nothing.
		if got, want := drain("other agent", agent2S, 3), all[:3]; !slices.Equal(got, want) {
			t.Errorf("other agent's stream: %v; want %v", got, want)
		}
		// The customer: all but the note and what it changed.
		want := []seen{{updated, 0}, {created, first.ID}, {updated, 0}, {updated, 0}, {created, reply.ID}, {updated, 0}}
		if got := drain("customer", aliceS, len(want)); !slices.Equal(got, want) {
			t.Errorf("customer's stream: %v; want %v", got, want)
		}
	})
}

// TestEventCrossesNodes: two nodes on one database and Redis; a reply
// posted through node B reaches the customer's stream held by node A.
func TestEventCrossesNodes(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a := httptest.NewServer(e.h)
		defer a.Close()
		defer e.bus.CloseStreams()
		b := httptest.NewServer(e.node(t))
		defer b.Close()
		alice, aliceTok := e.customer(t, "alice@example.com")
		_, staffTok := e.staff(t, "sam", models.RoleOwner)
		conv := e.start(t, alice, alice.ID, "Where is my parcel?")
		_, onA := stream(t, a, "/api/v1/events", bearerHeader(aliceTok))
		time.Sleep(100 * time.Millisecond)
		req, err := http.NewRequest("POST", b.URL+idURL(staffConvs, conv.ID, "/messages"), strings.NewReader(`{"body":"Sent from node B","kind":"reply"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+staffTok)
		req.Header.Set("Content-Type", "application/json")
		res, err := b.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("reply on node B: %d %v", res.StatusCode, body)
		}
		ev := nextMessage(t, onA)
		if ev.Data["conversation_id"] != float64(conv.ID) {
			t.Fatalf("node A's stream: %+v; want conversation %d's reply", ev, conv.ID)
		}
	})
}

// TestStaleReplyAPI: both APIs take last_seen_message_id; a newer public
// reply makes the send a 409 conflict that sent nothing; the field is
// parsed strictly (null is no field: no check).
func TestStaleReplyAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, aliceTok := e.customer(t, "alice@example.com")
		_, samTok := e.staff(t, "sam", models.RoleOwner)
		_, kimTok := e.staff(t, "kim", models.RoleOwner)
		conv := e.start(t, alice, alice.ID, "Refund")
		staffMsgs, custMsgs := idURL(staffConvs, conv.ID, "/messages"), idURL(custConvs, conv.ID, "/messages")
		thread := e.do(t, "GET", idURL(staffConvs, conv.ID, ""), samTok, nil)
		msgs, _ := thread.get("messages").([]any)
		if len(msgs) == 0 {
			t.Fatalf("thread: %s", thread.Body)
		}
		seen := int64(msgs[len(msgs)-1].(map[string]any)["id"].(float64))

		if r := e.do(t, "POST", staffMsgs, samTok, map[string]any{"body": "Sent yesterday.", "last_seen_message_id": seen}); r.Code != http.StatusCreated {
			t.Fatalf("up-to-date reply: %d %s", r.Code, r.Body)
		}
		timeline := func() int {
			got, _ := e.do(t, "GET", idURL(staffConvs, conv.ID, ""), samTok, nil).get("messages").([]any)
			return len(got)
		}
		before := timeline()
		r := e.do(t, "POST", staffMsgs, kimTok, map[string]any{"body": "Let me check.", "last_seen_message_id": seen})
		if r.Code != http.StatusConflict || r.str("error.code") != "conflict" || !strings.Contains(r.str("error.message"), "sam") {
			t.Fatalf("stale staff reply: %d %s; want 409 naming sam", r.Code, r.Body)
		}
		r = e.do(t, "POST", custMsgs, aliceTok, map[string]any{"body": "Thanks", "last_seen_message_id": seen})
		if r.Code != http.StatusConflict || strings.Contains(r.Body, "sam") {
			t.Fatalf("stale customer reply: %d %s; want 409 without staff names", r.Code, r.Body)
		}
		if n := timeline(); n != before {
			t.Fatalf("the refused sends wrote %d messages", n-before)
		}
		if r := e.do(t, "POST", staffMsgs, kimTok, map[string]any{"body": "Sending anyway."}); r.Code != http.StatusCreated {
			t.Fatalf("sending anyway: %d %s", r.Code, r.Body)
		}
		for _, raw := range []string{`"12"`, `1.5`, `-3`, `0`, `1e2`, `99999999999999999999`} {
			body := `{"body":"x","last_seen_message_id":` + raw + `}`
			if r := e.do(t, "POST", staffMsgs, samTok, body); r.Code != http.StatusBadRequest {
				t.Errorf("last_seen_message_id %s: %d %s; want 400", raw, r.Code, r.Body)
			}
		}
	})
}

// nextOf waits up to 5 s for the next event of type typ.
func nextOf(t *testing.T, ch <-chan sseEvent, typ string) sseEvent {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("the stream ended before a %s", typ)
			}
			if ev.Type == typ {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %s within 5 s", typ)
		}
	}
}

// TestStreamTicket: the widget's stream ticket opens one customer stream,
// once; a used, forged or staff-side ticket, a ticket beside other query
// parameters and a ticket after its session ended are refused.
func TestStreamTicket(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		srv := httptest.NewServer(e.h)
		defer srv.Close()
		defer e.bus.CloseStreams()
		alice, aliceTok := e.customer(t, "alice@example.com")
		_, staffTok := e.staff(t, "sam", models.RoleOwner)
		conv := e.start(t, alice, alice.ID, "Where is my parcel?")
		ticket := func(tok string) string {
			t.Helper()
			r := e.do(t, "POST", "/api/v1/events/ticket", tok, nil)
			if r.Code != http.StatusCreated || !strings.HasPrefix(r.str("ticket"), "st_") || r.str("expires_at") == "" {
				t.Fatalf("ticket: %d %s", r.Code, r.Body)
			}
			return r.str("ticket")
		}
		tk := ticket(aliceTok)
		res, s := stream(t, srv, "/api/v1/events?ticket="+tk, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("stream by ticket: %d", res.StatusCode)
		}
		time.Sleep(100 * time.Millisecond)
		e.do(t, "POST", idURL(staffConvs, conv.ID, "/messages"), staffTok, map[string]any{"body": "On its way"})
		if ev := nextMessage(t, s); ev.Data["conversation_id"] != float64(conv.ID) {
			t.Fatalf("ticket stream: %+v", ev)
		}
		if res, _ := stream(t, srv, "/api/v1/events?ticket="+tk, nil); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a used ticket: %d; want 401", res.StatusCode)
		}
		forged := ticket(aliceTok)
		forged = forged[:len(forged)-2] + map[bool]string{true: "AA", false: "AB"}[strings.HasSuffix(forged, "AB")]
		if res, _ := stream(t, srv, "/api/v1/events?ticket="+forged, nil); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a forged ticket: %d; want 401", res.StatusCode)
		}
		if r := e.do(t, "POST", "/api/v1/events/ticket", staffTok, nil); r.Code != http.StatusUnauthorized {
			t.Fatalf("a staff token asking for a customer ticket: %d", r.Code)
		}
		two := ticket(aliceTok)
		if res, _ := stream(t, srv, "/api/v1/events?ticket="+two+"&x=1", nil); res.StatusCode != http.StatusBadRequest {
			t.Fatalf("ticket and another parameter: %d; want 400", res.StatusCode)
		}
		if res, _ := stream(t, srv, "/api/v1/staff/events?ticket="+two, nil); res.StatusCode != http.StatusBadRequest {
			t.Fatalf("a ticket on the staff stream: %d; want 400", res.StatusCode)
		}
		e.bus.KeepAlive = 100 * time.Millisecond
		_, open := stream(t, srv, "/api/v1/events?ticket="+ticket(aliceTok), nil)
		e.do(t, "POST", "/api/v1/auth/logout", aliceTok, nil)
		for ended := time.After(5 * time.Second); ; {
			select {
			case _, more := <-open:
				if more {
					continue
				}
			case <-ended:
				t.Fatal("a ticket's stream outlived its session by 5 s")
			}
			break
		}
		if res, _ := stream(t, srv, "/api/v1/events?ticket="+two, nil); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a ticket of an ended session: %d; want 401", res.StatusCode)
		}
	})
}

// TestTypingAndViewing: staff typing a reply reaches the customer without
// a name, a note being typed and staff viewing never do; the other agent
// sees who views; the bodies are parsed strictly.
func TestTypingAndViewing(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		srv := httptest.NewServer(e.h)
		defer srv.Close()
		defer e.bus.CloseStreams()
		alice, aliceTok := e.customer(t, "alice@example.com")
		_, samTok := e.staff(t, "sam", models.RoleOwner)
		_, kimTok := e.staff(t, "kim", models.RoleChatAdmin)
		conv := e.start(t, alice, alice.ID, "Where is my parcel?")
		_, aliceS := stream(t, srv, "/api/v1/events", bearerHeader(aliceTok))
		_, kimS := stream(t, srv, "/api/v1/staff/events", bearerHeader(kimTok))
		time.Sleep(100 * time.Millisecond)
		typing, viewing := idURL(staffConvs, conv.ID, "/typing"), idURL(staffConvs, conv.ID, "/viewing")

		if r := e.do(t, "POST", typing, samTok, `{"note":true}`); r.Code != http.StatusNoContent {
			t.Fatalf("typing a note: %d %s", r.Code, r.Body)
		}
		if ev := nextOf(t, kimS, "typing"); ev.Data["data"].(map[string]any)["name"] != "sam" {
			t.Fatalf("kim's typing event %+v; want sam named", ev)
		}
		if r := e.do(t, "POST", viewing, samTok, `{"state":"viewing"}`); r.Code != http.StatusNoContent {
			t.Fatalf("viewing: %d %s", r.Code, r.Body)
		}
		if ev := nextOf(t, kimS, "presence"); ev.Data["data"].(map[string]any)["state"] != "viewing" {
			t.Fatalf("kim's presence event %+v", ev)
		}
		time.Sleep(inbox.SignalEvery) // the next typing report is passed on
		if r := e.do(t, "POST", typing, samTok, `{}`); r.Code != http.StatusNoContent {
			t.Fatalf("typing a reply: %d %s", r.Code, r.Body)
		}
		// alice's first typing event is the reply's: the note's and the
		// viewing never reached her.
		ev := nextOf(t, aliceS, "typing")
		if d := ev.Data["data"].(map[string]any); d["name"] != nil || d["staff_id"] != nil || d["side"] != "staff" {
			t.Fatalf("alice's typing event %+v: the store, not who", ev)
		}
		if r := e.do(t, "POST", idURL(custConvs, conv.ID, "/typing"), aliceTok, `{}`); r.Code != http.StatusNoContent {
			t.Fatalf("customer typing: %d %s", r.Code, r.Body)
		}
		nextOf(t, kimS, "typing") // sam's reply
		if ev := nextOf(t, kimS, "typing"); ev.Data["data"].(map[string]any)["side"] != "customer" {
			t.Fatalf("kim sees the customer typing: %+v", ev)
		}
		for _, tc := range []struct{ url, tok, body string }{
			{idURL(custConvs, conv.ID, "/typing"), aliceTok, `{"note":true}`},
			{typing, samTok, `{"Note":true}`},
			{typing, samTok, ``},
			{viewing, samTok, `{}`},
			{viewing, samTok, `{"state":"away"}`},
		} {
			if r := e.do(t, "POST", tc.url, tc.tok, tc.body); r.Code != http.StatusBadRequest {
				t.Errorf("%s %s: %d %s; want 400", tc.url, tc.body, r.Code, r.Body)
			}
		}
		if r := e.do(t, "POST", idURL(staffConvs, conv.ID+999, "/viewing"), samTok, `{"state":"viewing"}`); r.Code != http.StatusNotFound {
			t.Errorf("viewing an unknown conversation: %d", r.Code)
		}
	})
}

// TestStreamEndsAtSignOut: a stream whose session is signed out ends at
// its next keep-alive.
func TestStreamEndsAtSignOut(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		e.bus.KeepAlive = 100 * time.Millisecond
		srv := httptest.NewServer(e.h)
		defer srv.Close()
		defer e.bus.CloseStreams()
		_, aliceTok := e.customer(t, "alice@example.com")
		_, s := stream(t, srv, "/api/v1/events", http.Header{"Cookie": {"parley_customer=" + aliceTok}})
		e.do(t, "POST", "/api/v1/auth/logout", aliceTok, nil)
		deadline := time.After(5 * time.Second)
		for {
			select {
			case _, open := <-s:
				if !open {
					return
				}
			case <-deadline:
				t.Fatal("the stream of a signed-out session is still open after 5 s")
			}
		}
	})
}
