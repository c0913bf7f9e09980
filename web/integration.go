package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// The integration API (issue 7): the shop's servers push customers, orders
// and carts with an integration key (parley apikey create). Customer and
// staff tokens are refused here, and integration keys everywhere else.

type shopCustomerRequest struct {
	Email          string `json:"email"`
	Name           string `json:"name"`
	Address        string `json:"address"`
	MarketingOptIn bool   `json:"marketing_opt_in"`
	CreatedAt      string `json:"created_at"`
}

type shopItemJSON struct {
	Name       string `json:"name"`
	Quantity   int    `json:"quantity"`
	PriceCents int64  `json:"price_cents"`
}

type shopOrderRequest struct {
	CustomerExternalID string         `json:"customer_external_id"`
	Number             string         `json:"number"`
	Status             string         `json:"status"`
	TotalCents         int64          `json:"total_cents"`
	Currency           string         `json:"currency"`
	Items              []shopItemJSON `json:"items" max:"200"`
}

type cartRequest struct {
	Items []shopItemJSON `json:"items" max:"200"`
}

type shopCustomerView struct {
	ID             int64     `json:"id"`
	ExternalID     string    `json:"external_id"`
	Email          string    `json:"email"`
	Name           string    `json:"name"`
	Address        string    `json:"address"`
	MarketingOptIn bool      `json:"marketing_opt_in"`
	CreatedAt      time.Time `json:"created_at"`
}

type shopOrderView struct {
	ID                 int64          `json:"id"`
	ExternalID         string         `json:"external_id"`
	CustomerExternalID string         `json:"customer_external_id"`
	Number             string         `json:"number"`
	Status             string         `json:"status"`
	TotalCents         int64          `json:"total_cents"`
	Currency           string         `json:"currency"`
	Items              []shopItemJSON `json:"items"`
}

type shopCartView struct {
	CustomerExternalID string         `json:"customer_external_id"`
	Items              []shopItemJSON `json:"items"`
}

type erasureView struct {
	Erased models.Erasure `json:"erased"`
}

// integrationRoutes mounts /integration under v1.
func (a *API) integrationRoutes(v1 *gin.RouterGroup) {
	g := v1.Group("/integration", a.authenticateIntegration)
	g.PUT("/customers/:external_id", a.putShopCustomer)
	g.DELETE("/customers/:external_id", a.eraseShopCustomer)
	g.PUT("/orders/:external_id", a.putShopOrder)
	g.DELETE("/orders/:external_id", a.deleteShopOrder)
	g.PUT("/carts/:customer_external_id", a.putCart)
	g.DELETE("/carts/:customer_external_id", a.emptyCart)
}

// authenticateIntegration resolves an integration key; anything else
// (none, a customer or staff token, a revoked key) is the same 401.
func (a *API) authenticateIntegration(c *gin.Context) {
	key, ok := bearer(c.GetHeader("Authorization"))
	if !ok {
		writeError(c, unauthorized())
		return
	}
	actor, err := a.acc.AuthenticateIntegration(c.Request.Context(), key, c.ClientIP())
	if err != nil {
		writeError(c, err)
		return
	}
	c.Set(actorKey, actor)
	c.Next()
}

func itemsIn(in []shopItemJSON) []inbox.ShopItem {
	out := make([]inbox.ShopItem, len(in))
	for i, it := range in {
		out[i] = inbox.ShopItem{Name: it.Name, Quantity: it.Quantity, PriceCents: it.PriceCents}
	}
	return out
}

func itemsOut(in []models.OrderItem) []shopItemJSON {
	out := make([]shopItemJSON, len(in))
	for i, it := range in {
		out[i] = shopItemJSON{Name: it.Name, Quantity: it.Quantity, PriceCents: it.PriceCents}
	}
	return out
}

// shopCustomerInput turns a decoded request into the service's input.
func shopCustomerInput(externalID string, req shopCustomerRequest) (inbox.ShopCustomerInput, error) {
	in := inbox.ShopCustomerInput{ExternalID: externalID, Email: req.Email, Name: req.Name, Address: req.Address, MarketingOptIn: req.MarketingOptIn}
	if req.CreatedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, req.CreatedAt)
		if err != nil {
			return in, errf("field created_at: must be an RFC 3339 time such as 2026-01-31T12:00:00Z")
		}
		in.CreatedAt = t
	}
	return in, nil
}

func shopOrderInput(externalID string, req shopOrderRequest) inbox.ShopOrderInput {
	return inbox.ShopOrderInput{ExternalID: externalID, CustomerExternalID: req.CustomerExternalID, Number: req.Number,
		Status: req.Status, TotalCents: req.TotalCents, Currency: req.Currency, Items: itemsIn(req.Items)}
}

// putShopCustomer is PUT /integration/customers/{external_id}.
func (a *API) putShopCustomer(c *gin.Context) {
	var req shopCustomerRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	in, err := shopCustomerInput(c.Param("external_id"), req)
	if err != nil {
		writeError(c, err)
		return
	}
	cu, sc, err := a.svc.PutShopCustomer(c.Request.Context(), actor(c), in)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, shopCustomerView{ID: cu.ID, ExternalID: cu.ExternalID, Email: cu.Email, Name: cu.Name,
		Address: sc.Address, MarketingOptIn: sc.MarketingOptIn, CreatedAt: cu.CreatedAt.UTC()})
}

// eraseShopCustomer is DELETE /integration/customers/{external_id}: the
// customer data erasure.
func (a *API) eraseShopCustomer(c *gin.Context) {
	e, err := a.svc.EraseShopCustomer(c.Request.Context(), actor(c), c.Param("external_id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, erasureView{Erased: e})
}

// putShopOrder is PUT /integration/orders/{external_id}.
func (a *API) putShopOrder(c *gin.Context) {
	var req shopOrderRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	o, err := a.svc.PutShopOrder(c.Request.Context(), actor(c), shopOrderInput(c.Param("external_id"), req))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, shopOrderView{ID: o.ID, ExternalID: c.Param("external_id"), CustomerExternalID: req.CustomerExternalID,
		Number: o.Number, Status: o.Status, TotalCents: o.TotalCents, Currency: o.Currency, Items: itemsOut(o.Items)})
}

// deleteShopOrder is DELETE /integration/orders/{external_id}.
func (a *API) deleteShopOrder(c *gin.Context) {
	if err := a.svc.DeleteShopOrder(c.Request.Context(), actor(c), c.Param("external_id")); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// putCart is PUT /integration/carts/{customer_external_id}.
func (a *API) putCart(c *gin.Context) {
	var req cartRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	items, err := a.svc.PutCart(c.Request.Context(), actor(c), c.Param("customer_external_id"), itemsIn(req.Items))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, shopCartView{CustomerExternalID: c.Param("customer_external_id"), Items: itemsOut(items)})
}

// emptyCart is DELETE /integration/carts/{customer_external_id}.
func (a *API) emptyCart(c *gin.Context) {
	if _, err := a.svc.PutCart(c.Request.Context(), actor(c), c.Param("customer_external_id"), nil); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
