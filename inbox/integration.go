package inbox

import (
	"context"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/models"
)

// The shop's systems (issue 7): customers, orders and carts arrive through
// the integration API as idempotent upserts keyed by the shop's own ids.
// They are system operations: only the system actor may call them (an
// integration key authenticates as one, see Accounts.AuthenticateIntegration).

// Bounds of the integration payloads.
const (
	MaxExternalID   = 191
	MaxItems        = 200
	MaxItemQuantity = 1_000_000
	MaxCents        = 1_000_000_000_000 // ten billion in currency units
	maxNameRunes    = 255
	maxAddressRunes = 1000
	maxNumberRunes  = 64
)

// ShopCustomerInput is PUT /integration/customers/{external_id}.
type ShopCustomerInput struct {
	ExternalID     string
	Email          string
	Name           string
	Address        string
	MarketingOptIn bool
	CreatedAt      time.Time // zero: now
}

// ShopItem is one line of an order or a cart.
type ShopItem struct {
	Name       string
	Quantity   int
	PriceCents int64
}

// ShopOrderInput is PUT /integration/orders/{external_id}.
type ShopOrderInput struct {
	ExternalID         string
	CustomerExternalID string
	Number             string
	Status             string
	TotalCents         int64
	Currency           string
	Items              []ShopItem
}

// fieldError is a refusal naming the payload field at fault.
func fieldError(field, format string, args ...any) *models.Error {
	e := models.Errorf(models.EINVALID, format, args...)
	e.Message = "field " + field + ": " + e.Message
	return e
}

// ValidExternalID checks a shop id: 1 to 191 characters, each a letter,
// digit or one of . _ ~ : @ + - (ids travel in URL paths).
func ValidExternalID(field, id string) error {
	if id == "" || len(id) > MaxExternalID {
		return fieldError(field, "must be 1 to %d characters", MaxExternalID)
	}
	for _, r := range id {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("._~:@+-", r)) {
			return fieldError(field, "may hold only letters, digits and . _ ~ : @ + -")
		}
	}
	return nil
}

// text checks a single-line text field of at most max code points.
func text(field, v string, max int, required bool) (string, error) {
	v = strings.TrimSpace(v)
	switch n := utf8.RuneCountInString(v); {
	case !utf8.ValidString(v):
		return "", fieldError(field, "is not valid UTF-8 text")
	case required && n == 0:
		return "", fieldError(field, "is required")
	case n > max:
		return "", fieldError(field, "is %d characters long; the limit is %d", n, max)
	}
	for _, r := range v {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return "", fieldError(field, "must not contain control characters")
		}
	}
	return v, nil
}

// ValidEmail checks an e-mail address (a bare address of at most 254
// bytes) and returns it lowercased.
func ValidEmail(field, v string) (string, error) {
	v = strings.TrimSpace(v)
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || len(v) > 254 || !strings.Contains(v, "@") {
		return "", fieldError(field, "is not an e-mail address")
	}
	return strings.ToLower(v), nil
}

func (s *Service) system(a models.Actor) error {
	if a.Kind != models.ActorSystem || a.Role != models.RoleSystem {
		return models.Errorf(models.EFORBIDDEN, "only the store's systems may do this")
	}
	return nil
}

// CheckShopCustomer validates and normalises a customer payload (no I/O:
// the fuzz target runs it), naming the field at fault.
func CheckShopCustomer(in ShopCustomerInput, now time.Time) (models.ShopCustomer, error) {
	var sc models.ShopCustomer
	if err := ValidExternalID("external_id", in.ExternalID); err != nil {
		return sc, err
	}
	email, err := ValidEmail("email", in.Email)
	if err != nil {
		return sc, err
	}
	name, err := text("name", in.Name, maxNameRunes, false)
	if err != nil {
		return sc, err
	}
	address, err := multiline("address", in.Address, maxAddressRunes)
	if err != nil {
		return sc, err
	}
	if in.CreatedAt.After(now.Add(24*time.Hour)) || in.CreatedAt.Year() > 9999 {
		return sc, fieldError("created_at", "lies in the future")
	}
	if !in.CreatedAt.IsZero() && in.CreatedAt.Year() < 1970 {
		return sc, fieldError("created_at", "lies before 1970")
	}
	return models.ShopCustomer{ExternalID: in.ExternalID, Email: email, Name: name, Address: address,
		MarketingOptIn: in.MarketingOptIn, CreatedAt: models.Now(in.CreatedAt)}, nil
}

// PutShopCustomer creates or updates the customer with the shop's id.
func (s *Service) PutShopCustomer(ctx context.Context, a models.Actor, in ShopCustomerInput) (models.Customer, models.ShopCustomer, error) {
	if err := s.system(a); err != nil {
		return models.Customer{}, models.ShopCustomer{}, err
	}
	now := s.now()
	sc, err := CheckShopCustomer(in, now)
	if err != nil {
		return models.Customer{}, models.ShopCustomer{}, err
	}
	err = s.store.InTx(ctx, func(tx *models.Tx) error {
		_, err := tx.UpsertShopCustomer(ctx, sc, now)
		return err
	})
	if err != nil {
		return models.Customer{}, models.ShopCustomer{}, err
	}
	return s.store.ShopCustomerByExternal(ctx, in.ExternalID)
}

// multiline is text that may hold line breaks (a postal address).
func multiline(field, v string, max int) (string, error) {
	lines := strings.Split(strings.ReplaceAll(v, "\r\n", "\n"), "\n")
	for i, l := range lines {
		t, err := text(field, l, max, false)
		if err != nil {
			return "", err
		}
		lines[i] = t
	}
	out := strings.TrimSpace(strings.Join(lines, "\n"))
	if n := utf8.RuneCountInString(out); n > max {
		return "", fieldError(field, "is %d characters long; the limit is %d", n, max)
	}
	return out, nil
}

func shopItems(field string, in []ShopItem) ([]models.OrderItem, error) {
	if len(in) > MaxItems {
		return nil, fieldError(field, "holds %d items; the limit is %d", len(in), MaxItems)
	}
	out := make([]models.OrderItem, 0, len(in))
	for i, it := range in {
		f := field + "[" + strconv.Itoa(i) + "]"
		name, err := text(f+".name", it.Name, maxNameRunes, true)
		if err != nil {
			return nil, err
		}
		if it.Quantity < 1 || it.Quantity > MaxItemQuantity {
			return nil, fieldError(f+".quantity", "must be 1 to %d", MaxItemQuantity)
		}
		if it.PriceCents < 0 || it.PriceCents > MaxCents {
			return nil, fieldError(f+".price_cents", "must be 0 to %d", int64(MaxCents))
		}
		out = append(out, models.OrderItem{Name: name, Quantity: it.Quantity, PriceCents: it.PriceCents})
	}
	return out, nil
}

// CheckShopOrder validates and normalises an order payload (no I/O),
// naming the field at fault; CustomerID is left for the caller.
func CheckShopOrder(in ShopOrderInput) (models.ShopOrder, error) {
	var o models.ShopOrder
	if err := ValidExternalID("external_id", in.ExternalID); err != nil {
		return o, err
	}
	if err := ValidExternalID("customer_external_id", in.CustomerExternalID); err != nil {
		return o, err
	}
	number, err := text("number", in.Number, maxNumberRunes, true)
	if err != nil {
		return o, err
	}
	if !slices.Contains(models.OrderStatuses, in.Status) {
		return o, fieldError("status", "must be one of %s", strings.Join(models.OrderStatuses, ", "))
	}
	if in.TotalCents < 0 || in.TotalCents > MaxCents {
		return o, fieldError("total_cents", "must be 0 to %d", int64(MaxCents))
	}
	if len(in.Currency) != 3 || strings.Trim(in.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return o, fieldError("currency", "must be an ISO 4217 code in capitals, such as EUR")
	}
	items, err := shopItems("items", in.Items)
	if err != nil {
		return o, err
	}
	return models.ShopOrder{ExternalID: in.ExternalID, Number: number, Status: in.Status,
		TotalCents: in.TotalCents, Currency: in.Currency, Items: items}, nil
}

// PutShopOrder creates or updates the order with the shop's id; the
// customer must exist (conflict otherwise).
func (s *Service) PutShopOrder(ctx context.Context, a models.Actor, in ShopOrderInput) (models.Order, error) {
	if err := s.system(a); err != nil {
		return models.Order{}, err
	}
	o, err := CheckShopOrder(in)
	if err != nil {
		return models.Order{}, err
	}
	now := s.now()
	err = s.store.InTx(ctx, func(tx *models.Tx) error {
		o := o
		cid, err := tx.CustomerIDByExternal(ctx, in.CustomerExternalID)
		if models.ErrorCode(err) == models.ENOTFOUND {
			return models.Errorf(models.ECONFLICT, "customer %q does not exist; create it first", in.CustomerExternalID)
		} else if err != nil {
			return err
		}
		o.CustomerID = cid
		_, err = tx.UpsertShopOrder(ctx, &o, now)
		return err
	})
	if err != nil {
		return models.Order{}, err
	}
	return s.store.ShopOrderByExternal(ctx, in.ExternalID)
}

// DeleteShopOrder deletes an order by the shop's id; conflict while a
// conversation links it.
func (s *Service) DeleteShopOrder(ctx context.Context, a models.Actor, externalID string) error {
	if err := s.system(a); err != nil {
		return err
	}
	if err := ValidExternalID("external_id", externalID); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx *models.Tx) error { return tx.DeleteShopOrder(ctx, externalID) })
}

// PutCart replaces the cart of the customer with the shop's id (no items
// empties it).
func (s *Service) PutCart(ctx context.Context, a models.Actor, customerExternalID string, in []ShopItem) ([]models.OrderItem, error) {
	if err := s.system(a); err != nil {
		return nil, err
	}
	if err := ValidExternalID("customer_external_id", customerExternalID); err != nil {
		return nil, err
	}
	items, err := shopItems("items", in)
	if err != nil {
		return nil, err
	}
	var cid int64
	now := s.now()
	err = s.store.InTx(ctx, func(tx *models.Tx) error {
		var err error
		cid, err = tx.CustomerIDByExternal(ctx, customerExternalID)
		if models.ErrorCode(err) == models.ENOTFOUND {
			return models.Errorf(models.ENOTFOUND, "customer %q not found", customerExternalID)
		} else if err != nil {
			return err
		}
		return tx.PutCart(ctx, cid, items, now)
	})
	if err != nil {
		return nil, err
	}
	return s.store.CartItems(ctx, cid)
}
