package models_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

// sessionExecuted is the session's count of prepared statements executed
// (MySQL); the store runs on one connection, so the session is its.
func sessionExecuted(t *testing.T, st *models.Store) int {
	t.Helper()
	var name string
	var n int
	if err := st.DB.QueryRow(`SHOW SESSION STATUS LIKE 'Com_stmt_execute'`).Scan(&name, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// addOutbox writes an outbox row in a transaction through a prepared
// statement of the send's path.
func addOutbox(t *testing.T, st *models.Store, n int) {
	t.Helper()
	ctx := context.Background()
	err := st.InTx(ctx, func(tx *models.Tx) error {
		return tx.InsertOutbox(ctx, "test:prepared", fmt.Sprintf(`{"n":%d}`, n), models.Now(time.Now()))
	})
	if err != nil {
		t.Fatalf("outbox row %d: %v", n, err)
	}
}

func outboxPayloads(t *testing.T, st *models.Store) string {
	t.Helper()
	items, err := st.PendingOutbox(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out string
	for _, it := range items {
		out += it.Payload
	}
	return out
}

// The send path's statements are prepared once on MySQL and then executed
// as prepared statements, in and out of transactions; a statement first met
// in a transaction is prepared after it, on a pool of one connection
// (preparing inside would wait for a second connection forever). SQLite
// runs them as they are.
func TestPreparedStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		st.DB.SetMaxOpenConns(1)
		mysql := st.Config.Dialect == models.MySQL
		addOutbox(t, st, 1) // unprepared, then prepared
		if n, want := models.PreparedStatements(st), map[bool]int{true: 1, false: 0}[mysql]; n != want {
			t.Fatalf("%d statements prepared after the first transaction, want %d", n, want)
		}
		var before int
		if mysql {
			before = sessionExecuted(t, st)
		}
		addOutbox(t, st, 2)
		addOutbox(t, st, 3)
		if err := st.InsertOutbox(ctx, "test:prepared", `{"n":4}`, models.Now(time.Now())); err != nil {
			t.Fatal(err)
		}
		if mysql {
			if got := sessionExecuted(t, st) - before; got != 3 {
				t.Errorf("%d prepared executions for three inserts, want 3", got)
			}
			if models.PreparedStatements(st) != 1 {
				t.Errorf("%d statements prepared for one text, want 1", models.PreparedStatements(st))
			}
		}
		if got, want := outboxPayloads(t, st), `{"n":1}{"n":2}{"n":3}{"n":4}`; got != want {
			t.Errorf("outbox %s, want %s", got, want)
		}
	})
}

// killSession ends the store's one connection from another session.
func killSession(t *testing.T, st *models.Store, other *sql.DB) {
	t.Helper()
	var id int64
	if err := st.DB.QueryRow(`SELECT CONNECTION_ID()`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(fmt.Sprintf("KILL %d", id)); err != nil {
		t.Fatal(err)
	}
}

// oneConnectionStore is a fresh MySQL store on one connection, with a
// second pool on the same database to act on it from outside.
func oneConnectionStore(t *testing.T) (*models.Store, *sql.DB) {
	bs := storetest.Backends()
	if len(bs) < 2 {
		t.Skip("PARLEY_TEST_MYSQL_URL not set")
	}
	st := storetest.Open(t, bs[1])
	st.DB.SetMaxOpenConns(1)
	other, err := sql.Open(st.Config.Driver, st.Config.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return st, other
}

// A connection the server dropped takes its prepared statements with it:
// the next transaction runs on a new connection and prepares there.
func TestPreparedStatementsSurviveKilledConnection(t *testing.T) {
	st, other := oneConnectionStore(t)
	addOutbox(t, st, 1)
	addOutbox(t, st, 2) // prepared on this connection
	killSession(t, st, other)
	addOutbox(t, st, 3) // a new connection, prepared again
	if got := sessionExecuted(t, st); got != 1 {
		t.Errorf("the new session executed %d prepared statements, want 1", got)
	}
	if got, want := outboxPayloads(t, st), `{"n":1}{"n":2}{"n":3}`; got != want {
		t.Errorf("outbox %s, want %s", got, want)
	}
}

// When the server refuses to prepare (max_prepared_stmt_count reached,
// error 1461) a statement already kept runs unprepared on a connection
// that cannot prepare it, and nothing is lost. The limit is server-wide
// and every client's prepares fail while it is 0, so this runs only when
// PARLEY_TEST_MYSQL_ALONE=1 says nothing else uses the server (.ci/run
// runs it after the suites).
func TestPreparedStatementsRefused(t *testing.T) {
	if os.Getenv("PARLEY_TEST_MYSQL_ALONE") != "1" {
		t.Skip("PARLEY_TEST_MYSQL_ALONE=1 not set: this test changes a server-wide limit")
	}
	st, other := oneConnectionStore(t)
	addOutbox(t, st, 1)
	addOutbox(t, st, 2) // prepared on this connection
	var limit int
	if err := other.QueryRow(`SELECT @@GLOBAL.max_prepared_stmt_count`).Scan(&limit); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(`SET GLOBAL max_prepared_stmt_count = 0`); err != nil {
		t.Fatal(err)
	}
	restore := func() {
		if _, err := other.Exec(fmt.Sprintf(`SET GLOBAL max_prepared_stmt_count = %d`, limit)); err != nil {
			t.Errorf("restore max_prepared_stmt_count: %v", err)
		}
	}
	defer restore()
	killSession(t, st, other)
	addOutbox(t, st, 3) // a new connection may not prepare: unprepared
	addOutbox(t, st, 4)
	if got := sessionExecuted(t, st); got != 0 {
		t.Errorf("%d prepared executions with preparing refused, want 0", got)
	}
	if got, want := outboxPayloads(t, st), `{"n":1}{"n":2}{"n":3}{"n":4}`; got != want {
		t.Errorf("outbox %s, want %s", got, want)
	}
}
