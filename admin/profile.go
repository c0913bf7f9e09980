package admin

import (
	"net/http"

	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
	"github.com/parleyhq/parley/templates"
)

// profile is GET /admin/profile: the staff member's own account, rendered
// in GoAdmin's layout (GoAdmin's user menu "Setting" leads here).
func (g *guard) profile(c *gin.Context) (types.Panel, error) {
	return g.profilePanel(c, "", ""), nil
}

// changePassword is POST /admin/profile/password (same-origin, checked by
// the guard): the current password must be right; every other session and
// token of the user ends, this session stays. A refusal re-renders the
// page with its message and status.
func (g *guard) changePassword(c *gin.Context) (types.Panel, error) {
	a, _ := tables.ActorFrom(c.Request.Context())
	f := c.Request.PostForm
	if f.Get("new_password") != f.Get("confirm_password") {
		c.Set(ctxStatus, http.StatusBadRequest)
		return g.profilePanel(c, "", "The two new passwords are not the same."), nil
	}
	err := g.acc.ChangeOwnPassword(c.Request.Context(), a, f.Get("current_password"), f.Get("new_password"), c.GetString(ctxSession))
	if err != nil {
		e := models.AsError(err)
		if e == nil || e.Code == models.EINTERNAL {
			g.log.Error("change own password", "err", err)
			c.Set(ctxStatus, http.StatusInternalServerError)
			return g.profilePanel(c, "", "Something went wrong; please try again."), nil
		}
		g.log.Info("admin refused", "path", c.Request.URL.Path, "status", models.HTTPStatus(e.Code), "msg", e.Message)
		c.Set(ctxStatus, models.HTTPStatus(e.Code))
		return g.profilePanel(c, "", e.Message), nil
	}
	return g.profilePanel(c, "Your password was changed. Parley signed you out everywhere else.", ""), nil
}

// profilePanel renders the profile page, or Parley's error panel: a panel
// function never returns an error (GoAdmin would print it).
func (g *guard) profilePanel(c *gin.Context, notice, errMsg string) types.Panel {
	a, _ := tables.ActorFrom(c.Request.Context())
	st, err := g.acc.Profile(c.Request.Context(), a)
	if err != nil {
		g.log.Error("profile", "err", err)
		c.Set(ctxStatus, http.StatusInternalServerError)
		return g.errorPanel("Your profile could not be loaded. Please try again.")
	}
	emails, err := g.svc.EmailNotifications(c.Request.Context(), a)
	if err != nil {
		g.log.Warn("e-mail preference", "err", err)
	}
	html, err := templates.Profile(templates.ProfilePage{Name: st.Name, Username: st.Username, Role: roleTitle(st.Role),
		Email: st.Email, PasswordAction: PasswordPath, Notice: notice, Error: errMsg,
		EmailNotifications: emails, EmailAction: EmailPrefPath})
	if err != nil {
		g.log.Error("render profile", "err", err)
		c.Set(ctxStatus, http.StatusInternalServerError)
		return g.errorPanel("Your profile could not be shown. Please try again.")
	}
	return types.Panel{Title: "Your profile", Description: "Parley", Content: html}
}

// errorPanel is Parley's error panel inside GoAdmin's layout.
func (g *guard) errorPanel(msg string) types.Panel {
	html, err := templates.Error(templates.ErrorPage{Title: "Something went wrong", Message: msg})
	if err != nil {
		html = "Something went wrong."
	}
	return types.Panel{Title: "Parley", Content: html}
}

// roleTitle names a staff role for people.
func roleTitle(role string) string {
	switch role {
	case models.RoleOwner:
		return "Owner"
	case models.RoleAdmin:
		return "Admin"
	case models.RoleChatAdmin:
		return "Chat admin"
	case models.RoleAgent:
		return "Agent"
	}
	return role
}
