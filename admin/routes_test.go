package admin_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/admin"
	"github.com/parleyhq/parley/models"
)

// samplePath turns a table path into one request path it matches.
func samplePath(p string) string {
	if prefix, ok := strings.CutSuffix(p, "*"); ok {
		return prefix + "conversation_resolve"
	}
	return p
}

func casbinMethod(m string) string {
	if m == "*" {
		return http.MethodPost
	}
	return m
}

// Item 24: the route table is the one declaration of /admin. Casbin's
// routes.csv allows exactly its signed-in routes, to exactly their roles.
func TestRouteTableMatchesCasbin(t *testing.T) {
	table := map[string]admin.Route{}
	for _, rt := range admin.Routes() {
		if rt.Role == "" {
			continue // open before sign-in: the guard handles these itself
		}
		table[casbinMethod(rt.Method)+" "+rt.Path] = rt
		weakest := slices.Index(models.StaffRoles, rt.Role)
		if weakest < 0 {
			t.Errorf("%s %s: unknown role %q", rt.Method, rt.Path, rt.Role)
			continue
		}
		for i, role := range models.StaffRoles {
			if got := env.pol.CanRoute(role, casbinMethod(rt.Method), samplePath(rt.Path)); got != (i <= weakest) {
				t.Errorf("%s %s for %s: Casbin says %v, the table says %v", rt.Method, rt.Path, role, got, i <= weakest)
			}
		}
	}
	for _, rule := range env.pol.RouteRules() {
		if !rule.Allow {
			continue
		}
		rt, ok := table[rule.Method+" "+rule.Path]
		if !ok {
			t.Errorf("routes.csv allows %s %s, which is not in the route table", rule.Method, rule.Path)
			continue
		}
		if rt.Role != rule.Role {
			t.Errorf("routes.csv gives %s %s to %s, the table to %s", rule.Method, rule.Path, rule.Role, rt.Role)
		}
	}
}

// Item 24: GoAdmin's permission rows are written from the table at start,
// and its menu rows name table routes marked as menu entries.
func TestRouteTableMatchesGoAdmin(t *testing.T) {
	ctx := context.Background()
	for i, role := range models.StaffRoles {
		want := []string{"/"}
		for _, rt := range admin.Routes() {
			if rt.GoAdmin != "" && i <= slices.Index(models.StaffRoles, rt.Role) {
				want = append(want, rt.GoAdmin)
			}
		}
		got, err := env.store.AdminPermissionPaths(ctx, "parley_"+role)
		if err != nil || got != strings.Join(want, "\n") {
			t.Errorf("GoAdmin permission of %s: %q (%v), want %q", role, got, err, strings.Join(want, "\n"))
		}
	}
	rows, err := env.store.DB.QueryContext(ctx, "SELECT uri, title FROM goadmin_menu")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	menu := map[string]string{}
	for rows.Next() {
		var uri, title string
		if err := rows.Scan(&uri, &title); err != nil {
			t.Fatal(err)
		}
		menu["/admin"+uri] = title
	}
	for _, rt := range admin.Routes() {
		if rt.Menu != "" && menu[rt.Path] != rt.Menu {
			t.Errorf("route %s is the menu entry %q; the menu has %q", rt.Path, rt.Menu, menu[rt.Path])
		}
		delete(menu, rt.Path)
	}
	for uri, title := range menu {
		t.Errorf("menu entry %q → %s is not a route of the table", title, uri)
	}
}

// Item 21: admin runs no SQL of its own and uses neither Service.Store()
// nor Service.Policies().
func TestAdminRunsNoSQL(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if imp.Path.Value == `"database/sql"` {
				t.Errorf("%s imports database/sql", name)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
				switch name := sel.Sel.Name; {
				case (name == "Store" || name == "Policies") && len(call.Args) == 0,
					name == "ExecContext", name == "QueryContext", name == "QueryRowContext", name == "PrepareContext":
					t.Errorf("%s: calls .%s", fset.Position(sel.Pos()), name)
				}
			}
			return true
		})
	}
}
