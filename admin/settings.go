package admin

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
	"github.com/parleyhq/parley/templates"
)

// SettingsPath is the owner's store settings page (GET shows, POST saves).
const SettingsPath = "/admin/settings"

// settings is GET /admin/settings.
func (g *guard) settings(c *gin.Context) (types.Panel, error) {
	return g.settingsPanel(c, nil, nil, "", ""), nil
}

// saveSettings is POST /admin/settings (same-origin, checked by the guard):
// every value is checked by the service; a refusal re-renders the page with
// the values as sent and each bad field's message next to it, and stores
// nothing.
func (g *guard) saveSettings(c *gin.Context) (types.Panel, error) {
	a, _ := tables.ActorFrom(c.Request.Context())
	changes := settingsFromForm(c.Request.PostForm)
	changed, err := g.svc.UpdateSettings(c.Request.Context(), a, changes)
	if err != nil {
		var se *inbox.SettingErrors
		if errors.As(err, &se) {
			c.Set(ctxStatus, http.StatusBadRequest)
			return g.settingsPanel(c, changes, se.Fields, "", "Nothing was saved: please correct the fields marked below."), nil
		}
		e := models.AsError(err)
		if e == nil || e.Code == models.EINTERNAL {
			g.log.Error("save settings", "err", err)
			c.Set(ctxStatus, http.StatusInternalServerError)
			return g.settingsPanel(c, changes, nil, "", "Something went wrong; nothing was saved. Please try again."), nil
		}
		c.Set(ctxStatus, models.HTTPStatus(e.Code))
		return g.settingsPanel(c, changes, nil, "", e.Message), nil
	}
	notice := "No setting changed."
	switch len(changed) {
	case 0:
	case 1:
		notice = "Saved 1 setting. It is in effect now."
	default:
		notice = "Saved " + strconv.Itoa(len(changed)) + " settings. They are in effect now."
	}
	return g.settingsPanel(c, nil, nil, notice, ""), nil
}

// settingsFromForm reads the settings form: a checkbox left unticked is
// false, a set is the ticked choices, any other setting present is its
// value as typed.
func settingsFromForm(f url.Values) map[string]string {
	out := map[string]string{}
	for _, d := range models.SettingDefs() {
		switch d.Kind {
		case models.KindBool:
			out[d.Name] = "false"
			if f.Get(d.Name) == "true" {
				out[d.Name] = "true"
			}
		case models.KindSet:
			out[d.Name] = strings.Join(f[d.Name], ",")
		default:
			if vs, ok := f[d.Name]; ok && len(vs) > 0 {
				out[d.Name] = vs[0]
			}
		}
	}
	return out
}

// settingsPanel renders the settings page: the stored values, overlaid with
// submitted ones when a refusal shows them again.
func (g *guard) settingsPanel(c *gin.Context, submitted, fieldErrs map[string]string, notice, errMsg string) types.Panel {
	a, _ := tables.ActorFrom(c.Request.Context())
	vals, err := g.svc.Settings(c.Request.Context(), a)
	if err != nil {
		if e := models.AsError(err); e != nil && e.Code != models.EINTERNAL {
			c.Set(ctxStatus, models.HTTPStatus(e.Code))
			return g.errorPanel(e.Message)
		}
		g.log.Error("settings", "err", err)
		c.Set(ctxStatus, http.StatusInternalServerError)
		return g.errorPanel("The settings could not be loaded. Please try again.")
	}
	page := templates.SettingsPage{Action: SettingsPath, Notice: notice, Error: errMsg, PreviewURL: SettingsPath + "?preview=retention"}
	if c.Request.Method == http.MethodGet && c.Query("preview") == "retention" {
		pv, err := g.svc.RetentionDryRun(c.Request.Context(), a)
		if err != nil {
			g.log.Error("retention preview", "err", err)
			page.Error = "The retention preview could not be computed. Please try again."
		} else {
			loc := models.Settings{TimeZone: vals[models.SettingTimeZone]}.Location()
			page.Preview = &templates.RetentionPreview{Disabled: pv.Disabled, Days: pv.RetentionDays,
				Cutoff: pv.Cutoff.In(loc).Format("2006-01-02 15:04 MST"), NextRun: pv.NextSlot.In(loc).Format("2006-01-02 15:04 MST"),
				Deleted: pv.Counts.DeletedMessages, Escalated: pv.Counts.KeptEscalated, OpenOrder: pv.Counts.KeptOpenOrder,
				Files: pv.Counts.DeletedAttachments, EmptiedConversations: pv.Counts.DeletedConversations}
		}
	}
	for _, d := range models.SettingDefs() {
		v := vals[d.Name]
		if s, ok := submitted[d.Name]; ok {
			v = s
		}
		f := templates.SettingField{Name: d.Name, Label: d.Label, Help: d.Help, Kind: string(d.Kind), Value: v,
			Error: fieldErrs[d.Name], Min: d.Min, Max: d.Max, MaxLen: d.MaxLen, Checked: v == "true"}
		chosen := strings.Split(v, ",")
		for _, ch := range d.Choices {
			sel := ch == v
			if d.Kind == models.KindSet {
				sel = slices.Contains(chosen, ch)
			}
			f.Options = append(f.Options, templates.SettingOption{Value: ch, Selected: sel})
		}
		if n := len(page.Groups); n == 0 || page.Groups[n-1].Name != d.Group {
			page.Groups = append(page.Groups, templates.SettingGroup{Name: d.Group})
		}
		grp := &page.Groups[len(page.Groups)-1]
		grp.Fields = append(grp.Fields, f)
	}
	html, err := templates.Settings(page)
	if err != nil {
		g.log.Error("render settings", "err", err)
		c.Set(ctxStatus, http.StatusInternalServerError)
		return g.errorPanel("The settings could not be shown. Please try again.")
	}
	return types.Panel{Title: "Settings", Description: "Store-wide, in effect at once", Content: html}
}
