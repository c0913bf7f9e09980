package inbox

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// Accounts signs customers and staff in and out and manages staff users.
type Accounts struct {
	store    *models.Store
	pol      *policies.Enforcer
	clock    Clock
	throttle Throttle
	secret   []byte
	ttl      time.Duration
	compare  func(hash, password []byte) error

	// Sign-in throttles: failed attempts counted in Window (an attempt that
	// succeeds costs nothing). PerAccount is one account from one client
	// address — tight, and it leaves the account alone elsewhere, so a guesser
	// cannot lock a user out of their own place; PerIP is one address over
	// all accounts; PerAccountAnywhere is one account from every address
	// together, much higher, against guessing spread over many addresses.
	// A found account is counted by its id, whatever spelling found it; an
	// unknown one by its normalised name.
	PerAccount, PerIP, PerAccountAnywhere int
	Window                                time.Duration

	// Issue 7: signed identity tokens (inbox/identity.go) and the
	// password-reset mail (inbox/identity_password.go).
	identitySecret []byte
	resetMailer    ResetMailer
}

// Throttle is what the sign-in throttles need of the rate limiter: a
// sliding window (see Limiter) whose hits can be given back, so that only
// failed attempts count.
type Throttle interface {
	Take(ctx context.Context, key string, limit int, window time.Duration) (ticket string, ok bool, retryAfter time.Duration, err error)
	Return(ctx context.Context, key, ticket string) error
}

// allowOnly is a Limiter as a Throttle whose hits are never given back.
type allowOnly struct{ Limiter }

func (a allowOnly) Take(ctx context.Context, key string, limit int, window time.Duration) (string, bool, time.Duration, error) {
	ok, retry, err := a.Allow(ctx, key, limit, window)
	return "", ok, retry, err
}

func (allowOnly) Return(context.Context, string, string) error { return nil }

// DefaultTokenTTL is the token lifetime when none is configured.
const DefaultTokenTTL = 30 * 24 * time.Hour

// Default sign-in throttles (see Accounts).
const (
	DefaultPerAccount         = 10
	DefaultPerIP              = 100
	DefaultPerAccountAnywhere = 200
	DefaultThrottleWindow     = 15 * time.Minute
)

// NewAccounts builds the account service. The limiter should be a Throttle
// (ratelimit.Limiter is); a plain Limiter counts successful sign-ins too.
// secret keys the token hashes; ttl <= 0 means DefaultTokenTTL.
func NewAccounts(store *models.Store, pol *policies.Enforcer, clock Clock, limiter Limiter, secret []byte, ttl time.Duration) *Accounts {
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	throttle, ok := limiter.(Throttle)
	if !ok {
		throttle = allowOnly{limiter}
	}
	return &Accounts{store: store, pol: pol, clock: clock, throttle: throttle, secret: secret, ttl: ttl,
		compare: bcrypt.CompareHashAndPassword, PerAccount: DefaultPerAccount, PerIP: DefaultPerIP,
		PerAccountAnywhere: DefaultPerAccountAnywhere, Window: DefaultThrottleWindow}
}

// Session is an issued bearer token.
type Session struct {
	Token     string
	ExpiresAt time.Time
}

// HashCost is the bcrypt cost of every password hash Parley makes.
const HashCost = bcrypt.DefaultCost

// dummyHash is what an attempt on an account without a password hash (none
// found, none set) is checked against: a hash of the same cost as a real
// one, so such an attempt costs the same work.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("parley-timing-equalizer"), HashCost)

// CustomerLogin checks a customer's e-mail and password and issues a token.
func (s *Accounts) CustomerLogin(ctx context.Context, email, password, ip string) (Session, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var c models.Customer
	ok, err := s.attempt(ctx, "customer", email, ip, password, func(ctx context.Context) (credentials, error) {
		var hash string
		var err error
		c, hash, err = s.store.CustomerCredentials(ctx, email)
		return credentials{id: c.ID, hash: hash, active: true}, err
	})
	if err != nil {
		return Session{}, err
	}
	if !ok {
		return Session{}, models.Errorf(models.EUNAUTHORIZED, models.MsgUnauthorized)
	}
	return s.issue(ctx, models.ActorCustomer, c.ID)
}

// StaffLogin checks a staff user's username and password (the same
// goadmin_users credentials as the back-office login) and issues a token.
func (s *Accounts) StaffLogin(ctx context.Context, username, password, ip string) (Session, error) {
	st, err := s.CheckStaff(ctx, username, password, ip)
	if err != nil {
		return Session{}, err
	}
	return s.issue(ctx, models.ActorStaff, st.ID)
}

// CheckStaff checks a staff sign-in under the sign-in throttles, without
// issuing anything: the back office signs in with its own session.
func (s *Accounts) CheckStaff(ctx context.Context, username, password, ip string) (models.Staff, error) {
	username = strings.TrimSpace(username)
	var st models.Staff
	ok, err := s.attempt(ctx, "staff", username, ip, password, func(ctx context.Context) (credentials, error) {
		var hash string
		var err error
		st, hash, err = s.store.StaffCredentials(ctx, username)
		return credentials{id: st.ID, hash: hash, active: st.Active}, err
	})
	if err != nil {
		return models.Staff{}, err
	}
	if !ok {
		return models.Staff{}, models.Errorf(models.EUNAUTHORIZED, models.MsgUnauthorized)
	}
	return st, nil
}

// credentials is what a sign-in attempt checks: the account found by the
// name given, its password hash ("" for none) and whether it may sign in.
type credentials struct {
	id     int64
	hash   string
	active bool
}

// throttleHit is one hit taken from a throttle.
type throttleHit struct{ key, ticket string }

// attempt runs one password check under the sign-in throttles: the client
// address first (an address over its bound costs nothing more, not even a
// lookup), then the account — by id once found, by its normalised name when
// not — from that address and from everywhere. The password is checked at
// the same cost whether the account exists or not, and the hits are given
// back when it is right. ok is false for every wrong credential alike.
func (s *Accounts) attempt(ctx context.Context, kind, name, ip, password string, lookup func(context.Context) (credentials, error)) (ok bool, err error) {
	taken, err := s.take(ctx, nil, throttleHit{key: "login:ip:" + ip}, s.PerIP)
	if err != nil {
		return false, err
	}
	cr, err := lookup(ctx)
	found := err == nil
	if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
		s.giveBack(ctx, taken)
		return false, err
	}
	if !found {
		cr = credentials{}
	}
	account := "login:" + kind + ":" + accountKey(cr.id, found, name)
	if taken, err = s.take(ctx, taken, throttleHit{key: account + ":ip:" + ip}, s.PerAccount); err != nil {
		return false, err
	}
	if taken, err = s.take(ctx, taken, throttleHit{key: account}, s.PerAccountAnywhere); err != nil {
		return false, err
	}
	if !s.checkPassword(cr.hash, password) || !found || !cr.active {
		return false, nil
	}
	s.giveBack(ctx, taken)
	return true, nil
}

// accountKey names an account in the throttles: its id once found, so
// every spelling the database matches to it (case, accents, trailing
// spaces under MariaDB's collation) shares one throttle; the normalised
// name for an account that does not exist.
func accountKey(id int64, found bool, name string) string {
	if found {
		return "id:" + strconv.FormatInt(id, 10)
	}
	name = strings.ToLower(strings.TrimSpace(name))
	if len(name) > 64 {
		sum := sha256.Sum256([]byte(name))
		name = "sha256:" + hex.EncodeToString(sum[:])
	}
	return "name:" + name
}

// take takes one hit of the throttle h.key after the hits already taken.
// When it is refused, the hits taken are given back (a refused attempt
// costs nothing and checks nothing) and the refusal says when to retry.
func (s *Accounts) take(ctx context.Context, taken []throttleHit, h throttleHit, limit int) ([]throttleHit, error) {
	ticket, ok, retry, err := s.throttle.Take(ctx, h.key, limit, s.Window)
	if err != nil {
		s.giveBack(ctx, taken)
		return nil, fmt.Errorf("sign-in throttle: %w", err)
	}
	if !ok {
		s.giveBack(ctx, taken)
		return nil, throttled(retry)
	}
	h.ticket = ticket
	return append(taken, h), nil
}

func (s *Accounts) giveBack(ctx context.Context, taken []throttleHit) {
	for _, h := range taken {
		s.throttle.Return(ctx, h.key, h.ticket) // best effort: a hit not given back expires
	}
}

// throttled is the refusal of a throttled attempt, saying when to retry.
func throttled(retry time.Duration) *models.Error {
	secs := max(int((retry+time.Second-1)/time.Second), 1)
	when := fmt.Sprintf("%d seconds", secs)
	switch mins := (secs + 59) / 60; {
	case secs == 1:
		when = "1 second"
	case secs > 60:
		when = fmt.Sprintf("%d minutes", mins)
	}
	return &models.Error{Code: models.ERATELIMITED, RetryAfter: secs,
		Message: "too many failed sign-in attempts; try again in " + when}
}

// checkPassword compares a password with a bcrypt hash, or with dummyHash
// when there is none, so that both cost one comparison at HashCost.
func (s *Accounts) checkPassword(hash, password string) bool {
	if hash == "" {
		s.compare(dummyHash, []byte(password))
		return false
	}
	return s.compare([]byte(hash), []byte(password)) == nil
}

func (s *Accounts) issue(ctx context.Context, kind models.ActorKind, id int64) (Session, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Session{}, fmt.Errorf("token: %w", err)
	}
	token := "pt_" + base64.RawURLEncoding.EncodeToString(raw)
	now := models.Now(s.clock.Now())
	exp := now.Add(s.ttl)
	if err := s.store.InsertToken(ctx, s.hash(token), kind, id, now, exp); err != nil {
		return Session{}, err
	}
	return Session{Token: token, ExpiresAt: exp}, nil
}

func (s *Accounts) hash(token string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// Authenticate resolves a bearer token to its actor. Every failure (no such
// token, expired, revoked, deactivated staff) is the same unauthorized.
func (s *Accounts) Authenticate(ctx context.Context, token, ip string) (models.Actor, error) {
	fail := models.Errorf(models.EUNAUTHORIZED, models.MsgUnauthorized)
	if !strings.HasPrefix(token, "pt_") || len(token) > 100 {
		return models.Actor{}, fail
	}
	return s.subject(ctx, s.hash(token), ip)
}

// subject resolves a live token's stored hash to its actor.
func (s *Accounts) subject(ctx context.Context, hash, ip string) (models.Actor, error) {
	fail := models.Errorf(models.EUNAUTHORIZED, models.MsgUnauthorized)
	// The token and, for a customer's or guest's, its customer in one
	// statement (the send path's first round trip).
	t, err := s.store.LiveTokenSubject(ctx, hash, s.clock.Now())
	if err != nil {
		if c := models.ErrorCode(err); c == models.ENOTFOUND || c == models.EUNAUTHORIZED {
			return models.Actor{}, fail
		}
		return models.Actor{}, err
	}
	var a models.Actor
	switch t.SubjectType {
	case models.ActorStaff:
		a, err = s.StaffActor(ctx, t.SubjectID)
	case models.ActorCustomer, models.ActorGuest:
		if !t.Found {
			return models.Actor{}, fail
		}
		a = customerActor(t.SubjectID, t.Email, t.IsGuest)
	default:
		return models.Actor{}, fail
	}
	if err != nil {
		return models.Actor{}, err
	}
	a.IP = ip
	return a, nil
}

// StaffActor builds the actor of an active staff user (API tokens and
// back-office sessions alike).
func (s *Accounts) StaffActor(ctx context.Context, id int64) (models.Actor, error) {
	a, _, err := s.StaffSignedIn(ctx, id)
	return a, err
}

// StaffSignedIn is StaffActor with the staff member's row (the back
// office's header shows their name).
func (s *Accounts) StaffSignedIn(ctx context.Context, id int64) (models.Actor, models.Staff, error) {
	st, err := s.store.StaffMember(ctx, id)
	if models.ErrorCode(err) == models.ENOTFOUND || (err == nil && !st.Active) {
		return models.Actor{}, models.Staff{}, models.Errorf(models.EUNAUTHORIZED, models.MsgUnauthorized)
	}
	if err != nil {
		return models.Actor{}, models.Staff{}, err
	}
	return models.Actor{Kind: models.ActorStaff, ID: st.ID, Role: st.Role, Name: st.Username}, st, nil
}

// CustomerActor builds the actor of a customer or guest.
func (s *Accounts) CustomerActor(ctx context.Context, id int64) (models.Actor, error) {
	c, err := s.store.Customer(ctx, id)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return models.Actor{}, models.Errorf(models.EUNAUTHORIZED, models.MsgUnauthorized)
	}
	if err != nil {
		return models.Actor{}, err
	}
	return customerActor(c.ID, c.Email, c.IsGuest), nil
}

// customerActor is the actor of a customer or guest.
func customerActor(id int64, email string, guest bool) models.Actor {
	a := models.Actor{Kind: models.ActorCustomer, ID: id, Role: models.RoleCustomer, Name: email}
	if guest {
		a.Kind, a.Role = models.ActorGuest, models.RoleGuest
	}
	return a
}

// Logout revokes a token; an unknown token is not an error.
func (s *Accounts) Logout(ctx context.Context, token string) error {
	return s.store.RevokeToken(ctx, s.hash(token), models.Now(s.clock.Now()))
}

// HashPassword checks a new password (8 to 72 bytes) and hashes it.
func HashPassword(password string) (string, error) {
	if utf8.RuneCountInString(password) < 8 {
		return "", models.Errorf(models.EINVALID, "password must be at least 8 characters")
	}
	if len(password) > 72 {
		return "", models.Errorf(models.EINVALID, "password must be at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), HashCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// ChangeOwnPassword is a signed-in staff member changing their own
// password: the current one must be right. Every other session and token of
// theirs ends; keepSID names the back-office session to keep ("" for none).
func (s *Accounts) ChangeOwnPassword(ctx context.Context, a models.Actor, current, next, keepSID string) error {
	if !a.IsStaff() {
		return models.Errorf(models.EFORBIDDEN, "only staff change a staff password")
	}
	st, err := s.store.StaffMember(ctx, a.ID)
	if err != nil {
		return err
	}
	// Guessing the current password through a stolen session is throttled
	// like a sign-in of that account from that address.
	ok, err := s.attempt(ctx, "staff", st.Username, a.IP, current, func(ctx context.Context) (credentials, error) {
		found, hash, err := s.store.StaffCredentials(ctx, st.Username)
		if err == nil && found.ID != st.ID {
			return credentials{}, fmt.Errorf("staff %q is user %d, not %d", st.Username, found.ID, st.ID)
		}
		return credentials{id: st.ID, hash: hash, active: true}, err
	})
	if err != nil {
		return err
	}
	if !ok {
		return models.Errorf(models.EINVALID, "the current password is not right")
	}
	h, err := HashPassword(next)
	if err != nil {
		return err
	}
	var keep []string
	if keepSID != "" {
		keep = append(keep, keepSID)
	}
	return s.replacePassword(ctx, a, st.ID, h, "staff.change_password", keep...)
}

// replacePassword stores a new hash and ends the user's tokens and every
// back-office session but keep, in one transaction.
func (s *Accounts) replacePassword(ctx context.Context, a models.Actor, staffID int64, hash, action string, keep ...string) error {
	now := models.Now(s.clock.Now())
	return s.store.InTx(ctx, func(tx *models.Tx) error {
		if err := tx.SetStaffPassword(ctx, staffID, hash, now); err != nil {
			return err
		}
		if err := endAccess(ctx, tx, staffID, now, keep...); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, auditEntry(a, action, "staff", staffID, nil, nil, now))
	})
}

// CreateCustomer registers a customer (passwordHash "" for none).
func (s *Accounts) CreateCustomer(ctx context.Context, email, name, passwordHash string) (models.Customer, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if !strings.Contains(email, "@") || len(email) > 254 {
		return models.Customer{}, models.Errorf(models.EINVALID, "%q is not an e-mail address", email)
	}
	c := models.Customer{Email: email, Name: strings.TrimSpace(name), CreatedAt: models.Now(s.clock.Now())}
	if err := s.store.InsertCustomer(ctx, &c, passwordHash); err != nil {
		if models.ErrorCode(err) == models.ECONFLICT {
			return c, models.Errorf(models.ECONFLICT, "a customer with e-mail %s already exists", email)
		}
		return c, err
	}
	return c, nil
}
