package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

const xssName = `<img src=x onerror="window.__xss=1">Mallory`

// Issue 6, around it: customers (search, "Message" starts a conversation,
// R5), orders (read-only), blocks (unblock) and the audit log (filters):
// chat admins and up (audit: admins); agents see none of them; every text
// renders as text.
func TestDirectoryPages(t *testing.T) {
	ctx := context.Background()
	agent := login(t, newStaff(t, models.RoleAgent))
	for _, p := range []string{"/admin/customers", "/admin/orders", "/admin/blocks", "/admin/audit"} {
		if res := agent.get(p); res.StatusCode != http.StatusForbidden {
			t.Errorf("agent GET %s: %d", p, res.StatusCode)
		}
	}
	if res := agent.get("/admin/info/conversation"); strings.Contains(res.body, `href="/admin/customers"`) || strings.Contains(res.body, `href="/admin/audit"`) {
		t.Error("an agent sees the customers or audit menu entries")
	}

	mail := "mallory" + randomHex(3) + "@example.com"
	cu, err := env.acc.CreateCustomer(ctx, mail, xssName, "")
	if err != nil {
		t.Fatal(err)
	}
	o := models.Order{CustomerID: cu.ID, Number: "ORD-" + randomHex(4), Status: "open", TotalCents: 1999, Currency: "EUR"}
	if err := env.store.InsertOrder(ctx, &o); err != nil {
		t.Fatal(err)
	}
	chatSt := newStaff(t, models.RoleChatAdmin)
	chat := login(t, chatSt)
	if res := chat.get("/admin/audit"); res.StatusCode != http.StatusForbidden {
		t.Errorf("chat admin GET audit: %d", res.StatusCode)
	}
	for _, q := range []string{"mallory", strings.ToUpper(mail[:9]), o.Number, "<img"} {
		res := chat.get("/admin/customers?" + url.Values{"q": {q}}.Encode())
		doc := res.doc(t)
		names := doc.Find(".parley-customers td.customer-name").Text()
		if res.StatusCode != http.StatusOK || !strings.Contains(names, xssName) || doc.Find("img[onerror]").Length() != 0 {
			t.Errorf("search %q: %d %q", q, res.StatusCode, names)
		}
	}
	if doc := chat.get("/admin/customers").doc(t); doc.Find(`.sidebar-menu a[href="/admin/customers"]`).Length() == 0 {
		t.Error("no Customers menu entry for a chat admin")
	}

	// "Message": the form for that customer, then a conversation (R5).
	res := chat.get("/admin/customers?message=" + itoa(cu.ID))
	if res.doc(t).Find(".parley-compose .compose-customer").Text() != xssName {
		t.Fatalf("compose form: %.500s", res.body)
	}
	res = chat.post("/admin/customers/message", url.Values{"customer_id": {itoa(cu.ID)}, "subject": {" "}, "body": {"hi"}}, nil)
	if res.StatusCode != http.StatusBadRequest || res.doc(t).Find(".parley-compose").Length() != 1 {
		t.Errorf("blank subject: %d", res.StatusCode)
	}
	res = chat.post("/admin/customers/message", url.Values{"customer_id": {itoa(cu.ID)}, "subject": {"About your order"}, "body": {"Hello <b>there</b>"}}, nil)
	link, _ := res.doc(t).Find("a.parley-open-thread").Attr("href")
	if res.StatusCode != http.StatusOK || !strings.Contains(link, "/admin/info/conversation/edit?__goadmin_edit_pk=") {
		t.Fatalf("message: %d %q %.300s", res.StatusCode, link, res.doc(t).Find(".parley-form-error").Text())
	}
	if r := chat.get(link); r.StatusCode != http.StatusOK {
		t.Errorf("open the new thread: %d", r.StatusCode)
	}

	// Orders: read-only, by number or customer.
	res = chat.get("/admin/orders?customer=" + itoa(cu.ID))
	if res.StatusCode != http.StatusOK || strings.TrimSpace(res.doc(t).Find("td.order-number").Text()) != o.Number ||
		res.doc(t).Find("form[method=post]").Length() != 0 {
		t.Errorf("orders: %d %.300s", res.StatusCode, res.body)
	}

	// Blocks: listed, unblocked with a click (audited by inbox).
	b, err := env.svc.Block(ctx, actorOf(chatSt), inbox.BlockInput{CustomerID: &cu.ID, Reason: xssName})
	if err != nil {
		t.Fatal(err)
	}
	res = chat.get("/admin/blocks")
	row := res.doc(t).Find(`tr.parley-directory-row[data-id="` + itoa(b.ID) + `"]`)
	if strings.TrimSpace(row.Find(".block-reason").Text()) != xssName || row.Find("button.parley-unblock").Length() != 1 || res.doc(t).Find("img[onerror]").Length() != 0 {
		t.Fatalf("blocks: %.500s", res.body)
	}
	res = chat.post("/admin/blocks/unblock", url.Values{"id": {itoa(b.ID)}}, nil)
	if res.StatusCode != http.StatusOK || res.doc(t).Find(`tr[data-id="`+itoa(b.ID)+`"]`).Length() != 0 {
		t.Errorf("unblock: %d", res.StatusCode)
	}
	if res := chat.post("/admin/blocks/unblock", url.Values{"id": {itoa(b.ID)}}, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("unblock twice: %d", res.StatusCode)
	}

	// Audit log: admins, filtered; entries with markup render as text.
	admin := login(t, newStaff(t, models.RoleAdmin))
	res = admin.get("/admin/audit?" + url.Values{"actor": {chatSt.Username}, "action": {"customer.unblock"}, "target": {"block:" + itoa(b.ID)}}.Encode())
	doc := res.doc(t)
	if res.StatusCode != http.StatusOK || doc.Find("td.audit-action").Length() != 1 || !strings.Contains(doc.Find("td.audit-before").Text(), "onerror") ||
		doc.Find("img[onerror]").Length() != 0 {
		t.Errorf("audit: %d %.800s", res.StatusCode, res.body)
	}
	if res := admin.get("/admin/audit?from=yesterday"); res.StatusCode != http.StatusBadRequest || res.doc(t).Find(".parley-form-error").Length() != 1 {
		t.Errorf("bad date: %d", res.StatusCode)
	}
	if res := admin.get("/admin/audit?from=2000-01-01&to=2999-01-01"); res.StatusCode != http.StatusOK || res.doc(t).Find("td.audit-action").Length() == 0 {
		t.Errorf("date range: %d", res.StatusCode)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
