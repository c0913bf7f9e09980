// Package mail sends Parley's e-mail over SMTP (github.com/wneessen/go-mail)
// and, in embedded mode, receives it in an in-process SMTP server
// (github.com/emersion/go-smtp) whose messages the dev mailbox shows.
package mail

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/parleyhq/parley/templates"
)

// Config says how to reach the SMTP server.
type Config struct {
	Host     string
	Port     int
	Username string
	Password string
	// ImplicitTLS is smtps:// (TLS from the first byte, port 465).
	ImplicitTLS bool
	// NoTLS never upgrades (the in-process loopback server only).
	NoTLS bool
	// TLSConfig overrides the TLS settings (tests: a self-signed server).
	TLSConfig *tls.Config
	Timeout   time.Duration
}

// ParseURL reads PARLEY_SMTP_URL: smtp://[user:pass@]host:port (STARTTLS
// whenever the server offers it, required when credentials are set) or
// smtps://[user:pass@]host[:465] (implicit TLS).
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, fmt.Errorf("PARLEY_SMTP_URL: %w", err)
	}
	var c Config
	switch u.Scheme {
	case "smtp":
		c.Port = 25
	case "smtps":
		c.Port, c.ImplicitTLS = 465, true
	default:
		return Config{}, fmt.Errorf("PARLEY_SMTP_URL: scheme %q: use smtp:// or smtps://", u.Scheme)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return Config{}, fmt.Errorf("PARLEY_SMTP_URL: only smtp://[user:pass@]host:port")
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return Config{}, fmt.Errorf("PARLEY_SMTP_URL names no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return Config{}, fmt.Errorf("PARLEY_SMTP_URL: port %q", p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	return c, nil
}

// String names the server without the password.
func (c Config) String() string {
	scheme := "smtp"
	if c.ImplicitTLS {
		scheme = "smtps"
	}
	user := ""
	if c.Username != "" {
		user = c.Username + "@"
	}
	return scheme + "://" + user + net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
}

// Message is one e-mail to send.
type Message struct {
	From     string // address, or "Name <address>"
	To       string
	ToName   string
	Subject  string
	Text     string
	HTML     string
	Date     time.Time
	ID       string            // Message-ID without angle brackets
	Headers  map[string]string // In-Reply-To, References, List-Unsubscribe, …
	Bulk     bool              // Auto-Submitted: auto-generated
	FromName string
}

// Client sends messages to one SMTP server.
type Client struct {
	cfg Config
}

// NewClient builds a client; it connects per send.
func NewClient(cfg Config) *Client { return &Client{cfg: cfg} }

// Config is the client's configuration.
func (c *Client) Config() Config { return c.cfg }

func (c *Client) options() []gomail.Option {
	timeout := c.cfg.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(c.cfg.Port), gomail.WithTimeout(timeout)}
	switch {
	case c.cfg.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case c.cfg.NoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case c.cfg.Username != "":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if c.cfg.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(c.cfg.TLSConfig))
	}
	if c.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(c.cfg.Username), gomail.WithPassword(c.cfg.Password))
	}
	return opts
}

// Build turns a Message into go-mail's message.
func Build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if m.FromName != "" {
		if err := msg.FromFormat(m.FromName, m.From); err != nil {
			return nil, fmt.Errorf("from %q: %w", m.From, err)
		}
	} else if err := msg.From(m.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", m.From, err)
	}
	if err := msg.AddToFormat(m.ToName, m.To); err != nil {
		return nil, fmt.Errorf("to %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	if m.Date.IsZero() {
		msg.SetDate()
	} else {
		msg.SetDateWithValue(m.Date)
	}
	if m.ID != "" {
		msg.SetMessageIDWithValue(m.ID)
	} else {
		msg.SetMessageID()
	}
	for k, v := range m.Headers {
		msg.SetGenHeader(gomail.Header(k), v)
	}
	if m.Bulk {
		msg.SetGenHeader("Auto-Submitted", "auto-generated")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// Send delivers one message. An error means the server did not accept it.
func (c *Client) Send(ctx context.Context, m Message) error {
	msg, err := Build(m)
	if err != nil {
		return err
	}
	cl, err := gomail.NewClient(c.cfg.Host, c.options()...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := cl.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp %s: %w", c.cfg.String(), err)
	}
	return nil
}

// Mailer is a client with a sender address: the generic Send the password
// reset and other plain mails use.
type Mailer struct {
	Client *Client
	From   string
	Name   string
}

// Send sends a plain e-mail (text, optional HTML).
func (m *Mailer) Send(ctx context.Context, to, subject, text, html string) error {
	return m.Client.Send(ctx, Message{From: m.From, FromName: m.Name, To: strings.TrimSpace(to), Subject: subject, Text: text, HTML: html, Bulk: true})
}

// SendResetLink sends a password-reset link (inbox.ResetMailer's
// SendPasswordReset is a one-line adapter over it; see docs/readme-mail.md).
// The expiry is quoted in expires' own location (the store's time zone).
func (m *Mailer) SendResetLink(ctx context.Context, to, name, link string, expires time.Time) error {
	if name == "" {
		name = "there"
	}
	shop := m.Name
	if shop == "" {
		shop = "Parley"
	}
	text, html, err := templates.RenderResetMail(templates.MailPasswordReset{Name: name, ShopName: shop, Link: link,
		Expires: FormatTime(expires, expires.Location())})
	if err != nil {
		return err
	}
	return m.Send(ctx, to, "Reset your "+shop+" password", text, html)
}
