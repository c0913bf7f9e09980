package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
)

// messagePage is GET …/conversations/{id}/messages: a run of the timeline
// in timeline order; next_cursor fetches the run before it (null at the
// beginning).
type messagePage struct {
	Items      []message `json:"items"`
	NextCursor *string   `json:"next_cursor"`
}

func cursorOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// history is GET …/conversations/{id}/messages?cursor= for either side:
// older messages of a thread the caller may read, customers public ones
// only (R8). The only parameter is cursor, given at most once.
func (a *API) history(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		writeError(c, err)
		return
	}
	cursor, err := parseCursorQuery(c.Request.URL.RawQuery)
	if err != nil {
		writeError(c, err)
		return
	}
	p, err := a.svc.History(c.Request.Context(), actor(c), id, cursor)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, messagePage{Items: messageViews(p.Messages, actor(c).IsStaff()), NextCursor: cursorOrNull(p.Older)})
}

// parseCursorQuery reads a query string that may hold one cursor and
// nothing else.
func parseCursorQuery(raw string) (string, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "", errf("query string is malformed")
	}
	for name, v := range q {
		if name != "cursor" {
			return "", errf("unknown query parameter %s", strconv.Quote(truncate(name, 40)))
		}
		if len(v) > 1 {
			return "", errf("query parameter cursor is given more than once")
		}
	}
	cursor := q.Get("cursor")
	if _, has := q["cursor"]; has && cursor == "" {
		return "", models.Errorf(models.EINVALID, "invalid cursor")
	}
	return cursor, nil
}

// order is one of the customer's orders.
type order struct {
	ID         int64  `json:"id"`
	Number     string `json:"number"`
	Status     string `json:"status"`
	TotalCents int64  `json:"total_cents"`
	Currency   string `json:"currency"`
	CreatedAt  string `json:"created_at"`
}

type orderList struct {
	Items []order `json:"items"`
}

// orders is GET /orders: the caller's own orders, newest first (R4).
func (a *API) orders(c *gin.Context) {
	if c.Request.URL.RawQuery != "" {
		writeError(c, errf("this endpoint takes no query parameters"))
		return
	}
	os, err := a.svc.OwnOrders(c.Request.Context(), actor(c))
	if err != nil {
		writeError(c, err)
		return
	}
	out := orderList{Items: make([]order, 0, len(os))}
	for _, o := range os {
		out.Items = append(out.Items, order{ID: o.ID, Number: o.Number, Status: o.Status, TotalCents: o.TotalCents,
			Currency: o.Currency, CreatedAt: o.CreatedAt.UTC().Format("2006-01-02T15:04:05Z07:00")})
	}
	c.JSON(http.StatusOK, out)
}
