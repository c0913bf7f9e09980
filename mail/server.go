package mail

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one message the in-process server accepted.
type Received struct {
	ID      int
	At      time.Time
	From    string
	To      []string
	Subject string
	Header  mail.Header
	Text    string
	HTML    string
	Raw     []byte
	// TLS says the message came over an encrypted connection.
	TLS bool
}

// Server is the embedded mode's in-process SMTP server on loopback: it
// requires AUTH PLAIN with a password made at each start, and keeps what it
// receives (the newest Keep messages) for the dev mailbox.
type Server struct {
	// Username and Password are what AUTH PLAIN must give; an empty
	// Username takes mail without AUTH (tests only).
	Username, Password string
	Addr               string
	// Keep bounds the messages kept (oldest dropped first).
	Keep int
	// Reject, when set, refuses each message it returns an error for
	// (tests: an SMTP server that fails).
	Reject func(from string, to []string) error

	srv    *smtp.Server
	mu     sync.Mutex
	msgs   []Received
	nextID int
}

// StartServer starts the server on 127.0.0.1 (an ephemeral port).
func StartServer() (*Server, error) { return StartServerTLS(nil, false) }

// StartServerTLS starts the server with TLS: offered by STARTTLS, or from
// the first byte when implicit (smtps). Tests use it for the client's TLS
// rules; the embedded mode runs plain on loopback.
func StartServerTLS(tlsConfig *tls.Config, implicit bool) (*Server, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	s := &Server{Username: "parley", Password: hex.EncodeToString(b), Keep: 500}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen smtp: %w", err)
	}
	if implicit {
		ln = tls.NewListener(ln, tlsConfig)
	}
	s.Addr = ln.Addr().String()
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.MaxRecipients = 50
	// Loopback only, so PLAIN without TLS reveals the password to nobody.
	s.srv.AllowInsecureAuth = true
	if !implicit {
		s.srv.TLSConfig = tlsConfig
	}
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Config is the client configuration that reaches this server.
func (s *Server) Config() Config {
	host, port, _ := net.SplitHostPort(s.Addr)
	var p int
	fmt.Sscan(port, &p)
	return Config{Host: host, Port: p, Username: s.Username, Password: s.Password, NoTLS: true, Timeout: 10 * time.Second}
}

// Messages lists what was received, newest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Received, len(s.msgs))
	for i, m := range s.msgs {
		out[len(s.msgs)-1-i] = m
	}
	return out
}

// Message finds one received message by id.
func (s *Server) Message(id int) (Received, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.msgs {
		if m.ID == id {
			return m, true
		}
	}
	return Received{}, false
}

func (s *Server) store(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	r.ID = s.nextID
	s.msgs = append(s.msgs, r)
	if s.Keep > 0 && len(s.msgs) > s.Keep {
		s.msgs = s.msgs[len(s.msgs)-s.Keep:]
	}
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{srv: s, conn: c}, nil
}

type session struct {
	srv  *Server
	conn *smtp.Conn
	auth bool
	from string
	to   []string
}

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != x.srv.Username || password != x.srv.Password {
			return errors.New("invalid username or password")
		}
		x.auth = true
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if !x.auth && x.srv.Username != "" {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !x.auth && x.srv.Username != "" {
		return smtp.ErrAuthRequired
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	if !x.auth && x.srv.Username != "" {
		return smtp.ErrAuthRequired
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if x.srv.Reject != nil {
		if err := x.srv.Reject(x.from, x.to); err != nil {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: err.Error()}
		}
	}
	rec := Parse(raw)
	rec.From, rec.To, rec.At = x.from, append([]string(nil), x.to...), time.Now()
	_, rec.TLS = x.conn.TLSConnectionState()
	x.srv.store(rec)
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

// Parse reads a raw message into its headers and its text and HTML parts
// (multipart/alternative or a single part; quoted-printable or base64).
func Parse(raw []byte) Received {
	rec := Received{Raw: raw}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		rec.Text = string(raw)
		return rec
	}
	rec.Header = msg.Header
	dec := new(mime.WordDecoder)
	if subj, err := dec.DecodeHeader(msg.Header.Get("Subject")); err == nil {
		rec.Subject = subj
	}
	walk(&rec, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
	return rec
}

func walk(rec *Received, ctype, cte string, body io.Reader, depth int) {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") && depth < 5 {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return
			}
			walk(rec, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1)
		}
	}
	var r io.Reader = body
	switch strings.ToLower(cte) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, _ := io.ReadAll(io.LimitReader(r, 5<<20))
	switch mt {
	case "text/plain":
		if rec.Text == "" {
			rec.Text = string(b)
		}
	case "text/html":
		if rec.HTML == "" {
			rec.HTML = string(b)
		}
	}
}
