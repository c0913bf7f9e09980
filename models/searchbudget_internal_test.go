package models

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"
)

// A statement stopped by its time budget (MariaDB's max_statement_time,
// which only the search sets) is invalid input with the search's message,
// not an outage.
func TestStatementBudgetIsInvalidInput(t *testing.T) {
	raw := os.Getenv("PARLEY_TEST_MYSQL_URL")
	if raw == "" {
		t.Skip("PARLEY_TEST_MYSQL_URL not set")
	}
	cfg, err := ParseDatabaseURL(raw, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open(cfg.Driver, cfg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	err = db.QueryRowContext(context.Background(),
		`SET STATEMENT max_statement_time=0.05 FOR SELECT COUNT(*) FROM seq_1_to_100000000000 WHERE seq % 7 = 3`).Scan(&n)
	if err == nil {
		t.Fatal("a 100-billion-row count finished within 50 ms")
	}
	got := AsError(translate(err))
	if got == nil || got.Code != EINVALID || !strings.Contains(got.Message, "too many conversations") {
		t.Errorf("translate(%v) = %v, want invalid with the search's message", err, got)
	}
}
