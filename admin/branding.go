package admin

import (
	"html/template"

	gatemplate "github.com/GoAdminGroup/go-admin/template"
	"github.com/GoAdminGroup/go-admin/template/login"
	"github.com/GoAdminGroup/themes/adminlte"

	"github.com/parleyhq/parley/templates"
)

// loginPage is GoAdmin's login component with Parley's own page: Parley's
// name and words, and a refused sign-in shown in the page (not alert()).
// GoAdmin's assets (styles, scripts) stay the stock component's.
type loginPage struct{ *login.Login }

func (loginPage) GetTemplate() (*template.Template, string) {
	return templates.Login(), templates.LoginTemplate
}

// footer replaces the theme's "Powered by GoAdmin" footer.
const footer = `{{define "footer"}}<footer class="main-footer"><strong>Parley</strong> · customer support back office</footer>{{end}}`

// useParleyBranding puts Parley's name where GoAdmin shows its own: the
// sign-in page and the layout's footer. GoAdmin keeps components and theme
// templates in process-wide maps, so Mount calls it once before the engine
// starts, and registers the theme Parley's config selects (theme.go).
func useParleyBranding() error {
	gatemplate.AddLoginComp(loginPage{login.GetLoginComponent()})
	adminlte.TemplateList["footer"] = footer
	t, err := newParleyTheme() // after the footer: it parses the layout once
	if err != nil {
		return err
	}
	t.register()
	return nil
}
