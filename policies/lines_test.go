package policies

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"
)

// ruleLines counts a file's rules the simple way: non-empty, non-comment lines.
func ruleLines(t *testing.T, name string) []string {
	t.Helper()
	b, err := files.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Split(l, ",")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		out = append(out, strings.Join(f, ", "))
	}
	return out
}

func TestEveryLineLoads(t *testing.T) {
	e := MustNew(t)
	loaded := map[string]bool{}
	add := func(ptype string, rules [][]string, err error) {
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rules {
			loaded[ptype+", "+strings.Join(r, ", ")] = true
		}
	}
	p, err := e.se.GetPolicy()
	add("p", p, err)
	p2, err := e.se.GetNamedPolicy("p2")
	add("p2", p2, err)
	g, err := e.se.GetGroupingPolicy()
	add("g", g, err)

	want := append(ruleLines(t, "policy.csv"), ruleLines(t, "routes.csv")...)
	if len(loaded) != len(want) {
		t.Errorf("enforcer holds %d rules, files have %d", len(loaded), len(want))
	}
	for _, l := range want {
		if !loaded[l] {
			t.Errorf("rule not loaded: %s", l)
		}
	}
	// The R2 deny must be among them.
	if !loaded["p, anyone, conversation, delete, not_closed, deny"] {
		t.Error("R2 deny line missing")
	}
}

// TestStringAdapterDropsQuotedLine documents the trap policyLines guards
// against: Casbin's string adapter skips a quoted literal without an error.
func TestStringAdapterDropsQuotedLine(t *testing.T) {
	conf, err := files.ReadFile("model.conf")
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.NewModelFromString(string(conf))
	if err != nil {
		t.Fatal(err)
	}
	bad := `p, anyone, conversation, delete, status != "CLOSED", deny`
	if err := stringadapter.NewAdapter(bad).LoadPolicy(m); err != nil {
		t.Fatalf("LoadPolicy: %v (the adapter used to drop silently)", err)
	}
	if n := len(m["p"]["p"].Policy); n != 0 {
		t.Skipf("string adapter now loads quoted lines (%d rules); the guard stays harmless", n)
	}
	if _, err := policyLines("policy.csv", bad, []string{"p"}, conditions()); err == nil {
		t.Fatal("policyLines accepted a line the adapter drops")
	}
}

func TestPolicyLinesRejects(t *testing.T) {
	for _, tc := range []struct{ name, line string }{
		{"quoted literal", `p, anyone, conversation, delete, "not_closed", deny`},
		{"eval-style quoted compare", `p, anyone, conversation, delete, r.ctx.Status != "CLOSED", deny`},
		{"single quotes", `p, agent, conversation, read, 'any', allow`},
		{"unknown condition", "p, agent, conversation, read, everyone, allow"},
		{"too few fields", "p, agent, conversation, read, allow"},
		{"too many fields", "p, agent, conversation, read, any, allow, extra"},
		{"empty field", "p, agent, , read, any, allow"},
		{"bad effect", "p, agent, conversation, read, any, permit"},
		{"route in policy file", "p2, agent, /admin, GET, allow"},
		{"indented comment", "  # p, agent, conversation, read, any, allow"},
		{"carriage return", "p, agent, conversation, read, any, allow\r"},
		{"grouping with 3 fields", "g, owner, admin, extra"},
		{"duplicate", "p, agent, conversation, read, any, allow\np, agent, conversation, read, any, allow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := policyLines("policy.csv", tc.line, []string{"p", "g"}, conditions()); err == nil {
				t.Errorf("accepted %q", tc.line)
			}
		})
	}
	for _, tc := range []struct{ name, line string }{
		{"method", "p2, agent, /admin, PUT, allow"},
		{"relative path", "p2, agent, admin/info, GET, allow"},
		{"domain rule in routes file", "p, agent, conversation, read, any, allow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := policyLines("routes.csv", tc.line, []string{"p2"}, conditions()); err == nil {
				t.Errorf("accepted %q", tc.line)
			}
		})
	}
	good := "# comment\n\np, agent, conversation, read, any, allow\ng, owner, admin\n"
	if lines, err := policyLines("policy.csv", good, []string{"p", "g"}, conditions()); err != nil || len(lines) != 2 {
		t.Errorf("good file: %v, %d lines", err, len(lines))
	}
}

// TestNewFailsOnBadPolicy checks that a bad line stops the enforcer from
// being built instead of vanishing.
func TestNewFailsOnBadPolicy(t *testing.T) {
	fsys := fstest.MapFS{}
	for _, name := range []string{"model.conf", "policy.csv", "routes.csv"} {
		b, err := files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: b}
	}
	if _, err := load(fsys); err != nil {
		t.Fatalf("embedded files: %v", err)
	}
	for _, extra := range []string{
		"p, agent, conversation, delete, nonsense, allow",
		`p, anyone, conversation, delete, "not_closed", deny`,
	} {
		bad := fstest.MapFS{"model.conf": fsys["model.conf"], "routes.csv": fsys["routes.csv"],
			"policy.csv": &fstest.MapFile{Data: append(append([]byte{}, fsys["policy.csv"].Data...), extra+"\n"...)}}
		if _, err := load(bad); err == nil {
			t.Errorf("load accepted %q", extra)
		}
	}
}
