package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

type customerLoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type staffLoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type session struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// customerLogin is POST /auth/login; throttling is the accounts service's.
func (a *API) customerLogin(c *gin.Context) {
	var req customerLoginRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	s, err := a.acc.CustomerLogin(c.Request.Context(), req.Email, req.Password, c.ClientIP())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, session{Token: s.Token, ExpiresAt: s.ExpiresAt.UTC()})
}

// staffLogin is POST /staff/auth/login.
func (a *API) staffLogin(c *gin.Context) {
	var req staffLoginRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	s, err := a.acc.StaffLogin(c.Request.Context(), req.Username, req.Password, c.ClientIP())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, session{Token: s.Token, ExpiresAt: s.ExpiresAt.UTC()})
}

// logout revokes the caller's own token (either side).
func (a *API) logout(c *gin.Context) {
	if err := a.acc.Logout(c.Request.Context(), c.GetString(tokenKey)); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type customerMe struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// customerMe is GET /me.
func (a *API) customerMe(c *gin.Context) {
	cu, err := a.acc.Me(c.Request.Context(), actor(c))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, customerMe{ID: cu.ID, Email: cu.Email, Name: cu.Name})
}

type staffMe struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Role     string `json:"role"`
}

// staffMe is GET /staff/me.
func (a *API) staffMe(c *gin.Context) {
	me := actor(c)
	c.JSON(http.StatusOK, staffMe{ID: me.ID, Username: me.Name, Role: me.Role})
}
