package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// customerProfile is GET /api/v1/staff/customers/{id}: the customer with
// cart, orders and the conversations the caller may see (R6a).
type customerProfile struct {
	ID                  int64               `json:"id"`
	Email               string              `json:"email"`
	Name                string              `json:"name"`
	IsGuest             bool                `json:"is_guest"`
	ExternalID          string              `json:"external_id"`
	Address             string              `json:"address"`
	MarketingSubscribed bool                `json:"marketing_subscribed"`
	CreatedAt           time.Time           `json:"created_at"`
	Note                *customerNote       `json:"note"`
	Cart                *cartView           `json:"cart"`
	Orders              []orderView         `json:"orders"`
	Conversations       []staffConversation `json:"conversations"`
	MoreConversations   bool                `json:"more_conversations"`
}

type customerNote struct {
	Body      string    `json:"body"`
	UpdatedBy int64     `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

type lineView struct {
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	Quantity   int    `json:"quantity"`
	PriceCents int64  `json:"price_cents"`
}

type cartView struct {
	UpdatedAt time.Time  `json:"updated_at"`
	Items     []lineView `json:"items"`
}

type orderView struct {
	ID         int64     `json:"id"`
	Number     string    `json:"number"`
	Status     string    `json:"status"`
	TotalCents int64     `json:"total_cents"`
	Currency   string    `json:"currency"`
	CreatedAt  time.Time `json:"created_at"`
}

func lineViews(items []models.OrderItem) []lineView {
	out := make([]lineView, 0, len(items))
	for _, it := range items {
		out = append(out, lineView{SKU: it.SKU, Name: it.Name, Quantity: it.Quantity, PriceCents: it.PriceCents})
	}
	return out
}

func profileView(p inbox.CustomerProfile) customerProfile {
	cu := p.Customer
	v := customerProfile{ID: cu.ID, Email: cu.Email, Name: cu.Name, IsGuest: cu.IsGuest, ExternalID: cu.ExternalID,
		Address: p.Details.Address, MarketingSubscribed: p.Details.MarketingSubscribed, CreatedAt: cu.CreatedAt.UTC(),
		Orders: []orderView{}, Conversations: []staffConversation{}, MoreConversations: p.More}
	if p.Note != nil {
		v.Note = &customerNote{Body: p.Note.Body, UpdatedBy: p.Note.UpdatedBy, UpdatedAt: p.Note.UpdatedAt.UTC()}
	}
	if p.Cart != nil {
		v.Cart = &cartView{UpdatedAt: p.Cart.UpdatedAt.UTC(), Items: lineViews(p.Cart.Items)}
	}
	for _, o := range p.Orders {
		v.Orders = append(v.Orders, orderView{ID: o.ID, Number: o.Number, Status: o.Status, TotalCents: o.TotalCents,
			Currency: o.Currency, CreatedAt: o.CreatedAt.UTC()})
	}
	for _, c := range p.Conversations {
		v.Conversations = append(v.Conversations, staffView(c))
	}
	return v
}

// staffCustomer is GET /staff/customers/{id}.
func (a *API) staffCustomer(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		writeError(c, err)
		return
	}
	p, err := a.svc.CustomerProfile(c.Request.Context(), actor(c), id)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, profileView(p))
}
