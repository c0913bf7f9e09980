package inbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/models"
)

// Integration keys authenticate the shop's systems on /api/v1/integration.
// A key is "pk_" and 43 characters of randomness; only its SHA-256 is
// stored (it is random enough that no secret or slow hash is needed, and a
// change of PARLEY_SECRET leaves keys working). A key is never a customer
// or staff token (those start "pt_"), so neither door accepts the other's.

// APIKeyPrefix starts every integration key.
const APIKeyPrefix = "pk_"

func apiKeyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// validKeyName limits key names to [a-z0-9._-]{1,100}.
func validKeyName(n string) bool {
	if n == "" || len(n) > 100 {
		return false
	}
	for _, r := range n {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// CreateAPIKey makes an integration key named name and returns it: the
// only time it is ever shown.
func (s *Accounts) CreateAPIKey(ctx context.Context, a models.Actor, name string) (string, models.APIKey, error) {
	if a.Kind != models.ActorSystem {
		return "", models.APIKey{}, models.Errorf(models.EFORBIDDEN, "only the command line makes integration keys")
	}
	name = strings.TrimSpace(name)
	if !validKeyName(name) {
		return "", models.APIKey{}, models.Errorf(models.EINVALID, "key name must be 1 to 100 characters, each a-z, 0-9, '.', '_' or '-' (got %q)", name)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", models.APIKey{}, fmt.Errorf("api key: %w", err)
	}
	key := APIKeyPrefix + base64.RawURLEncoding.EncodeToString(raw)
	now := models.Now(s.clock.Now())
	var k models.APIKey
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		var err error
		if k, err = tx.InsertAPIKey(ctx, name, apiKeyHash(key), now); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, auditEntry(a, "apikey.create", "api_key", k.ID, nil, map[string]string{"name": name}, now))
	})
	if err != nil {
		return "", models.APIKey{}, err
	}
	return key, k, nil
}

// RevokeAPIKey revokes the live key(s) with that name or id at once.
func (s *Accounts) RevokeAPIKey(ctx context.Context, a models.Actor, nameOrID string) error {
	if a.Kind != models.ActorSystem {
		return models.Errorf(models.EFORBIDDEN, "only the command line revokes integration keys")
	}
	now := models.Now(s.clock.Now())
	return s.store.InTx(ctx, func(tx *models.Tx) error {
		n, err := tx.RevokeAPIKey(ctx, strings.TrimSpace(nameOrID), now)
		if err != nil {
			return err
		}
		if n == 0 {
			return models.Errorf(models.ENOTFOUND, "no live integration key named %q", nameOrID)
		}
		return tx.InsertAudit(ctx, auditEntry(a, "apikey.revoke", "api_key", 0, nil, map[string]string{"key": nameOrID}, now))
	})
}

// ListAPIKeys lists the integration keys (never the keys themselves).
func (s *Accounts) ListAPIKeys(ctx context.Context, a models.Actor) ([]models.APIKey, error) {
	if a.Kind != models.ActorSystem {
		return nil, models.Errorf(models.EFORBIDDEN, "only the command line lists integration keys")
	}
	return s.store.APIKeys(ctx)
}

// AuthenticateIntegration resolves an integration key to the system actor
// the integration API runs as (named after the key, for the audit log).
// Every failure is the same unauthorized.
func (s *Accounts) AuthenticateIntegration(ctx context.Context, key, ip string) (models.Actor, error) {
	fail := models.Errorf(models.EUNAUTHORIZED, models.MsgUnauthorized)
	if !strings.HasPrefix(key, APIKeyPrefix) || len(key) > 100 {
		return models.Actor{}, fail
	}
	k, err := s.store.LiveAPIKey(ctx, apiKeyHash(key))
	if err != nil {
		if c := models.ErrorCode(err); c == models.ENOTFOUND || c == models.EUNAUTHORIZED {
			return models.Actor{}, fail
		}
		return models.Actor{}, err
	}
	_ = s.store.TouchAPIKey(ctx, k.ID, models.Now(s.clock.Now())) // best effort
	return models.Actor{Kind: models.ActorSystem, Role: models.RoleSystem, ID: k.ID, Name: "apikey:" + k.Name, IP: ip}, nil
}
