package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/web"
)

// config is Parley's runtime configuration: PARLEY_* environment variables,
// overridden by flags of the same names (PARLEY_ADDR ↔ --addr).
type config struct {
	Addr    string
	DataDir string
	// AttachmentsDir holds attachment files (R12), outside the web root.
	AttachmentsDir string
	DatabaseURL    string
	RedisURL       string
	Secret         string
	// IdentitySecret is the shop's HS256 key for signed identity tokens
	// (issue 7); empty disables signed identity.
	IdentitySecret string
	TokenTTL       time.Duration
	// AdminSessionTTL bounds a back-office session.
	AdminSessionTTL time.Duration
	// Secure marks cookies Secure: Parley is reached over https.
	Secure         bool
	DemoPassword   string
	TrustedProxies string
	// WidgetOrigins are the shop origins allowed to frame /widget.
	WidgetOrigins []string
	Demo          bool
	NoWorker      bool
	HTTP          httpLimits
	// Mail (cmd/parley/mail.go).
	SMTPURL, MailFrom, PublicURL string
	MailWindow                   time.Duration
}

// httpLimits bound how long a client may hold a connection, and how a
// stopping server drains (see newHTTPServer and serve).
type httpLimits struct {
	// HeaderTimeout is the time to send the request line and headers.
	HeaderTimeout time.Duration
	// BodyGrace is how long a body may take before BodyMinRate applies.
	BodyGrace time.Duration
	// BodyMinRate is the average bytes per second a body must keep after
	// BodyGrace (1 KB/s: a 1 MB upload over a poor phone link still fits).
	BodyMinRate int
	// BodyTimeout caps the time to read any body.
	BodyTimeout time.Duration
	// DrainDelay is how long /readyz answers 503 before the listener
	// closes, so load balancers stop sending new requests first.
	DrainDelay time.Duration
	// ShutdownGrace is how long in-flight requests may take to finish.
	ShutdownGrace time.Duration
}

// production reports whether external services are configured (docs/design.md §2).
func (c config) production() bool { return c.DatabaseURL != "" || c.RedisURL != "" }

type setting struct {
	env, flag, def, help string
	dst                  *string
}

// parseConfig reads the environment, then the flags of one command; extra
// adds the command's own flags (nil for none).
func parseConfig(cmd string, args []string, getenv func(string) string, extra func(fs *flag.FlagSet, c *config)) (config, error) {
	var c config
	var ttl, adminTTL, secure, widgetOrigins string
	var mailWindow string
	var headerTimeout, bodyGrace, bodyRate, bodyTimeout, drainDelay, shutdownGrace string
	settings := []setting{
		{"PARLEY_ADDR", "addr", "127.0.0.1:8080", "listen address", &c.Addr},
		{"PARLEY_DATA_DIR", "data-dir", "parley-data", "directory for the SQLite file, attachments and generated secrets (embedded mode)", &c.DataDir},
		{"PARLEY_ATTACHMENTS_DIR", "attachments-dir", "", "directory for attachment files, shared by every node in production (default: attachments/ in the data dir)", &c.AttachmentsDir},
		{"PARLEY_DATABASE_URL", "database-url", "", "mysql://user:pass@host:3306/db; empty = SQLite in the data dir", &c.DatabaseURL},
		{"PARLEY_REDIS_URL", "redis-url", "", "redis://host:6379/0; empty = in-process Redis", &c.RedisURL},
		{"PARLEY_SECRET", "secret", "", "signing secret (required in production; generated in the data dir otherwise)", &c.Secret},
		{"PARLEY_IDENTITY_SECRET", "identity-secret", "", "shared secret (at least 32 characters) the shop signs identity tokens with (HS256); empty disables signed identity", &c.IdentitySecret},
		{"PARLEY_TOKEN_TTL", "token-ttl", "720h", "lifetime of API tokens", &ttl},
		{"PARLEY_ADMIN_SESSION_TTL", "admin-session-ttl", "8h", "lifetime of a back-office session", &adminTTL},
		{"PARLEY_SECURE_COOKIES", "secure-cookies", "", "true when Parley is served over https (cookies marked Secure); default: true in production mode", &secure},
		{"PARLEY_DEMO_PASSWORD", "demo-password", "", "password of every demo account (default: generated once, kept in the data dir)", &c.DemoPassword},
		{"PARLEY_SMTP_URL", "smtp-url", "", "smtp://[user:pass@]host:port (STARTTLS when offered, required with credentials) or smtps://host:465; empty = in-process SMTP server shown in the dev mailbox", &c.SMTPURL},
		{"PARLEY_MAIL_FROM", "mail-from", "", "sender address of Parley's e-mails (default parley@<public host>)", &c.MailFrom},
		{"PARLEY_PUBLIC_URL", "public-url", "", "address people reach Parley at, for links in e-mails (default http://<addr>)", &c.PublicURL},
		{"PARLEY_MAIL_WINDOW", "mail-window", "2m", "how long a new-message e-mail waits (burst window, time to read it in-app)", &mailWindow},
		{"PARLEY_WIDGET_ORIGINS", "widget-origins", "", "comma-separated shop origins (https://shop.example) allowed to embed the chat widget", &widgetOrigins},
		{"PARLEY_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated proxy CIDRs whose X-Forwarded-For is believed", &c.TrustedProxies},
		{"PARLEY_HEADER_TIMEOUT", "header-timeout", "10s", "time a client has to send a request's headers", &headerTimeout},
		{"PARLEY_BODY_GRACE", "body-grace", "10s", "time a request body may take before the minimum rate applies", &bodyGrace},
		{"PARLEY_BODY_MIN_RATE", "body-min-rate", "1024", "bytes per second a request body must average after the grace time", &bodyRate},
		{"PARLEY_BODY_TIMEOUT", "body-timeout", "120s", "longest time to read any request body", &bodyTimeout},
		{"PARLEY_DRAIN_DELAY", "drain-delay", "2s", "on SIGTERM, time /readyz answers 503 before the server stops accepting requests", &drainDelay},
		{"PARLEY_SHUTDOWN_GRACE", "shutdown-grace", "15s", "on SIGTERM, time in-flight requests have to finish", &shutdownGrace},
	}
	fs := flag.NewFlagSet("parley "+cmd, flag.ContinueOnError)
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		fs.StringVar(s.dst, s.flag, def, fmt.Sprintf("%s (%s)", s.help, s.env))
	}
	if extra != nil {
		extra(fs, &c)
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("parley %s: unexpected argument %q", cmd, fs.Arg(0))
	}
	origins, err := web.ParseOrigins(widgetOrigins)
	if err != nil {
		return c, err
	}
	c.WidgetOrigins = origins
	d, err := time.ParseDuration(ttl)
	if err != nil || d <= 0 {
		return c, fmt.Errorf("PARLEY_TOKEN_TTL %q: want a positive duration such as 720h", ttl)
	}
	c.TokenTTL = d
	if c.AdminSessionTTL, err = time.ParseDuration(adminTTL); err != nil || c.AdminSessionTTL <= 0 {
		return c, fmt.Errorf("PARLEY_ADMIN_SESSION_TTL %q: want a positive duration such as 8h", adminTTL)
	}
	if c.MailWindow, err = time.ParseDuration(mailWindow); err != nil || c.MailWindow <= 0 || c.MailWindow > time.Hour {
		return c, fmt.Errorf("PARLEY_MAIL_WINDOW %q: want a duration from 1s to 1h, such as 2m", mailWindow)
	}
	durations := []struct {
		env, val string
		dst      *time.Duration
		zero     bool // 0 allowed
	}{
		{"PARLEY_HEADER_TIMEOUT", headerTimeout, &c.HTTP.HeaderTimeout, false},
		{"PARLEY_BODY_GRACE", bodyGrace, &c.HTTP.BodyGrace, true},
		{"PARLEY_BODY_TIMEOUT", bodyTimeout, &c.HTTP.BodyTimeout, false},
		{"PARLEY_DRAIN_DELAY", drainDelay, &c.HTTP.DrainDelay, true},
		{"PARLEY_SHUTDOWN_GRACE", shutdownGrace, &c.HTTP.ShutdownGrace, false},
	}
	for _, d := range durations {
		v, err := time.ParseDuration(d.val)
		if err != nil || v < 0 || (v == 0 && !d.zero) {
			return c, fmt.Errorf("%s %q: want a positive duration such as 10s", d.env, d.val)
		}
		*d.dst = v
	}
	if c.HTTP.BodyMinRate, err = strconv.Atoi(bodyRate); err != nil || c.HTTP.BodyMinRate < 1 {
		return c, fmt.Errorf("PARLEY_BODY_MIN_RATE %q: want bytes per second, such as 1024", bodyRate)
	}
	switch secure {
	case "":
		c.Secure = c.production()
	case "true", "1":
		c.Secure = true
	case "false", "0":
		c.Secure = false
	default:
		return c, fmt.Errorf("PARLEY_SECURE_COOKIES %q: want true or false", secure)
	}
	if c.IdentitySecret != "" && len(c.IdentitySecret) < 32 {
		return c, errors.New("PARLEY_IDENTITY_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)")
	}
	if c.production() {
		switch {
		case c.DatabaseURL == "":
			return c, errors.New("PARLEY_REDIS_URL is set but PARLEY_DATABASE_URL is not: production mode needs both (unset both for the embedded mode)")
		case c.RedisURL == "":
			return c, errors.New("PARLEY_DATABASE_URL is set but PARLEY_REDIS_URL is not: production mode needs both; an in-process Redis is not shared between nodes (unset both for the embedded mode)")
		case len(c.Secret) < 32:
			return c, errors.New("production mode needs PARLEY_SECRET of at least 32 characters (e.g. `openssl rand -hex 32`)")
		}
	}
	return c, nil
}

// attachmentsDir is where attachment files live: PARLEY_ATTACHMENTS_DIR,
// else attachments/ in the data dir.
func (c config) attachmentsDir() string {
	if c.AttachmentsDir != "" {
		return c.AttachmentsDir
	}
	return filepath.Join(c.DataDir, "attachments")
}

// serveFlags adds the flags of `parley serve`.
func serveFlags(fs *flag.FlagSet, c *config) {
	fs.BoolVar(&c.Demo, "demo", false, "seed a demo store into an empty database")
	fs.BoolVar(&c.NoWorker, "no-worker", false, "do not run the in-process job worker")
}

// secretBytes returns the configured secret, or in embedded mode the one
// kept in the data dir, generating it on first use.
func (c config) secretBytes() ([]byte, error) {
	if c.Secret != "" {
		return []byte(c.Secret), nil
	}
	v, err := keptValue(c.DataDir, "secret", 32)
	return []byte(v), err
}

// keptValue reads a generated value from the data dir, creating it once.
func keptValue(dir, name string, n int) (string, error) {
	path := filepath.Join(dir, name)
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("data dir: %w", err)
	}
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	v := hex.EncodeToString(b)
	if err := os.WriteFile(path, []byte(v+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("keep %s: %w", name, err)
	}
	return v, nil
}
