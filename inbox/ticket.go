package inbox

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/models"
)

// StreamTicketTTL is how long a stream ticket may be used.
const StreamTicketTTL = 30 * time.Second

// A stream ticket lets a browser open an event stream where it cannot
// send its bearer header (EventSource sends none) and must not put its
// token in a URL (the widget: DESIGN §6): a short-lived, single-use,
// signed reference to the session that asked for it. A ticket is
// "st_" + base64url(hash | expiry | nonce) + "." + base64url(mac), where
// hash is the session token's stored hash (a ticket is worth nothing once
// the session ends), expiry a Unix second and nonce 16 random bytes.
const (
	ticketPrefix  = "st_"
	ticketHashLen = sha256.Size
	ticketBody    = ticketHashLen + 8 + 16
)

// StreamTicket issues a stream ticket for the session of token.
func (s *Accounts) StreamTicket(ctx context.Context, token string) (string, time.Time, error) {
	if _, err := s.Authenticate(ctx, token, ""); err != nil {
		return "", time.Time{}, err
	}
	hash, err := hex.DecodeString(s.hash(token))
	if err != nil {
		return "", time.Time{}, err
	}
	exp := s.clock.Now().Add(StreamTicketTTL).Truncate(time.Second)
	body := make([]byte, 0, ticketBody)
	body = append(body, hash...)
	body = binary.BigEndian.AppendUint64(body, uint64(exp.Unix()))
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return "", time.Time{}, fmt.Errorf("stream ticket: %w", err)
	}
	body = append(body, nonce...)
	enc := base64.RawURLEncoding
	return ticketPrefix + enc.EncodeToString(body) + "." + enc.EncodeToString(s.ticketMAC(body)), exp, nil
}

// RedeemStreamTicket resolves a ticket to its session's actor, once:
// every failure (malformed, forged, expired, used, the session ended) is
// the same unauthorized. Single use is kept by the rate limiter's record
// of the nonce (Redis; a node's memory while Redis is down). alive answers
// later whether the session still holds (the stream's keep-alive asks).
func (s *Accounts) RedeemStreamTicket(ctx context.Context, ticket, ip string) (a models.Actor, alive func(context.Context) bool, err error) {
	fail := models.Errorf(models.EUNAUTHORIZED, models.MsgUnauthorized)
	body, ok := s.parseTicket(ticket)
	if !ok {
		return models.Actor{}, nil, fail
	}
	exp := time.Unix(int64(binary.BigEndian.Uint64(body[ticketHashLen:])), 0)
	if !s.clock.Now().Before(exp) {
		return models.Actor{}, nil, fail
	}
	nonce := hex.EncodeToString(body[ticketHashLen+8:])
	if _, fresh, _, err := s.throttle.Take(ctx, "stream-ticket:"+nonce, 1, StreamTicketTTL+time.Minute); err != nil {
		return models.Actor{}, nil, err
	} else if !fresh {
		return models.Actor{}, nil, fail
	}
	hash := hex.EncodeToString(body[:ticketHashLen])
	if a, err = s.subject(ctx, hash, ip); err != nil {
		return models.Actor{}, nil, err
	}
	return a, func(ctx context.Context) bool {
		_, err := s.subject(ctx, hash, ip)
		return models.ErrorCode(err) != models.EUNAUTHORIZED
	}, nil
}

// parseTicket checks a ticket's form and signature and returns its body.
func (s *Accounts) parseTicket(ticket string) ([]byte, bool) {
	rest, ok := strings.CutPrefix(ticket, ticketPrefix)
	if !ok || len(ticket) > 200 {
		return nil, false
	}
	b64body, b64mac, ok := strings.Cut(rest, ".")
	if !ok {
		return nil, false
	}
	enc := base64.RawURLEncoding.Strict()
	body, err1 := enc.DecodeString(b64body)
	mac, err2 := enc.DecodeString(b64mac)
	if err1 != nil || err2 != nil || len(body) != ticketBody || !hmac.Equal(mac, s.ticketMAC(body)) {
		return nil, false
	}
	return body, true
}

func (s *Accounts) ticketMAC(body []byte) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("parley stream ticket\x00"))
	m.Write(body)
	return m.Sum(nil)
}
