package mail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/mail"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want string // Config.String(), or "" for an error
		tls  bool
		user string
	}{
		{"smtp://mail.example.com:587", "smtp://mail.example.com:587", false, ""},
		{"smtp://bob:s3cret@mail.example.com:587", "smtp://bob@mail.example.com:587", false, "bob"},
		{"smtp://mail.example.com", "smtp://mail.example.com:25", false, ""},
		{"smtps://bob:pw@mail.example.com", "smtps://bob@mail.example.com:465", true, "bob"},
		{"smtps://mail.example.com:2465", "smtps://mail.example.com:2465", true, ""},
		{"http://mail.example.com", "", false, ""},
		{"smtp://:25", "", false, ""},
		{"smtp://mail.example.com:0", "", false, ""},
		{"smtp://mail.example.com:99999", "", false, ""},
		{"smtp://mail.example.com:25/path", "", false, ""},
		{"smtp://mail.example.com:25?x=1", "", false, ""},
	} {
		c, err := mail.ParseURL(tc.raw)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%s: accepted as %s", tc.raw, c)
			}
			continue
		}
		if err != nil || c.String() != tc.want || c.ImplicitTLS != tc.tls || c.Username != tc.user {
			t.Errorf("%s: %+v %v", tc.raw, c, err)
		}
		if strings.Contains(c.String(), "s3cret") {
			t.Errorf("%s: String shows the password", tc.raw)
		}
	}
}

// selfSigned makes a server certificate for 127.0.0.1 and a client TLS
// configuration that trusts it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

func start(t *testing.T, tlsConfig *tls.Config, implicit bool) *mail.Server {
	t.Helper()
	s, err := mail.StartServerTLS(tlsConfig, implicit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var msg = mail.Message{From: "parley@shop.test", To: "alice@example.com", ToName: "Alice", Subject: "Hi", Text: "Hello", HTML: "<p>Hello</p>"}

// TestClientTLSRules: STARTTLS whenever the server offers it; credentials
// never go over a connection the server could not encrypt; smtps is TLS
// from the first byte; the in-process server takes AUTH PLAIN on loopback.
func TestClientTLSRules(t *testing.T) {
	ctx := context.Background()
	srvTLS, cliTLS := selfSigned(t)

	t.Run("credentials need STARTTLS", func(t *testing.T) {
		s := start(t, nil, false) // offers no STARTTLS
		cfg := s.Config()
		cfg.NoTLS = false // as parsed from smtp://user:pass@…
		if err := mail.NewClient(cfg).Send(ctx, msg); err == nil || len(s.Messages()) != 0 {
			t.Fatalf("credentials sent without TLS: %v", err)
		}
	})
	t.Run("STARTTLS with credentials", func(t *testing.T) {
		s := start(t, srvTLS, false)
		cfg := s.Config()
		cfg.NoTLS, cfg.TLSConfig = false, cliTLS
		if err := mail.NewClient(cfg).Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
		if m := s.Messages(); len(m) != 1 || !m[0].TLS {
			t.Fatalf("received %+v", m)
		}
	})
	t.Run("opportunistic STARTTLS without credentials", func(t *testing.T) {
		s := start(t, srvTLS, false)
		s.Username = "" // accept without AUTH
		cfg := s.Config()
		cfg.NoTLS, cfg.TLSConfig, cfg.Username, cfg.Password = false, cliTLS, "", ""
		if err := mail.NewClient(cfg).Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
		if m := s.Messages(); len(m) != 1 || !m[0].TLS {
			t.Fatalf("received %+v, want it over STARTTLS", m)
		}
	})
	t.Run("smtps", func(t *testing.T) {
		s := start(t, srvTLS, true)
		cfg := s.Config()
		cfg.NoTLS, cfg.ImplicitTLS, cfg.TLSConfig = false, true, cliTLS
		if err := mail.NewClient(cfg).Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
		if m := s.Messages(); len(m) != 1 || !m[0].TLS || m[0].Text != "Hello" || m[0].HTML != "<p>Hello</p>" {
			t.Fatalf("received %+v", m)
		}
	})
	t.Run("in-process server: AUTH with its password", func(t *testing.T) {
		s := start(t, nil, false)
		if err := mail.NewClient(s.Config()).Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
		wrong := s.Config()
		wrong.Password = "guess"
		if err := mail.NewClient(wrong).Send(ctx, msg); err == nil {
			t.Fatal("a wrong password was accepted")
		}
		if m := s.Messages(); len(m) != 1 || m[0].Subject != "Hi" || m[0].TLS {
			t.Fatalf("received %+v", m)
		}
		other := start(t, nil, false)
		if other.Password == s.Password || len(s.Password) < 32 {
			t.Fatal("the password is not random per start")
		}
	})
}

// TestSendResetLink: the generic mailer sends the password-reset e-mail
// (text and HTML) through SMTP.
func TestSendResetLink(t *testing.T) {
	s := start(t, nil, false)
	m := &mail.Mailer{Client: mail.NewClient(s.Config()), From: "parley@shop.test", Name: "Shop"}
	link := "https://shop.test/dashboard/password-reset?token=pr_abc"
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SendResetLink(context.Background(), "alice@example.com", "Alice", link, time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC).In(ny)); err != nil {
		t.Fatal(err)
	}
	got := s.Messages()
	if len(got) != 1 || got[0].Subject != "Reset your Shop password" || !strings.Contains(got[0].Text, link) ||
		!strings.Contains(got[0].HTML, `href="https://shop.test/dashboard/password-reset?token=pr_abc"`) || got[0].To[0] != "alice@example.com" {
		t.Fatalf("received %+v", got)
	}
	// The expiry is quoted in the store's zone, named.
	if want := "until 1 Jan 2026 22:04 EST (America/New_York)"; !strings.Contains(got[0].Text, want) {
		t.Errorf("text %q lacks %q", got[0].Text, want)
	}
}
