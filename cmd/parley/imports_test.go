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
// admin and tables.
func TestImportDirection(t *testing.T) {
	const mod = "github.com/parleyhq/parley/"
	allowed := map[string][]string{
		"models":     {},
		"migrations": {},
		"policies":   {"models"},
		"inbox":      {"models", "policies"},
		"jobs":       {"inbox", "models", "policies"},
		"web":        {"inbox", "models", "policies"},
		"tables":     {"inbox", "models", "policies"},
		"admin":      {"inbox", "models", "policies", "tables", "web"},
	}
	out, err := exec.Command("go", "list", "-json", "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for {
		var p struct {
			ImportPath string
			Imports    []string
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
		for _, imp := range p.Imports {
			if strings.Contains(imp, "GoAdminGroup") && top != "admin" && top != "tables" {
				t.Errorf("%s imports GoAdmin (%s): GoAdmin stays in admin and tables", name, imp)
			}
			if !strings.HasPrefix(imp, mod) {
				continue
			}
			target := strings.TrimPrefix(imp, mod)
			good := false
			for _, a := range ok {
				if target == a || strings.HasPrefix(target, a+"/") {
					good = true
				}
			}
			if !good && !strings.HasPrefix(target, top+"/") {
				t.Errorf("%s imports %s: against the import direction", name, target)
			}
		}
	}
	if seen < 5 {
		t.Fatalf("checked only %d packages", seen)
	}
}
