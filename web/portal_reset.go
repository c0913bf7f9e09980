package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/templates"
)

// PortalResetPath is where an e-mailed password-reset link leads.
const PortalResetPath = "/dashboard/password-reset"

// forgot is POST /dashboard/messages/forgot {email}: a reset link goes to
// the address if a password account uses it; the answer is the same
// either way (no account enumeration).
func (p *Portal) forgot(c *gin.Context) {
	email := strings.TrimSpace(c.Request.PostFormValue("email"))
	if err := p.acc.RequestPasswordReset(c.Request.Context(), email, c.ClientIP()); err != nil {
		msg, status, _ := friendly(err)
		p.loginPage(c, status, email, msg)
		return
	}
	pg := p.page(c, "Sign in")
	pg.Notice = "If an account uses that e-mail, we have sent it a link to choose a new password. The link works once, for one hour."
	pg.Login = &templates.PortalLogin{Action: PortalPath + "/login", Email: email, ForgotAction: PortalPath + "/forgot"}
	p.render(c, http.StatusOK, templates.PortalLoginTemplate, pg)
}

// resetPage is GET /dashboard/password-reset?token=: the new-password
// form. The token stays out of Referer headers.
func (p *Portal) resetPage(c *gin.Context) {
	c.Header("Referrer-Policy", "no-referrer")
	p.resetForm(c, http.StatusOK, c.Query("token"), "")
}

func (p *Portal) resetForm(c *gin.Context, status int, token, errMsg string) {
	pg := p.page(c, "Choose a new password")
	pg.Error = errMsg
	pg.Reset = &templates.PortalReset{Action: PortalResetPath, Token: token}
	p.render(c, status, templates.PortalResetTemplate, pg)
}

// reset is POST /dashboard/password-reset {token, password, confirm}: the
// link's single use; every session of the account ends.
func (p *Portal) reset(c *gin.Context) {
	c.Header("Referrer-Policy", "no-referrer")
	f := c.Request.PostForm
	token := f.Get("token")
	if f.Get("password") != f.Get("confirm") {
		p.resetForm(c, http.StatusBadRequest, token, "The two passwords are not the same.")
		return
	}
	if err := p.acc.ResetPassword(c.Request.Context(), token, f.Get("password")); err != nil {
		msg, status, _ := friendly(err)
		if models.ErrorCode(err) == models.EUNAUTHORIZED || models.ErrorCode(err) == models.ENOTFOUND {
			msg = "That link has expired or was already used. Ask for a new one from the sign-in page."
		}
		p.resetForm(c, status, token, msg)
		return
	}
	pg := p.page(c, "Sign in")
	pg.Notice = "Your password was changed. Please sign in with it."
	pg.Login = &templates.PortalLogin{Action: PortalPath + "/login", ForgotAction: PortalPath + "/forgot"}
	p.render(c, http.StatusOK, templates.PortalLoginTemplate, pg)
}
