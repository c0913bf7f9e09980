package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/templates"
)

// The widget: /widget.js, one <script> tag on any shop page, adds a
// launcher button and an iframe of /widget. The iframe keeps its guest or
// customer token in memory only (no third-party cookies) and talks to the
// JSON API; the shop hands it an identity token with postMessage, checked
// against the allowed origins, never in a URL.
const (
	WidgetPath       = "/widget"
	WidgetScriptPath = "/widget.js"
	DemoStorePath    = "/demo/store"
)

// ParseOrigins reads PARLEY_WIDGET_ORIGINS: comma-separated origins
// (scheme://host[:port], http or https, nothing else).
func ParseOrigins(raw string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(raw, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" ||
			u.Fragment != "" || u.User != nil || u.Opaque != "" || strings.ContainsAny(o, " ;'\"*") {
			return nil, fmt.Errorf("PARLEY_WIDGET_ORIGINS: %q is not an origin like https://shop.example", o)
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out, nil
}

func (p *Portal) registerWidget(r gin.IRouter) {
	r.GET(WidgetPath, p.widget)
	r.GET(WidgetScriptPath, func(c *gin.Context) {
		b, _ := templates.Asset("widget.js")
		c.Header("Cache-Control", "public, max-age=300")
		// Shop pages load it cross-origin.
		c.Header("Cross-Origin-Resource-Policy", "cross-origin")
		c.Data(http.StatusOK, "text/javascript; charset=utf-8", b)
	})
	if p.cfg.Demo {
		r.GET(DemoStorePath, func(c *gin.Context) {
			b, _ := templates.Asset("store.html")
			c.Header("Cache-Control", "no-store")
			c.Data(http.StatusOK, "text/html; charset=utf-8", b)
		})
	}
}

// widget is GET /widget: the iframe page. It is the one page other origins
// may frame: frame-ancestors lists PARLEY_WIDGET_ORIGINS.
func (p *Portal) widget(c *gin.Context) {
	ancestors := "'self'"
	for _, o := range p.cfg.WidgetOrigins {
		ancestors += " " + o
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; "+
		"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors "+ancestors)
	h.Del("X-Frame-Options")
	h.Set("Referrer-Policy", "no-referrer")
	w := &templates.PortalWidget{Origins: strings.Join(p.cfg.WidgetOrigins, " "), API: APIPrefix}
	if st, err := p.svc.PageSettings(c.Request.Context()); err == nil && st.ConsentRequired(models.ChannelWidget) {
		w.ConsentText, w.ConsentURL = st.PrivacyConsentText, st.PrivacyConsentURL
	}
	pg := templates.PortalPage{Title: "Chat", Compact: true, Base: WidgetPath, Assets: PortalAssets, Widget: w}
	var b bytes.Buffer
	if err := templates.Portal(&b, templates.WidgetTemplate, pg); err != nil {
		p.cfg.Log.Error("render widget", "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", b.Bytes())
}
