package storetest

import (
	"os"
	"testing"
)

// FreshMySQLURL returns the mysql:// URL of a new, empty database (dropped
// when the test ends), or "" when PARLEY_TEST_MYSQL_URL is not set.
func FreshMySQLURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("PARLEY_TEST_MYSQL_URL")
	if u == "" {
		return ""
	}
	return freshMySQL(tb, u)
}

// RedisURL returns PARLEY_TEST_REDIS_URL ("" for the in-process Redis).
func RedisURL() string { return os.Getenv("PARLEY_TEST_REDIS_URL") }
