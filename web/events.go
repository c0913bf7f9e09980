package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/models"
)

// WithEvents gives the API the node's event bus: GET /api/v1/events and
// /api/v1/staff/events answer 503 without one.
func (a *API) WithEvents(bus *live.Bus) *API {
	a.bus = bus
	return a
}

// streamAuth resolves a stream's caller: the bearer header, else the
// portal's session cookie (a browser's EventSource sends no header), else
// (customers) a stream ticket in ?ticket= (the widget, which has no
// cookie). A token never comes in the URL: a ticket is single-use and
// lives StreamTicketTTL.
func (a *API) streamAuth(want side) gin.HandlerFunc {
	return func(c *gin.Context) {
		if q := c.Request.URL.Query(); len(q) > 0 {
			if len(q) != 1 || len(q["ticket"]) != 1 || want != customerSide {
				writeError(c, errf("the only query parameter of a stream is ticket"))
				return
			}
			who, alive, err := a.acc.RedeemStreamTicket(c.Request.Context(), q.Get("ticket"), c.ClientIP())
			if err == nil && !who.IsCustomer() {
				err = unauthorized()
			}
			if err != nil {
				writeError(c, err)
				return
			}
			who.IP = c.ClientIP()
			c.Set(actorKey, who)
			c.Set(aliveKey, alive)
			c.Next()
			return
		}
		token, ok := bearer(c.GetHeader("Authorization"))
		if !ok && want == customerSide {
			if ck, err := c.Request.Cookie(sessionCookie); err == nil && ck.Value != "" {
				token, ok = ck.Value, true
			}
		}
		if !ok {
			writeError(c, unauthorized())
			return
		}
		if a.admit(c, token, want) {
			ip := c.ClientIP()
			c.Set(aliveKey, func(ctx context.Context) bool {
				_, err := a.acc.Authenticate(ctx, token, ip)
				return models.ErrorCode(err) != models.EUNAUTHORIZED // a database hiccup is not a sign-out
			})
			c.Next()
		}
	}
}

// aliveKey holds the stream's session check, as streamAuth admitted it
// (its token, or its ticket's session).
const aliveKey = "parley.stream.alive"

// events is GET /api/v1/events and /api/v1/staff/events: one Server-Sent
// Events stream of what the caller may read (inbox.Service.MaySee; see
// live.Bus.Serve for resuming and keep-alives). An open stream keeps its
// person online; a customer's first one tells staff they came online,
// and staff learn they left once their presence mark lapses.
func (a *API) events(c *gin.Context) {
	if a.bus == nil {
		writeErrorStatus(c, http.StatusServiceUnavailable, "unavailable", "live events are not enabled on this node")
		return
	}
	rd := live.ReaderOf(a.svc, actor(c))
	rd.Alive, _ = c.Value(aliveKey).(func(context.Context) bool)
	err := a.bus.Serve(c.Writer, c.Request, rd)
	if errors.Is(err, live.ErrBadLastEventID) {
		writeError(c, models.Errorf(models.EINVALID, "%s", err.Error()))
		return
	}
	if err != nil {
		writeError(c, err)
	}
	c.Abort()
}

// streamTicket is POST /api/v1/events/ticket: a single-use ticket opening
// one stream of the caller's session within inbox.StreamTicketTTL.
func (a *API) streamTicket(c *gin.Context) {
	ticket, exp, err := a.acc.StreamTicket(c.Request.Context(), c.GetString(tokenKey))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"ticket": ticket, "expires_at": exp.UTC().Format(time.RFC3339)})
}
