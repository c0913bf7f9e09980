package policies

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"
	"github.com/parleyhq/parley/models"
)

//go:embed model.conf policy.csv routes.csv
var files embed.FS

// anyone is the base role every role but system inherits; global denies name it.
const anyone = "anyone"

// Enforcer answers authorization questions. It is safe for concurrent use.
type Enforcer struct {
	se    *casbin.SyncedEnforcer
	conds map[string]condition
	// lines is the domain section compiled per role and object from what
	// Casbin loaded (compile): Can evaluates it without Casbin's expression
	// engine, a tenth of a back-office page's CPU. TestCompiledMatchesCasbin
	// holds it to Casbin's own answer.
	lines map[roleObj][]line
}

type roleObj struct{ role, obj string }

// line is one p line as it applies to a role (its own or inherited).
type line struct {
	act  string // an action, or "*"
	cond condition
	deny bool
}

// New loads the embedded model, policy and routes. It fails on any policy
// line that does not load exactly as written, including an unknown condition.
func New() (*Enforcer, error) { return load(files) }

// load builds an Enforcer from model.conf, policy.csv and routes.csv in fsys.
func load(fsys fs.FS) (*Enforcer, error) {
	conds := conditions()
	var rules []string
	for _, f := range []struct {
		name   string
		ptypes []string
	}{{"policy.csv", []string{"p", "g"}}, {"routes.csv", []string{"p2"}}} {
		text, err := fs.ReadFile(fsys, f.name)
		if err != nil {
			return nil, fmt.Errorf("policies: %w", err)
		}
		lines, err := policyLines(f.name, string(text), f.ptypes, conds)
		if err != nil {
			return nil, fmt.Errorf("policies: %w", err)
		}
		rules = append(rules, lines...)
	}
	conf, err := fs.ReadFile(fsys, "model.conf")
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	m, err := model.NewModelFromString(string(conf))
	if err != nil {
		return nil, fmt.Errorf("policies: model: %w", err)
	}
	se, err := casbin.NewSyncedEnforcer(m, stringadapter.NewAdapter(strings.Join(rules, "\n")))
	if err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	e := &Enforcer{se: se, conds: conds}
	se.AddFunction("cond", e.cond)
	if e.lines, err = e.compile(); err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	}
	if n, err := e.ruleCount(); err != nil {
		return nil, fmt.Errorf("policies: %w", err)
	} else if n != len(rules) {
		return nil, fmt.Errorf("policies: %d of %d policy lines loaded", n, len(rules))
	}
	return e, nil
}

// ruleCount is the number of p, p2 and g rules the enforcer holds.
func (e *Enforcer) ruleCount() (int, error) {
	p, err := e.se.GetPolicy()
	if err != nil {
		return 0, err
	}
	p2, err := e.se.GetNamedPolicy("p2")
	if err != nil {
		return 0, err
	}
	g, err := e.se.GetGroupingPolicy()
	if err != nil {
		return 0, err
	}
	return len(p) + len(p2) + len(g), nil
}

// cond is the matcher function cond(p.cond, p.eft, r.ctx).
func (e *Enforcer) cond(args ...any) (any, error) {
	if len(args) != 3 {
		return nil, fmt.Errorf("cond: want 3 arguments, got %d", len(args))
	}
	name, _ := args[0].(string)
	eft, _ := args[1].(string)
	req, ok := args[2].(request)
	if !ok {
		return nil, fmt.Errorf("cond: bad request context %T", args[2])
	}
	cd, ok := e.conds[name]
	if !ok {
		return nil, fmt.Errorf("cond: unknown condition %q", name)
	}
	return cd.check(eft, req), nil
}

// fits reports whether the actor's role belongs to its kind, so that a
// customer can never act under a staff role or the other way round.
func fits(a models.Actor) bool {
	switch a.Role {
	case models.RoleOwner, models.RoleAdmin, models.RoleChatAdmin, models.RoleAgent:
		return a.Kind == models.ActorStaff
	case models.RoleCustomer:
		return a.Kind == models.ActorCustomer
	case models.RoleGuest:
		return a.Kind == models.ActorGuest
	case models.RoleSystem:
		return a.Kind == models.ActorSystem
	}
	return false
}

// Can answers whether actor a may do act on obj. c is the conversation
// concerned, nil when there is none (Start, settings, …); a condition that
// needs a conversation then denies. An actor whose Role does not match its
// Kind may do nothing.
func (e *Enforcer) Can(a models.Actor, obj string, act Action, c *models.Conversation) bool {
	if !fits(a) {
		return false
	}
	// The model's effect: some allow line matches and no deny line does; a
	// line matches when its action does and its condition holds.
	req, allowed := request{actor: a, conv: c}, false
	for _, l := range e.lines[roleObj{a.Role, obj}] {
		if l.act != string(act) && l.act != "*" {
			continue
		}
		if l.deny {
			if l.cond.check("deny", req) {
				return false
			}
		} else if !allowed {
			allowed = l.cond.check("allow", req)
		}
	}
	return allowed
}

// enforce is Can answered by Casbin itself (the model's matcher and
// effect over the loaded lines), what compile must agree with.
func (e *Enforcer) enforce(a models.Actor, obj string, act Action, c *models.Conversation) bool {
	if !fits(a) {
		return false
	}
	ok, err := e.se.Enforce(a.Role, obj, string(act), request{actor: a, conv: c})
	return err == nil && ok
}

// actorRoles are the roles an Actor may carry (fits).
var actorRoles = append(slices.Clone(models.StaffRoles), models.RoleCustomer, models.RoleGuest, models.RoleSystem)

// compile reads each actor role's domain lines, inherited ones included,
// from the enforcer, grouped by object.
func (e *Enforcer) compile() (map[roleObj][]line, error) {
	out := map[roleObj][]line{}
	for _, role := range actorRoles {
		perms, err := e.se.GetImplicitPermissionsForUser(role)
		if err != nil {
			return nil, err
		}
		for _, p := range perms { // sub, obj, act, cond, eft
			if len(p) != 5 {
				return nil, fmt.Errorf("policy line %q: want 5 fields", p)
			}
			cd, ok := e.conds[p[3]]
			if !ok {
				return nil, fmt.Errorf("policy line %q: unknown condition", p)
			}
			if p[4] != "allow" && p[4] != "deny" {
				return nil, fmt.Errorf("policy line %q: effect must be allow or deny", p)
			}
			k := roleObj{role, p[1]}
			out[k] = append(out[k], line{act: p[2], cond: cd, deny: p[4] == "deny"})
		}
	}
	return out, nil
}

// CanRoute answers whether a staff role may call an /admin route. The path is
// cleaned first (query dropped, dot segments resolved).
func (e *Enforcer) CanRoute(role, method, p string) bool {
	if !models.IsStaffRole(role) {
		return false
	}
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	p = path.Clean("/" + p)
	// The "2" context selects the r2/p2/e2/m2 (routes) section of model.conf.
	ok, err := e.se.Enforce(casbin.NewEnforceContext("2"), role, p, strings.ToUpper(method))
	return err == nil && ok
}

// Scope turns actor a's read permission on conversations into a WHERE
// fragment over the conversations columns assigned_to, customer_id and
// status, with ? placeholders and their args. Read lines of the role are
// ORed, read denies subtracted; no permission gives "1=0".
func (e *Enforcer) Scope(a models.Actor) (where string, args []any) {
	allow, deny, denyArgs := e.readLines(a)
	if len(allow) == 0 {
		return "1=0", nil
	}
	frags := make([]string, 0, len(allow))
	for _, cd := range allow {
		frag, fargs := cd.sql(a)
		frags = append(frags, frag)
		args = append(args, fargs...)
	}
	if len(frags) == 1 && len(deny) == 0 {
		return frags[0], args
	}
	parts := append([]string{"(" + strings.Join(frags, " OR ") + ")"}, deny...)
	return strings.Join(parts, " AND "), append(args, denyArgs...)
}

// ScopeBranches is Scope as fragments whose union is the scope (deny
// conditions ANDed into each; a list UNIONs them, so overlap is harmless),
// so a list can walk each branch in index order: an agent's "unassigned or
// mine" becomes two index range scans instead of an OR whose matches must
// all be sorted.
func (e *Enforcer) ScopeBranches(a models.Actor) []models.Scope {
	allow, deny, denyArgs := e.readLines(a)
	if len(allow) == 0 {
		return []models.Scope{{Where: "1=0"}}
	}
	var out []models.Scope
	for _, cd := range allow {
		out = append(out, cd.parts(a)...)
	}
	if len(deny) > 0 {
		for i := range out {
			out[i].Where = "(" + out[i].Where + ") AND " + strings.Join(deny, " AND ")
			out[i].Args = append(append([]any{}, out[i].Args...), denyArgs...)
		}
	}
	return out
}

// readLines walks the actor's read lines on conversations, for Scope and
// ScopeBranches: the conditions that allow (an unconditional one alone
// ends the walk) and the denies as negated fragments with their args.
func (e *Enforcer) readLines(a models.Actor) (allow []condition, deny []string, denyArgs []any) {
	if !fits(a) {
		return nil, nil, nil
	}
	perms, err := e.se.GetImplicitPermissionsForUser(a.Role)
	if err != nil {
		return nil, nil, nil
	}
	for _, p := range perms { // sub, obj, act, cond, eft
		if p[1] != ObjConversation || (p[2] != string(Read) && p[2] != "*") {
			continue
		}
		cd := e.conds[p[3]]
		frag, fargs := cd.sql(a)
		if p[4] == "deny" {
			deny = append(deny, "NOT ("+frag+")")
			denyArgs = append(denyArgs, fargs...)
			continue
		}
		if frag == "1=1" {
			allow = []condition{cd}
			break
		}
		allow = append(allow, cd)
	}
	return allow, deny, denyArgs
}

// Roles reports the roles a role inherits, strongest first (for display):
// owner gives admin, chat_admin, agent.
func (e *Enforcer) Roles(role string) []string {
	all, err := e.se.GetImplicitRolesForUser(role)
	if err != nil {
		return nil
	}
	var out []string
	for _, r := range all {
		if r != anyone {
			out = append(out, r)
		}
	}
	return out
}

// HolderRoles lists the staff roles, strongest first, that may do act on obj
// outright: for "conversation", on an open conversation assigned to a member
// of the role (so HolderRoles("conversation", Reply) is who may be assigned);
// otherwise with no conversation at all, i.e. under condition any
// (HolderRoles("financial", ManageFinancial) is who escalations go to, R21).
func (e *Enforcer) HolderRoles(obj string, act Action) []string {
	const probe = 1
	var out []string
	for _, role := range models.StaffRoles {
		a := models.Actor{Kind: models.ActorStaff, ID: probe, Role: role}
		var c *models.Conversation
		if obj == ObjConversation {
			id := a.ID
			c = &models.Conversation{Status: models.StatusOpen, AssignedTo: &id}
		}
		if e.Can(a, obj, act, c) {
			out = append(out, role)
		}
	}
	return out
}

// RouteRule is one line of routes.csv.
type RouteRule struct {
	Role, Path, Method string
	Allow              bool
}

// RouteRules lists the /admin route lines as loaded (the back office's
// route table is tested against them).
func (e *Enforcer) RouteRules() []RouteRule {
	lines, _ := e.se.GetNamedPolicy("p2")
	out := make([]RouteRule, 0, len(lines))
	for _, l := range lines {
		if len(l) == 4 {
			out = append(out, RouteRule{Role: l[0], Path: l[1], Method: l[2], Allow: l[3] == "allow"})
		}
	}
	return out
}
