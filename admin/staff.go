package admin

import (
	"html/template"
	"net/http"
	"strconv"

	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
	"github.com/parleyhq/parley/templates"
)

// StaffPath is the staff management page (admins and the owner): GET lists,
// POST runs one "op" — create, role, password, deactivate, activate. The
// rules (who may act on whom) are inbox's.
const StaffPath = "/admin/staff"

// staff is GET /admin/staff.
func (g *guard) staff(c *gin.Context) (types.Panel, error) {
	return g.staffPanel(c, "", ""), nil
}

// staffPost is POST /admin/staff (same-origin, checked by the guard).
func (g *guard) staffPost(c *gin.Context) (types.Panel, error) {
	ctx := c.Request.Context()
	a, _ := tables.ActorFrom(ctx)
	f := c.Request.PostForm
	id, _ := rowID(f["id"])
	var notice string
	err := func() error {
		switch f.Get("op") {
		case "create":
			hash, err := inbox.HashPassword(f.Get("password"))
			if err != nil {
				return err
			}
			st, err := g.acc.CreateStaff(ctx, a, f.Get("username"), f.Get("role"), f.Get("email"), hash)
			notice = "Added " + st.Username + " as " + roleTitle(st.Role) + "."
			return err
		case "role":
			notice = "The role was changed. It applies from their next page."
			return g.acc.SetStaffRole(ctx, a, id, f.Get("role"))
		case "password":
			hash, err := inbox.HashPassword(f.Get("password"))
			if err != nil {
				return err
			}
			notice = "The password was reset. They were signed out everywhere."
			return g.acc.ResetStaffPassword(ctx, a, id, hash)
		case "deactivate":
			notice = "Deactivated. They were signed out everywhere."
			return g.acc.SetStaffActive(ctx, a, id, false)
		case "activate":
			notice = "Reactivated. They can sign in again."
			return g.acc.SetStaffActive(ctx, a, id, true)
		}
		return models.Errorf(models.EINVALID, "unknown action")
	}()
	if err != nil {
		e := models.AsError(err)
		if e == nil || e.Code == models.EINTERNAL {
			g.log.Error("staff", "op", f.Get("op"), "err", err)
			c.Set(ctxStatus, http.StatusInternalServerError)
			return g.staffPanel(c, "", "Something went wrong; nothing was changed. Please try again."), nil
		}
		g.log.Info("admin refused", "path", c.Request.URL.Path, "status", models.HTTPStatus(e.Code), "msg", e.Message)
		c.Set(ctxStatus, models.HTTPStatus(e.Code))
		return g.staffPanel(c, "", e.Message), nil
	}
	return g.staffPanel(c, notice, ""), nil
}

// staffPanel renders the staff page.
func (g *guard) staffPanel(c *gin.Context, notice, errMsg string) types.Panel {
	ctx := c.Request.Context()
	a, _ := tables.ActorFrom(ctx)
	list, err := g.acc.ListStaff(ctx, a)
	if err != nil {
		if e := models.AsError(err); e != nil && e.Code != models.EINTERNAL {
			c.Set(ctxStatus, models.HTTPStatus(e.Code))
			return g.errorPanel(e.Message)
		}
		g.log.Error("list staff", "err", err)
		c.Set(ctxStatus, http.StatusInternalServerError)
		return g.errorPanel("The staff could not be loaded. Please try again.")
	}
	grantable := g.acc.GrantableRoles(a)
	options := func(current string) []templates.RoleOption {
		var out []templates.RoleOption
		for _, r := range grantable {
			out = append(out, templates.RoleOption{Value: r, Title: roleTitle(r), Selected: r == current})
		}
		return out
	}
	page := templates.StaffPage{Action: StaffPath, Notice: notice, Error: errMsg, CreateRoles: options(models.RoleAgent)}
	for _, st := range list {
		manage := false
		for _, r := range grantable {
			manage = manage || r == st.Role
		}
		page.Rows = append(page.Rows, templates.StaffRow{ID: st.ID, Username: st.Username, Name: st.Name, Email: st.Email,
			Role: roleTitle(st.Role), Created: st.CreatedAt.Format("2006-01-02"), Active: st.Active, Self: st.ID == a.ID,
			Manage: manage, RoleOptions: options(st.Role)})
	}
	html, err := templates.Staff(page)
	if err != nil {
		g.log.Error("render staff", "err", err)
		c.Set(ctxStatus, http.StatusInternalServerError)
		return g.errorPanel("The staff page could not be shown. Please try again.")
	}
	return types.Panel{Title: "Staff", Description: template.HTML(strconv.Itoa(len(list)) + " people"), Content: html}
}
