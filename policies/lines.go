package policies

import (
	"fmt"
	"strings"
)

// policyLines checks a policy file line by line and returns its rules, one
// normalized "ptype, f1, f2, …" line each. Casbin's string adapter drops a
// line it cannot parse (a quoted literal inside a field, say) without a word,
// which would silently delete a deny rule; so every line must have the field
// count of its ptype, no quotes, no empty fields and known values. Blank lines
// and lines starting with # are skipped.
func policyLines(name, text string, ptypes []string, conds map[string]condition) ([]string, error) {
	var out []string
	seen := make(map[string]int)
	for i, raw := range strings.Split(text, "\n") {
		n := i + 1
		if strings.TrimSpace(raw) == "" || strings.HasPrefix(raw, "#") {
			continue
		}
		if strings.ContainsAny(raw, "\"'\r\t") {
			return nil, fmt.Errorf("%s:%d: quote or control character in %q", name, n, raw)
		}
		fields := strings.Split(raw, ",")
		for j := range fields {
			fields[j] = strings.TrimSpace(fields[j])
			if fields[j] == "" {
				return nil, fmt.Errorf("%s:%d: empty field %d in %q", name, n, j, raw)
			}
		}
		if err := checkRule(fields, ptypes, conds); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		line := strings.Join(fields, ", ")
		if prev, dup := seen[line]; dup {
			return nil, fmt.Errorf("%s:%d: duplicate of line %d", name, n, prev)
		}
		seen[line] = n
		out = append(out, line)
	}
	return out, nil
}

// checkRule validates one rule's fields (ptype first) against model.conf.
func checkRule(f []string, ptypes []string, conds map[string]condition) error {
	allowed := false
	for _, p := range ptypes {
		allowed = allowed || f[0] == p
	}
	if !allowed {
		return fmt.Errorf("ptype %q not allowed here (want one of %v)", f[0], ptypes)
	}
	want := map[string]int{"g": 3, "p": 6, "p2": 5}[f[0]]
	if len(f) != want {
		return fmt.Errorf("%s rule has %d fields, want %d", f[0], len(f)-1, want-1)
	}
	switch f[0] {
	case "p":
		if _, ok := conds[f[4]]; !ok {
			return fmt.Errorf("unknown condition %q", f[4])
		}
	case "p2":
		if !strings.HasPrefix(f[2], "/") {
			return fmt.Errorf("route %q does not start with /", f[2])
		}
		if m := f[3]; m != "GET" && m != "POST" && m != "DELETE" && m != "*" {
			return fmt.Errorf("method %q is not GET, POST, DELETE or *", m)
		}
	}
	if f[0] != "g" && f[len(f)-1] != "allow" && f[len(f)-1] != "deny" {
		return fmt.Errorf("effect %q is not allow or deny", f[len(f)-1])
	}
	return nil
}
