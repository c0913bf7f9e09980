package admin

import (
	"fmt"
	"html/template"
	"strings"

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
	if err := showUserCenter(); err != nil {
		return err
	}
	t, err := newParleyTheme() // after the footer: it parses the layout once
	if err != nil {
		return err
	}
	t.register()
	return nil
}

// userCenterTest is how the header and the sidebar decide whether to show
// the signed-in user's menu: UserModel.HideUserCenterEntrance, which asks
// IsVisitor and so compiles every permission pattern of the user as a
// regexp, twice per page (a sixth of a page's CPU). It can only answer
// true when GoAdmin's HideVisitorUserCenterEntrance is set, which Parley's
// config never sets (config.go), so the test is dropped: the user's menu
// always shows, as it did. TestThemeRendersAsAdminlte compares the pages
// with the stock theme's.
const userCenterTest = "{{if not .User.HideUserCenterEntrance}}"

func showUserCenter() error {
	for _, name := range []string{"admin_panel", "sidebar"} {
		t := adminlte.TemplateList[name]
		if strings.Count(t, userCenterTest) != 1 {
			return fmt.Errorf("admin: theme template %q: expected one user-center test", name)
		}
		adminlte.TemplateList[name] = strings.Replace(t, userCenterTest, "{{if true}}", 1)
	}
	return nil
}
