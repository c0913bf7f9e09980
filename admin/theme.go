package admin

import (
	"bytes"
	"fmt"
	"html/template"
	"regexp"
	"sort"
	"strings"

	"github.com/GoAdminGroup/go-admin/modules/logger"
	gatemplate "github.com/GoAdminGroup/go-admin/template"
	"github.com/GoAdminGroup/go-admin/template/components"
	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/GoAdminGroup/themes/adminlte"
)

// themeName is the GoAdmin theme Parley's config selects: adminlte, with
// its templates parsed once per process instead of once per request.
const themeName = "parley"

// composeFunc is the template function through which a component's stub
// (see newParleyTheme) renders the component with the parsed template.
const composeFunc = "parleyComponent"

// parleyTheme is the adminlte theme, rendering the same HTML from the same
// templates, with its parsing done once.
//
// GoAdmin v1.2.26 parses templates on every request: the theme's
// GetTemplate parses the whole layout (html/template then escapes it on
// first execution), and every component's GetContent (form, box, table,
// paginator, button, …) goes through components.ComposeHtml, which
// concatenates the component's template texts, parses and escapes them,
// and executes one. That was over half of a conversation page's CPU.
//
//   - GetTemplate returns one of two layout sets (full page, pjax content)
//     parsed at start. Every GoAdmin caller only executes the returned set
//     (ExecuteTemplate; nothing adds to or re-parses it), and an
//     html/template set may be executed concurrently: the first execution
//     escapes it under the set's lock, later ones only read it.
//   - The components keep GoAdmin's own types and code (setters, the
//     GetContent preparation, ComposeHtml), but their template list maps
//     each component template to a one-line stub with the same define name
//     that calls composeFunc with the component's value; composeFunc
//     executes that define in a set of all the theme's component templates
//     parsed at start (their define names are unique, so each renders as in
//     its own set). ComposeHtml still parses, but a few stub lines instead
//     of the theme's templates.
//
// The parsed sets hold templates only: every request's data (user, menu,
// rows, tokens) is passed to Execute and lives in that call's buffer.
type parleyTheme struct {
	components.Base // Form(), Box(), Table(), …: components on the stub list
	*adminlte.Theme // everything else: assets, head and foot HTML, versions

	layout, content *template.Template // GetTemplate(false), GetTemplate(true)
	comps           *template.Template // every components/… template of the theme
}

var defineName = regexp.MustCompile(`^\s*\{\{-?\s*define\s+"([^"]+)"\s*-?\}\}`)

// newParleyTheme parses the adminlte templates as they are now (Parley's
// footer included: useParleyBranding changes TemplateList first).
func newParleyTheme() (*parleyTheme, error) {
	base := adminlte.Get()
	t := &parleyTheme{Theme: base}
	var err error
	if t.layout, t.content, err = parseLayouts(base); err != nil {
		return nil, err
	}
	list := base.GetTmplList()
	keys := make([]string, 0, len(list))
	for k := range list {
		if strings.HasPrefix(k, "components/") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	stubs := make(map[string]string, len(list))
	for k, v := range list {
		stubs[k] = v
	}
	var all strings.Builder
	for _, k := range keys {
		all.WriteString(list[k])
		m := defineName.FindStringSubmatch(list[k])
		if m == nil || strings.Count(list[k], "{{define") != 1 {
			continue // not one define: ComposeHtml keeps parsing the original
		}
		stubs[k] = `{{define "` + m[1] + `"}}{{` + composeFunc + ` "` + m[1] + `" .}}{{end}}`
	}
	if t.comps, err = template.New("comp").Funcs(gatemplate.DefaultFuncMap).Parse(all.String()); err != nil {
		return nil, fmt.Errorf("admin: parse theme components: %w", err)
	}
	t.Base = components.Base{Attribute: types.Attribute{TemplateList: stubs}}
	return t, nil
}

// parseLayouts lets the adminlte theme parse its layouts once.
func parseLayouts(base *adminlte.Theme) (layout, content *template.Template, err error) {
	defer func() { // the theme panics on a parse error
		if p := recover(); p != nil {
			err = fmt.Errorf("admin: parse theme layout: %v", p)
		}
	}()
	layout, _ = base.GetTemplate(false)
	content, _ = base.GetTemplate(true)
	return layout, content, nil
}

// register makes the theme GoAdmin's "parley" theme and its stubs' function
// available. Call once, before the engine starts (GoAdmin's maps are
// process-wide and read without locks afterwards).
func (t *parleyTheme) register() {
	gatemplate.DefaultFuncMap[composeFunc] = t.compose
	gatemplate.Add(themeName, t)
}

// compose renders one component template with the component's value, as
// ComposeHtml would have: an execution error is logged and what rendered
// so far is shown.
func (t *parleyTheme) compose(name string, compo any) template.HTML {
	var b bytes.Buffer
	if err := t.comps.ExecuteTemplate(&b, name, compo); err != nil {
		logger.Error(name+" ComposeHtml Error:", err)
	}
	return template.HTML(b.String())
}

func (t *parleyTheme) Name() string { return themeName }

// GetTemplate returns the layout parsed once: the full page, or the
// content alone for a pjax request. Callers only execute it.
func (t *parleyTheme) GetTemplate(isPjax bool) (*template.Template, string) {
	if isPjax {
		return t.content, "content"
	}
	return t.layout, "layout"
}

var _ gatemplate.Template = (*parleyTheme)(nil)
