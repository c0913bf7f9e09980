package inbox

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// Accounts signs customers and staff in and out and manages staff users.
type Accounts struct {
	store   *models.Store
	pol     *policies.Enforcer
	clock   Clock
	limiter Limiter
	secret  []byte
	ttl     time.Duration
	// Login throttles: attempts per account and per client IP in Window.
	PerAccount, PerIP int
	Window            time.Duration
}

// DefaultTokenTTL is the token lifetime when none is configured.
const DefaultTokenTTL = 30 * 24 * time.Hour

// NewAccounts builds the account service. secret keys the token hashes;
// ttl <= 0 means DefaultTokenTTL.
func NewAccounts(store *models.Store, pol *policies.Enforcer, clock Clock, limiter Limiter, secret []byte, ttl time.Duration) *Accounts {
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	return &Accounts{store: store, pol: pol, clock: clock, limiter: limiter, secret: secret, ttl: ttl,
		PerAccount: 10, PerIP: 100, Window: 15 * time.Minute}
}

// Session is an issued bearer token.
type Session struct {
	Token     string
	ExpiresAt time.Time
}

// dummyHash keeps a login for an unknown account as slow as a real one.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("parley-timing-equalizer"), bcrypt.DefaultCost)

// CustomerLogin checks a customer's e-mail and password and issues a token.
func (s *Accounts) CustomerLogin(ctx context.Context, email, password, ip string) (Session, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if err := s.throttle(ctx, "customer", email, ip); err != nil {
		return Session{}, err
	}
	c, hash, err := s.store.CustomerCredentials(ctx, email)
	if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
		return Session{}, err
	}
	if !checkPassword(hash, password) || err != nil {
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

// CheckStaff checks a staff sign-in, throttled per account and IP, without
// issuing anything: the back office signs in with its own session.
func (s *Accounts) CheckStaff(ctx context.Context, username, password, ip string) (models.Staff, error) {
	username = strings.TrimSpace(username)
	if err := s.throttle(ctx, "staff", username, ip); err != nil {
		return models.Staff{}, err
	}
	st, hash, err := s.store.StaffCredentials(ctx, username)
	if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
		return models.Staff{}, err
	}
	if !checkPassword(hash, password) || err != nil || !st.Active {
		return models.Staff{}, models.Errorf(models.EUNAUTHORIZED, models.MsgUnauthorized)
	}
	return st, nil
}

func checkPassword(hash, password string) bool {
	if hash == "" {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

func (s *Accounts) throttle(ctx context.Context, kind, account, ip string) error {
	for _, k := range []struct {
		key   string
		limit int
	}{{"login:" + kind + ":" + account, s.PerAccount}, {"login:ip:" + ip, s.PerIP}} {
		ok, retry, err := s.limiter.Allow(ctx, k.key, k.limit, s.Window)
		if err != nil {
			return fmt.Errorf("login throttle: %w", err)
		}
		if !ok {
			secs := int((retry + time.Second - 1) / time.Second)
			return &models.Error{Code: models.ERATELIMITED, RetryAfter: max(secs, 1),
				Message: fmt.Sprintf("too many sign-in attempts; try again in %d s", max(secs, 1))}
		}
	}
	return nil
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
	t, err := s.store.LiveToken(ctx, s.hash(token), s.clock.Now())
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
		a, err = s.CustomerActor(ctx, t.SubjectID)
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
	st, err := s.store.StaffMember(ctx, id)
	if models.ErrorCode(err) == models.ENOTFOUND || (err == nil && !st.Active) {
		return models.Actor{}, models.Errorf(models.EUNAUTHORIZED, models.MsgUnauthorized)
	}
	if err != nil {
		return models.Actor{}, err
	}
	return models.Actor{Kind: models.ActorStaff, ID: st.ID, Role: st.Role, Name: st.Username}, nil
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
	a := models.Actor{Kind: models.ActorCustomer, ID: c.ID, Role: models.RoleCustomer, Name: c.Email}
	if c.IsGuest {
		a.Kind, a.Role = models.ActorGuest, models.RoleGuest
	}
	return a, nil
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
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

func (s *Accounts) mayManageStaff(a models.Actor) error {
	if !s.pol.Can(a, "staff", policies.ManageStaff, nil) {
		return models.Errorf(models.EFORBIDDEN, "you may not manage staff")
	}
	return nil
}

// CreateStaff adds a back-office user with one role.
func (s *Accounts) CreateStaff(ctx context.Context, a models.Actor, username, role, email, passwordHash string) (models.Staff, error) {
	if err := s.mayManageStaff(a); err != nil {
		return models.Staff{}, err
	}
	username = strings.TrimSpace(username)
	if n := utf8.RuneCountInString(username); n < 2 || n > 50 || strings.ContainsAny(username, " \t\r\n\"'<>&") {
		return models.Staff{}, models.Errorf(models.EINVALID, "username must be 2 to 50 characters without spaces or quotes")
	}
	if !models.IsStaffRole(role) {
		return models.Staff{}, models.Errorf(models.EINVALID, "role must be one of %s", strings.Join(models.StaffRoles, ", "))
	}
	st := models.Staff{Username: username, Name: username, Role: role, Email: email, CreatedAt: models.Now(s.clock.Now())}
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		if err := tx.InsertStaff(ctx, &st, passwordHash); err != nil {
			if models.ErrorCode(err) == models.ECONFLICT {
				return models.Errorf(models.ECONFLICT, "a staff user named %q already exists", username)
			}
			return err
		}
		return tx.InsertAudit(ctx, auditEntry(a, "staff.create", "staff", st.ID, nil,
			map[string]string{"username": username, "role": role}, st.CreatedAt))
	})
	return st, err
}

// SetStaffPassword replaces a staff user's password (an administrator's
// act, e.g. the CLI) and ends every session and token of that user.
func (s *Accounts) SetStaffPassword(ctx context.Context, a models.Actor, username, passwordHash string) error {
	if err := s.mayManageStaff(a); err != nil {
		return err
	}
	st, _, err := s.store.StaffCredentials(ctx, username)
	if err != nil {
		return models.Errorf(models.ENOTFOUND, "no staff user named %q", username)
	}
	return s.replacePassword(ctx, a, st.ID, passwordHash, "staff.set_password")
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
	_, hash, err := s.store.StaffCredentials(ctx, st.Username)
	if err != nil {
		return err
	}
	if !checkPassword(hash, current) {
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
		if err := tx.RevokeTokensOf(ctx, models.ActorStaff, staffID, now); err != nil {
			return err
		}
		if err := tx.DeleteAdminSessions(ctx, staffID, keep...); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, auditEntry(a, action, "staff", staffID, nil, nil, now))
	})
}

// DeactivateStaff disables a staff user and revokes their API tokens and
// back-office sessions at once.
func (s *Accounts) DeactivateStaff(ctx context.Context, a models.Actor, username string) error {
	if err := s.mayManageStaff(a); err != nil {
		return err
	}
	st, _, err := s.store.StaffCredentials(ctx, username)
	if err != nil {
		return models.Errorf(models.ENOTFOUND, "no staff user named %q", username)
	}
	now := models.Now(s.clock.Now())
	return s.store.InTx(ctx, func(tx *models.Tx) error {
		if err := tx.SetStaffActive(ctx, st.ID, false); err != nil {
			return err
		}
		if err := tx.RevokeTokensOf(ctx, models.ActorStaff, st.ID, now); err != nil {
			return err
		}
		if err := tx.DeleteAdminSessions(ctx, st.ID); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, auditEntry(a, "staff.deactivate", "staff", st.ID,
			map[string]bool{"active": true}, map[string]bool{"active": false}, now))
	})
}

// ListStaff lists the staff users.
func (s *Accounts) ListStaff(ctx context.Context, a models.Actor) ([]models.Staff, error) {
	if err := s.mayManageStaff(a); err != nil {
		return nil, err
	}
	return s.store.ListStaff(ctx)
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
