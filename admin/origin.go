package admin

import (
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
)

// stateChanging reports whether a method may change state (needs the
// same-origin check and a parsed body).
func stateChanging(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// sameOrigin accepts a state-changing request only when the browser says it
// comes from this site: Origin, else Referer, naming this host (hole 9).
func (g *guard) sameOrigin(r *http.Request) bool {
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" && s != "same-origin" && s != "none" {
		return false
	}
	src := r.Header.Get("Origin")
	if src == "" {
		src = r.Header.Get("Referer")
	}
	if src == "" || src == "null" {
		return false
	}
	return g.ownURL(r, src)
}

// ownURL reports whether an absolute URL names this site (the request's
// host; https only behind TLS).
func (g *guard) ownURL(r *http.Request, s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || !strings.EqualFold(u.Host, r.Host) {
		return false
	}
	if g.secure {
		return u.Scheme == "https"
	}
	return u.Scheme == "http" || u.Scheme == "https"
}

// safeAdminPath reports whether s is a same-origin relative /admin path
// (holes 4, 5): no scheme, no host, no backslash, no "//".
func safeAdminPath(s string) bool {
	if !strings.HasPrefix(s, "/admin/") || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\"'<> \t\r\n`") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && u.Opaque == "" && u.User == nil && path.Clean(u.Path) == u.Path
}

// previousPath is what __go_admin_previous_ may hold: the list or a
// thread, with plain query characters (hole 5).
var previousPath = regexp.MustCompile(`^/admin/info/conversation(/edit)?(\?[A-Za-z0-9_=&%.,:+\-]*)?$`)

// formTokenKey is GoAdmin's single-use form token field.
const formTokenKey = "__go_admin_t_"

// previousKey is GoAdmin's return-address field.
const previousKey = "__go_admin_previous_"

// validPrevious checks every value of __go_admin_previous_ a request
// carries: at most one, and empty or a previousPath.
func validPrevious(vals []string) bool {
	if len(vals) > 1 {
		return false
	}
	return len(vals) == 0 || vals[0] == "" || previousPath.MatchString(vals[0])
}
