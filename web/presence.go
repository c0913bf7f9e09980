package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// presence is POST /api/v1/presence and /api/v1/staff/presence: the light
// heartbeat of an open customer page, widget or staff client. It marks the
// caller online for a minute (R19: e-mails only to people offline) and
// answers 204. It takes no body.
func (a *API) presence(c *gin.Context) {
	if err := a.svc.Heartbeat(c.Request.Context(), actor(c)); err != nil {
		// Presence is best effort: Redis down means "offline", never a
		// failure the page should show.
		c.Status(http.StatusNoContent)
		return
	}
	c.Status(http.StatusNoContent)
}
