package main

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/jobs"
	"github.com/parleyhq/parley/mail"
	"github.com/parleyhq/parley/templates"
)

// startMail sets up e-mail: the SMTP client (PARLEY_SMTP_URL, or the
// in-process server of embedded mode), and the presence store.
func (rt *runtime) startMail() error {
	rt.presence = mail.NewPresence(rt.redis, "")
	if rt.cfg.SMTPURL == "" {
		srv, err := mail.StartServer()
		if err != nil {
			return fmt.Errorf("in-process smtp: %w", err)
		}
		rt.smtp = srv
		rt.mailer = mail.NewClient(srv.Config())
		return nil
	}
	cfg, err := mail.ParseURL(rt.cfg.SMTPURL)
	if err != nil {
		return err
	}
	rt.mailer = mail.NewClient(cfg)
	return nil
}

// mailOptions are the inbox's e-mail dependencies.
func (rt *runtime) mailOptions() []inbox.Option {
	return []inbox.Option{inbox.WithPresence(rt.presence), inbox.WithSecret(rt.secret), inbox.WithEmailWindow(rt.cfg.MailWindow)}
}

// publicURL is PARLEY_PUBLIC_URL, or http://<addr>.
func (rt *runtime) publicURL() string {
	if rt.cfg.PublicURL != "" {
		return strings.TrimRight(rt.cfg.PublicURL, "/")
	}
	return "http://" + rt.cfg.Addr
}

// mailFrom is PARLEY_MAIL_FROM, or parley@<public host>.
func (rt *runtime) mailFrom() string {
	if rt.cfg.MailFrom != "" {
		return rt.cfg.MailFrom
	}
	host := "localhost"
	if u, err := url.Parse(rt.publicURL()); err == nil && strings.Contains(u.Hostname(), ".") && net.ParseIP(u.Hostname()) == nil {
		host = u.Hostname()
	}
	return "parley@" + host
}

// mailJob is the worker's e-mail sweep and sender.
func (rt *runtime) mailJob() *jobs.MailJob {
	j := jobs.NewMailJob(rt.svc, rt.store, rt.asynq, rt.mailer,
		&mail.Composer{PublicURL: rt.publicURL(), From: rt.mailFrom(), FromName: "Parley"}, rt.log)
	j.Interval = min(10*time.Second, max(rt.cfg.MailWindow/2, time.Second))
	return j
}

// devMailbox shows the in-process server's messages in /admin/mailbox.
type devMailbox struct{ srv *mail.Server }

func devMail(r mail.Received) templates.DevMail {
	d := templates.DevMail{ID: r.ID, At: r.At, From: r.From, To: strings.Join(r.To, ", "), Subject: r.Subject,
		Text: r.Text, HTML: r.HTML}
	for _, h := range []string{"Message-Id", "Date", "In-Reply-To", "References", "List-Unsubscribe", "List-Unsubscribe-Post"} {
		if v := r.Header.Get(h); v != "" {
			d.Headers = append(d.Headers, templates.MailHeader{Name: h, Value: v})
		}
	}
	return d
}

func (m devMailbox) Mails() []templates.DevMail {
	var out []templates.DevMail
	for _, r := range m.srv.Messages() {
		out = append(out, devMail(r))
	}
	return out
}

func (m devMailbox) Mail(id int) (templates.DevMail, bool) {
	r, ok := m.srv.Message(id)
	if !ok {
		return templates.DevMail{}, false
	}
	return devMail(r), true
}
