package main

import (
	"context"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// TestAPIKeyCommands: create prints the key once as the last line, the
// store keeps only its hash, list shows it without the key, revoke ends it.
func TestAPIKeyCommands(t *testing.T) {
	env := testEnv(t)
	out, err := runCLI(t, env, "", "apikey", "create", "--name", "shop")
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	key := lines[len(lines)-1]
	if !strings.HasPrefix(key, inbox.APIKeyPrefix) || len(key) < 40 {
		t.Fatalf("last line %q is not a key:\n%s", key, out)
	}
	if _, err := runCLI(t, env, "", "apikey", "create", "--name", "shop"); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a second live key of one name: %v", err)
	}
	cfg, err := parseConfig("test", nil, func(k string) string { return env[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := newRuntime(context.Background(), cfg, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	defer rt.close()
	var stored int
	rt.store.DB.QueryRow(`SELECT COUNT(*) FROM api_keys WHERE key_hash = ? OR name = ?`, key, key).Scan(&stored)
	if stored != 0 {
		t.Error("the key itself is stored")
	}
	a, err := rt.acc.AuthenticateIntegration(context.Background(), key, "127.0.0.1")
	if err != nil || a.Kind != models.ActorSystem || a.Name != "apikey:shop" {
		t.Fatalf("the new key does not authenticate: %+v %v", a, err)
	}
	list, err := runCLI(t, env, "", "apikey", "list")
	if err != nil || !strings.Contains(list, "shop") || strings.Contains(list, key) {
		t.Errorf("list: %v\n%s", err, list)
	}
	if out, err := runCLI(t, env, "", "apikey", "revoke", "shop"); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %q %v", out, err)
	}
	if _, err := rt.acc.AuthenticateIntegration(context.Background(), key, "127.0.0.1"); models.ErrorCode(err) != models.EUNAUTHORIZED {
		t.Errorf("a revoked key: %v", err)
	}
	if _, err := runCLI(t, env, "", "apikey", "revoke", "shop"); err == nil {
		t.Error("revoking twice succeeded")
	}
	if _, err := runCLI(t, env, "", "apikey", "create", "--name", "Bad Name"); err == nil {
		t.Error("a key name with spaces was accepted")
	}
}
