package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

type guestRequest struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// guestLogin is POST /auth/guest {name?, email?}: a guest session. The
// e-mail is a contact field only; it signs nobody in.
func (a *API) guestLogin(c *gin.Context) {
	var req guestRequest
	// An empty body is a guest without name or e-mail.
	if c.Request.ContentLength != 0 {
		if err := decode(c, &req); err != nil {
			writeError(c, err)
			return
		}
	}
	s, cu, err := a.acc.GuestLogin(c.Request.Context(), req.Name, req.Email, c.ClientIP())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, customerSession{session: session{Token: s.Token, ExpiresAt: s.ExpiresAt.UTC()},
		Customer: customerMe{ID: cu.ID, Email: cu.Email, Name: cu.Name}})
}
