package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestIdentitySecretConfig: PARLEY_IDENTITY_SECRET must be long enough,
// and when set the runtime signs customers in with it; --demo without it
// keeps a generated one in the data dir.
func TestIdentitySecretConfig(t *testing.T) {
	env := testEnv(t)
	env["PARLEY_IDENTITY_SECRET"] = "short"
	if _, err := runCLI(t, env, "", "migrate"); err == nil || !strings.Contains(err.Error(), "PARLEY_IDENTITY_SECRET") {
		t.Fatalf("a short identity secret: %v", err)
	}
	secret := strings.Repeat("k", 40)
	env["PARLEY_IDENTITY_SECRET"] = secret
	getenv := func(k string) string { return env[k] }
	cfg, err := parseConfig("serve", nil, getenv, serveFlags)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := newRuntime(context.Background(), cfg, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	defer rt.close()
	tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "cfg-1", "jti": "cfg-jti",
		"exp": time.Now().Add(time.Minute).Unix()}).SignedString([]byte(secret))
	if _, c, err := rt.acc.IdentityLogin(context.Background(), tok, "127.0.0.1"); err != nil || c.ExternalID != "cfg-1" {
		t.Fatalf("identity login with the configured secret: %+v %v", c, err)
	}

	demo := map[string]string{"PARLEY_DATA_DIR": t.TempDir()}
	dcfg, err := parseConfig("serve", []string{"--demo"}, func(k string) string { return demo[k] }, serveFlags)
	if err != nil {
		t.Fatal(err)
	}
	drt, err := newRuntime(context.Background(), dcfg, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	defer drt.close()
	if len(drt.cfg.IdentitySecret) < 32 {
		t.Errorf("demo identity secret %q", drt.cfg.IdentitySecret)
	}
}
