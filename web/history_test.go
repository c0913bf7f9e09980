package web_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/parleyhq/parley/models"
)

func TestThreadHistoryPages(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, aliceTok := e.customer(t, "alice@example.com")
		_, bobTok := e.customer(t, "bob@example.com")
		admin, adminTok := e.staff(t, "chatadmin", models.RoleChatAdmin)
		conv := e.start(t, alice, 0, "Long thread")
		ctx := context.Background()
		for i := 1; i <= 60; i++ {
			if _, _, err := e.svc.Send(ctx, admin, conv.ID, models.KindReply, fmt.Sprintf("reply %d", i)); err != nil {
				t.Fatal(err)
			}
			if _, _, err := e.svc.Send(ctx, admin, conv.ID, models.KindNote, fmt.Sprintf("note %d", i)); err != nil {
				t.Fatal(err)
			}
		}
		all, err := e.st.Messages(ctx, conv.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		public, err := e.st.Messages(ctx, conv.ID, true)
		if err != nil {
			t.Fatal(err)
		}

		// walk reads the whole timeline as side sees it: the thread, then
		// older pages until the cursor is null.
		walk := func(t *testing.T, prefix, token string) []int64 {
			t.Helper()
			r := e.do(t, "GET", idURL(prefix, conv.ID, ""), token, nil)
			if r.Code != 200 {
				t.Fatalf("thread: %d %s", r.Code, r.Body)
			}
			if n := len(r.list("messages")); n != 50 {
				t.Fatalf("thread has %d messages, want the newest 50", n)
			}
			got := r.ids("messages")
			cursor, _ := r.get("messages_next_cursor").(string)
			for pages := 0; cursor != ""; pages++ {
				if pages > 10 {
					t.Fatal("cursor never ends")
				}
				p := e.do(t, "GET", idURL(prefix, conv.ID, "/messages?cursor="+url.QueryEscape(cursor)), token, nil)
				if p.Code != 200 {
					t.Fatalf("older page: %d %s", p.Code, p.Body)
				}
				got = append(p.ids("items"), got...)
				cursor, _ = p.get("next_cursor").(string)
			}
			return got
		}
		want := func(ms []models.Message) []int64 {
			var out []int64
			for _, m := range ms {
				out = append(out, m.ID)
			}
			return out
		}
		t.Run("staff page through everything in order", func(t *testing.T) {
			if got := walk(t, "/api/v1/staff/conversations", adminTok); !sameIDs(got, want(all)) {
				t.Fatalf("staff timeline %v\nwant %v", got, want(all))
			}
		})
		t.Run("the customer pages through the public timeline only", func(t *testing.T) {
			if got := walk(t, "/api/v1/conversations", aliceTok); !sameIDs(got, want(public)) {
				t.Fatalf("customer timeline %v\nwant %v", got, want(public))
			}
		})
		good := models.EncodeCursor(all[10].CreatedAt, all[10].ID)
		e.run(t, []scenario{
			{Name: "bob gets 404 on alice's messages", Method: "GET", URL: idURL("/api/v1/conversations", conv.ID, "/messages"), Token: bobTok, ExpectedStatus: 404},
			{Name: "bob gets 404 with a cursor too", Method: "GET", URL: idURL("/api/v1/conversations", conv.ID, "/messages?cursor="+good), Token: bobTok, ExpectedStatus: 404},
			{Name: "a forged cursor is 400", Method: "GET", URL: idURL("/api/v1/conversations", conv.ID, "/messages?cursor=MTIzLjA"), Token: aliceTok, ExpectedStatus: 400, ExpectedCode: "invalid"},
			{Name: "an out-of-range cursor is 400", Method: "GET", URL: idURL("/api/v1/conversations", conv.ID, "/messages?cursor=OTk5OTk5OTk5OTk5OTk5OTk5LjE"), Token: aliceTok, ExpectedStatus: 400},
			{Name: "an empty cursor is 400", Method: "GET", URL: idURL("/api/v1/conversations", conv.ID, "/messages?cursor="), Token: aliceTok, ExpectedStatus: 400},
			{Name: "two cursors are 400", Method: "GET", URL: idURL("/api/v1/conversations", conv.ID, "/messages?cursor="+good+"&cursor="+good), Token: aliceTok, ExpectedStatus: 400},
			{Name: "unknown parameters are 400", Method: "GET", URL: idURL("/api/v1/conversations", conv.ID, "/messages?limit=5"), Token: aliceTok, ExpectedStatus: 400},
			{Name: "a staff token on the customer side is 401", Method: "GET", URL: idURL("/api/v1/conversations", conv.ID, "/messages"), Token: adminTok, ExpectedStatus: 401},
			{Name: "a cursor older than everything gives an empty page", Method: "GET",
				URL: idURL("/api/v1/conversations", conv.ID, "/messages?cursor="+models.EncodeCursor(all[0].CreatedAt, all[0].ID)), Token: aliceTok, ExpectedStatus: 200,
				Check: func(t *testing.T, r response) {
					if len(r.list("items")) != 0 || r.get("next_cursor") != nil {
						t.Errorf("page before the first message: %s", r.Body)
					}
				}},
		})
	})
}

func TestOrdersListOwnOnly(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		alice, aliceTok := e.customer(t, "alice@example.com")
		bob, bobTok := e.customer(t, "bob@example.com")
		ctx := context.Background()
		for i, who := range []models.Actor{alice, alice, bob} {
			o := models.Order{CustomerID: who.ID, Number: fmt.Sprintf("<b>ORD-%d</b>", i), Status: "open", TotalCents: 100, Currency: "EUR", CreatedAt: models.Now(e.clock.Now())}
			if err := e.st.InsertOrder(ctx, &o); err != nil {
				t.Fatal(err)
			}
		}
		r := e.do(t, "GET", "/api/v1/orders", aliceTok, nil)
		if r.Code != 200 || len(r.list("items")) != 2 {
			t.Fatalf("alice's orders: %d %s", r.Code, r.Body)
		}
		r = e.do(t, "GET", "/api/v1/orders", bobTok, nil)
		if r.Code != 200 || len(r.list("items")) != 1 || r.str("items.0.number") != "<b>ORD-2</b>" {
			t.Fatalf("bob's orders: %d %s", r.Code, r.Body)
		}
		if r := e.do(t, "GET", "/api/v1/orders?customer_id=1", bobTok, nil); r.Code != 400 {
			t.Fatalf("query on orders: %d", r.Code)
		}
		if r := e.do(t, "GET", "/api/v1/orders", "", nil); r.Code != 401 {
			t.Fatalf("orders without a token: %d", r.Code)
		}
	})
}
