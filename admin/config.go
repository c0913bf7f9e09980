package admin

import (
	"fmt"
	"html/template"

	"github.com/GoAdminGroup/go-admin/modules/config"

	"github.com/parleyhq/parley/models"
)

// genericErrorHTML replaces GoAdmin's error pages: never a message or stack.
const genericErrorHTML = `<div class="parley-error" style="padding:2em"><h3>Something went wrong</h3><p>The error was logged. Please try again.</p></div>`

// footScript runs on every page of GoAdmin's layout: signing out is a
// same-origin POST (a GET must not end a session), and the user menu's
// "Setting" leads to Parley's profile page. Pages GoAdmin loads by pjax run
// their inline scripts through jQuery.globalEval, which the CSP (no
// 'unsafe-eval') forbids: they run as inline script elements instead, each
// in a block of its own (GoAdmin's top-level let would clash on a second load).
const footScript = `<script>
(function () {
  if (window.jQuery) {
    jQuery.globalEval = function (code) {
      if (!code || !jQuery.trim(code)) { return; }
      var s = document.createElement('script');
      s.text = '{\n' + code + '\n}';
      document.head.appendChild(s).parentNode.removeChild(s);
    };
  }
  document.addEventListener('click', function (ev) {
    var a = ev.target.closest ? ev.target.closest('a[href$="/admin/logout"]') : null;
    if (!a) { return; }
    ev.preventDefault();
    ev.stopPropagation();
    var f = document.createElement('form');
    f.method = 'post';
    f.action = '/admin/logout';
    document.body.appendChild(f);
    f.submit();
  }, true);
  var links = document.querySelectorAll('a[href*="/info/normal_manager/edit"]');
  for (var i = 0; i < links.length; i++) { links[i].setAttribute('href', '/admin/profile'); }
})();
</script>`

// goadminConfig is GoAdmin's configuration, built from code (never from a
// file or goadmin_site).
func goadminConfig(d Deps) (*config.Config, error) {
	driver := config.DriverSqlite
	switch d.DB.Dialect {
	case models.SQLite:
	case models.MySQL:
		driver = config.DriverMysql
	default:
		return nil, fmt.Errorf("admin: unsupported database dialect %q", d.DB.Dialect)
	}
	if d.DB.DSN == "" {
		return nil, fmt.Errorf("admin: database DSN is empty")
	}
	return &config.Config{
		Databases: config.DatabaseList{"default": {
			// GoAdmin opens Dsn verbatim ("sqlite3" = modernc, registered by
			// models.RegisterSQLite; "mysql" = go-sql-driver): the same DSN as
			// Parley's pool, pragmas and time zone included.
			Driver: driver, Dsn: d.DB.DSN, MaxOpenConns: 4, MaxIdleConns: 2,
		}},
		UrlPrefix:                  "admin",
		IndexUrl:                   "/dashboard/conversation",
		LoginUrl:                   "/login",
		Env:                        config.EnvProd,
		Debug:                      false,
		Theme:                      themeName, // adminlte, parsed once (theme.go)
		Title:                      "Parley",
		LoginTitle:                 "Parley",
		Logo:                       template.HTML("<b>Parley</b>"),
		MiniLogo:                   template.HTML("<b>P</b>"),
		Language:                   "en",
		SessionLifeTime:            int(d.SessionTTL.Seconds()),
		ProhibitConfigModification: true,
		HideConfigCenterEntrance:   true,
		HideAppInfoEntrance:        true,
		HideToolEntrance:           true,
		HidePluginEntrance:         true,
		// Never set: the theme shows the user's menu without asking
		// (branding.go, showUserCenter).
		HideVisitorUserCenterEntrance: false,
		OperationLogOff:               true,
		// One user may be signed in on several devices (desk and phone); a
		// password change or deactivation still ends them all.
		NoLimitLoginIP: true,
		AccessLogOff:   true,
		InfoLogOff:     true,
		// GoAdmin logs a refused form as ERROR with a stack; Parley's guard
		// logs refusals at INFO and real failures itself.
		ErrorLogOff:    true,
		CustomFootHtml: template.HTML(footScript + bellScript + liveTag(d.Bus != nil)),
		OpenAdminApi:   false,
		Custom500HTML:  template.HTML(genericErrorHTML),
		Store:          config.Store{Prefix: "uploads"},
	}, nil
}
