package models_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

// TestOrderWithItems: an order and its lines in one read — with lines in
// id order, without any, and a missing order as not found.
func TestOrderWithItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		cu := models.Customer{Email: "owi@example.com", Name: "Owi"}
		if err := st.InsertCustomer(ctx, &cu, ""); err != nil {
			t.Fatal(err)
		}
		at := models.Now(time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC))
		with := models.Order{CustomerID: cu.ID, Number: "PO-1", Status: "open", TotalCents: 1234, Currency: "EUR", CreatedAt: at,
			Items: []models.OrderItem{{SKU: "A", Name: "Mug <b>", Quantity: 2, PriceCents: 500}, {SKU: "B", Name: "Tea", Quantity: 1, PriceCents: 234}}}
		bare := models.Order{CustomerID: cu.ID, Number: "PO-2", Status: "fulfilled", TotalCents: 0, Currency: "EUR", CreatedAt: at}
		for _, o := range []*models.Order{&with, &bare} {
			if err := st.InsertOrder(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
		for _, want := range []models.Order{with, bare} {
			got, err := st.OrderWithItems(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("order %s:\n got %+v\nwant %+v", want.Number, got, want)
			}
		}
		if _, err := st.OrderWithItems(ctx, bare.ID+100); models.ErrorCode(err) != models.ENOTFOUND {
			t.Errorf("missing order: %v", err)
		}
	})
}
