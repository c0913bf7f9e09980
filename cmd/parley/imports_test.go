package main

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection enforces docs/design.md §1: cmd → admin, tables, web, jobs →
// inbox → policies, models; models imports nothing of ours; GoAdmin stays in
// admin and tables. Test imports count too: a test that reaches up the
// layout hides a dependency the package itself should not need.
func TestImportDirection(t *testing.T) {
	const mod = "github.com/parleyhq/parley/"
	allowed := map[string][]string{
		"models":     {},
		"migrations": {},
		"ratelimit":  {},
		"media":      {},
		"templates":  {},
		"policies":   {"models"},
		"inbox":      {"models", "policies", "media"},
		"jobs":       {"inbox", "models", "policies", "mail"},
		"mail":       {"inbox", "models", "policies", "templates"},
		"live":       {"inbox", "models"},
		"web":        {"inbox", "models", "policies", "media", "templates", "live"},
		"tables":     {"inbox", "models", "policies", "templates"},
		"admin":      {"inbox", "models", "policies", "tables", "templates", "media", "live"},
	}
	out, err := exec.Command("go", "list", "-json", "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for {
		var p struct {
			ImportPath   string
			Imports      []string
			TestImports  []string
			XTestImports []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, mod)
		if strings.HasPrefix(name, "cmd/") || name == "bench" || strings.HasPrefix(name, "bench/") {
			continue
		}
		top := strings.SplitN(name, "/", 2)[0]
		if name == "models/storetest" {
			continue
		}
		ok, known := allowed[top]
		if !known {
			t.Errorf("package %s is not in the layout of docs/design.md §1", name)
			continue
		}
		seen++
		check := func(imp string, extra []string) {
			if strings.Contains(imp, "GoAdminGroup") && top != "admin" && top != "tables" {
				t.Errorf("%s imports GoAdmin (%s): GoAdmin stays in admin and tables", name, imp)
			}
			if !strings.HasPrefix(imp, mod) {
				return
			}
			target := strings.TrimPrefix(imp, mod)
			good := false
			for _, a := range append(append([]string{}, ok...), extra...) {
				if target == a || strings.HasPrefix(target, a+"/") {
					good = true
				}
			}
			if !good && !strings.HasPrefix(target, top+"/") {
				t.Errorf("%s imports %s: against the import direction", name, target)
			}
		}
		for _, imp := range p.Imports {
			check(imp, nil)
		}
		// Tests may also wire real components below the layout's line: the
		// schema, the shared limiter, and the package under test itself.
		for _, imp := range append(p.TestImports, p.XTestImports...) {
			check(imp, []string{top, "migrations", "ratelimit"})
		}
	}
	if seen < 5 {
		t.Fatalf("checked only %d packages", seen)
	}
}
