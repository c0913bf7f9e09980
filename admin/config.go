package admin

import (
	"fmt"
	"html/template"

	"github.com/GoAdminGroup/go-admin/modules/config"

	"github.com/parleyhq/parley/models"
)

// genericErrorHTML replaces GoAdmin's error pages: never a message or stack.
const genericErrorHTML = `<div class="parley-error" style="padding:2em"><h3>Something went wrong</h3><p>The error was logged. Please try again.</p></div>`

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
		Theme:                      "adminlte",
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
		OperationLogOff:            true,
		NoLimitLoginIP:             false,
		AccessLogOff:               true,
		InfoLogOff:                 true,
		OpenAdminApi:               false,
		Custom500HTML:              template.HTML(genericErrorHTML),
		Store:                      config.Store{Prefix: "uploads"},
	}, nil
}
