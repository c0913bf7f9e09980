package web

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// FuzzIntegrationPayloads: the integration payloads (customer, order,
// cart) never panic the decoder or the checks; every refusal is a 400
// naming a field or the body; whatever passes is within the bounds.
func FuzzIntegrationPayloads(f *testing.F) {
	for _, s := range []string{
		`{"email":"a@example.com","name":"A","address":"1 Main St\nTown","marketing_opt_in":true,"created_at":"2025-01-01T00:00:00Z"}`,
		`{"email":"a@example.com","created_at":"0000-01-01T00:00:00Z"}`,
		`{"customer_external_id":"c-1","number":"1","status":"open","total_cents":1,"currency":"EUR","items":[{"name":"x","quantity":1,"price_cents":0}]}`,
		`{"customer_external_id":"c 1","number":"","status":"shipped","total_cents":-1,"currency":"eur","items":[{"name":"","quantity":0}]}`,
		`{"items":[{"name":"Tea","quantity":1,"price_cents":500}]}`,
		`{"email":"a@example.com","Email":"b@example.com"}`, `{"items":null}`, `[]`,
	} {
		f.Add([]byte(s), "c-1")
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	refusal := func(t *testing.T, err error) {
		t.Helper()
		e := models.AsError(err)
		if e == nil || (e.Code != models.EINVALID && e.Code != models.ETOOLARGE) {
			t.Fatalf("refusal %v is not a 400", err)
		}
		if !strings.Contains(e.Message, "field") && !strings.Contains(e.Message, "body") && !strings.Contains(e.Message, "list") {
			t.Fatalf("refusal %q names neither a field nor the body", e.Message)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, id string) {
		var cr shopCustomerRequest
		if err := decodeBytes(body, &cr); err != nil {
			refusal(t, err)
		} else if in, err := shopCustomerInput(id, cr); err != nil {
			refusal(t, err)
		} else if sc, err := inbox.CheckShopCustomer(in, now); err != nil {
			refusal(t, err)
		} else if !utf8.ValidString(sc.Name+sc.Address+sc.Email) || utf8.RuneCountInString(sc.Address) > 1000 || !strings.Contains(sc.Email, "@") || sc.ExternalID != id {
			t.Fatalf("accepted %+v", sc)
		}
		var or shopOrderRequest
		if err := decodeBytes(body, &or); err != nil {
			refusal(t, err)
		} else if o, err := inbox.CheckShopOrder(shopOrderInput(id, or)); err != nil {
			refusal(t, err)
		} else if o.TotalCents < 0 || len(o.Items) > inbox.MaxItems || len(o.Currency) != 3 || o.Number == "" {
			t.Fatalf("accepted %+v", o)
		} else {
			for _, it := range o.Items {
				if it.Quantity < 1 || it.PriceCents < 0 || it.Name == "" || !utf8.ValidString(it.Name) {
					t.Fatalf("accepted item %+v", it)
				}
			}
		}
	})
}
