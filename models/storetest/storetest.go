// Package storetest gives tests real backends: a fresh SQLite store always,
// a fresh MySQL database too when PARLEY_TEST_MYSQL_URL is set, and Redis
// from PARLEY_TEST_REDIS_URL or an in-process miniredis.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/migrations"
	"github.com/parleyhq/parley/models"
)

// Backend names one database a test runs against.
type Backend struct {
	Name string
	url  string // "" for SQLite
}

// Backends lists SQLite, and MySQL when PARLEY_TEST_MYSQL_URL is set.
func Backends() []Backend {
	b := []Backend{{Name: "sqlite"}}
	if u := os.Getenv("PARLEY_TEST_MYSQL_URL"); u != "" {
		b = append(b, Backend{Name: "mysql", url: u})
	}
	return b
}

// Each runs f as a subtest for every backend with a fresh, migrated store.
func Each(t *testing.T, f func(t *testing.T, s *models.Store)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) { f(t, Open(t, b)) })
	}
}

// Open makes a fresh, migrated store on the backend, removed when the test ends.
func Open(tb testing.TB, b Backend) *models.Store {
	tb.Helper()
	ctx := context.Background()
	var cfg models.DB
	var err error
	if b.url == "" {
		cfg, err = models.ParseDatabaseURL("", tb.TempDir())
	} else {
		cfg, err = models.ParseDatabaseURL(freshMySQL(tb, b.url), "")
	}
	if err != nil {
		tb.Fatalf("database url: %v", err)
	}
	s, err := models.Open(ctx, cfg)
	if err != nil {
		tb.Fatalf("open %s: %v", b.Name, err)
	}
	tb.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx, migrations.FS); err != nil {
		tb.Fatalf("migrate %s: %v", b.Name, err)
	}
	return s
}

// freshMySQL creates a uniquely named database next to the one in raw and
// drops it when the test ends.
func freshMySQL(tb testing.TB, raw string) string {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatalf("PARLEY_TEST_MYSQL_URL: %v", err)
	}
	name := strings.TrimPrefix(u.Path, "/") + "_" + randomHex(4)
	admin := *u
	admin.Path = "/" + strings.TrimPrefix(u.Path, "/")
	cfg, err := models.ParseDatabaseURL(admin.String(), "")
	if err != nil {
		tb.Fatalf("PARLEY_TEST_MYSQL_URL: %v", err)
	}
	db, err := sql.Open("mysql", cfg.DSN)
	if err != nil {
		tb.Fatalf("mysql: %v", err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		db, err := sql.Open("mysql", cfg.DSN)
		if err == nil {
			db.Exec("DROP DATABASE IF EXISTS `" + name + "`")
			db.Close()
		}
	})
	u.Path = "/" + name
	return u.String()
}

// Redis returns a client on PARLEY_TEST_REDIS_URL, or on a fresh miniredis,
// and a key prefix unique to the test so runs never share keys.
func Redis(tb testing.TB) (redis.UniversalClient, string) {
	tb.Helper()
	prefix := "test:" + randomHex(6) + ":"
	if u := os.Getenv("PARLEY_TEST_REDIS_URL"); u != "" {
		opt, err := redis.ParseURL(u)
		if err != nil {
			tb.Fatalf("PARLEY_TEST_REDIS_URL: %v", err)
		}
		c := redis.NewClient(opt)
		tb.Cleanup(func() { c.Close() })
		return c, prefix
	}
	mr := miniredis.NewMiniRedis()
	mr.ClockTTL(true)
	if err := mr.Start(); err != nil {
		tb.Fatalf("miniredis: %v", err)
	}
	tb.Cleanup(mr.Close)
	c := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	tb.Cleanup(func() { c.Close() })
	return c, prefix
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
