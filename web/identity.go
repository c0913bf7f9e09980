package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Customer identity (issue 7): signed identity tokens from the shop,
// sign-up with e-mail and password, and password reset.

type identityRequest struct {
	Token string `json:"token"`
}

type signupRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

type resetRequest struct {
	Email string `json:"email"`
}

type resetConfirmRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// customerSession is a new customer or guest session with who it is.
type customerSession struct {
	session
	Customer customerMe `json:"customer"`
}

type accepted struct {
	Status string `json:"status"`
}

// identityRoutes mounts the sign-in doors of customers without a password
// here: identity tokens, guests, sign-up and reset.
func (a *API) identityRoutes(v1 *gin.RouterGroup) {
	v1.POST("/auth/identity", a.identityLogin)
	v1.POST("/auth/guest", a.guestLogin)
	v1.POST("/auth/signup", a.signup)
	v1.POST("/auth/password-reset", a.requestPasswordReset)
	v1.POST("/auth/password-reset/confirm", a.confirmPasswordReset)
}

// identityLogin is POST /auth/identity {token}: a signed identity token
// for a customer session.
func (a *API) identityLogin(c *gin.Context) {
	var req identityRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	s, cu, err := a.acc.IdentityLogin(c.Request.Context(), req.Token, c.ClientIP())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, customerSession{session: session{Token: s.Token, ExpiresAt: s.ExpiresAt.UTC()},
		Customer: customerMe{ID: cu.ID, Email: cu.Email, Name: cu.Name}})
}

// signup is POST /auth/signup, when the store allows it.
func (a *API) signup(c *gin.Context) {
	var req signupRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	s, cu, err := a.acc.Signup(c.Request.Context(), req.Email, req.Password, req.Name, c.ClientIP())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, customerSession{session: session{Token: s.Token, ExpiresAt: s.ExpiresAt.UTC()},
		Customer: customerMe{ID: cu.ID, Email: cu.Email, Name: cu.Name}})
}

// requestPasswordReset is POST /auth/password-reset {email}: always 202.
func (a *API) requestPasswordReset(c *gin.Context) {
	var req resetRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	if err := a.acc.RequestPasswordReset(c.Request.Context(), req.Email, c.ClientIP()); err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, accepted{Status: "if an account uses this address, a reset link is on its way"})
}

// confirmPasswordReset is POST /auth/password-reset/confirm {token, password}.
func (a *API) confirmPasswordReset(c *gin.Context) {
	var req resetConfirmRequest
	if err := decode(c, &req); err != nil {
		writeError(c, err)
		return
	}
	if err := a.acc.ResetPassword(c.Request.Context(), req.Token, req.Password); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
