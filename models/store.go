package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

// Dialect is the SQL flavour of a store.
type Dialect string

// The supported dialects.
const (
	SQLite Dialect = "sqlite"
	MySQL  Dialect = "mysql"
)

// DB describes how to reach a database: the dialect, the driver name and the
// DSN. GoAdmin opens its own pool from the same values.
type DB struct {
	Dialect Dialect
	Driver  string
	DSN     string
	// Path is the SQLite file; MySQL fields are filled for MySQL.
	Path                               string
	Host, Port, User, Password, DBName string
	Params                             string
}

// SQLiteDriverName is the name modernc's driver is registered under. GoAdmin
// opens "sqlite3"; Parley registers the pure-Go driver under that name (see
// RegisterSQLite) so the embedded default needs no C compiler.
const SQLiteDriverName = "sqlite3"

// RegisterSQLite registers modernc.org/sqlite as "sqlite3" once per process.
// database/sql keeps drivers in a process-wide registry; this is its only use.
func RegisterSQLite() {
	for _, d := range sql.Drivers() {
		if d == SQLiteDriverName {
			return
		}
	}
	sql.Register(SQLiteDriverName, &sqlite.Driver{})
}

// ParseDatabaseURL turns PARLEY_DATABASE_URL into a DB. An empty URL means a
// SQLite file parley.db in dataDir. Accepted: mysql://user:pass@host:3306/db
// and sqlite:///abs/path.db (or sqlite://relative.db).
func ParseDatabaseURL(raw, dataDir string) (DB, error) {
	if raw == "" {
		return sqliteDB(filepath.Join(dataDir, "parley.db")), nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return DB{}, fmt.Errorf("parse database url: %w", err)
	}
	switch u.Scheme {
	case "sqlite", "sqlite3", "file":
		p := u.Host + u.Path
		if p == "" {
			p = u.Opaque
		}
		if p == "" {
			return DB{}, fmt.Errorf("database url %q names no file", raw)
		}
		return sqliteDB(p), nil
	case "mysql":
		cfg := mysql.NewConfig()
		cfg.Net = "tcp"
		cfg.Addr = u.Host
		if u.Port() == "" {
			cfg.Addr = u.Hostname() + ":3306"
		}
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
		cfg.DBName = strings.TrimPrefix(u.Path, "/")
		if cfg.DBName == "" {
			return DB{}, fmt.Errorf("database url %q names no database", redact(u))
		}
		cfg.ParseTime = true
		cfg.Loc = time.UTC
		cfg.Collation = "utf8mb4_unicode_ci"
		cfg.Params = map[string]string{"charset": "utf8mb4", "time_zone": "'+00:00'"}
		// Arguments are interpolated by the driver (utf8mb4 is one of the
		// character sets it escapes safely): one round trip per statement
		// instead of prepare, execute and close — two thirds of the
		// statements MariaDB handled on a customer's send (bench/send).
		// ?interpolateParams=false turns it off.
		cfg.InterpolateParams = true
		for k, v := range u.Query() {
			if k == "interpolateParams" {
				cfg.InterpolateParams = v[0] != "false" && v[0] != "0"
				continue
			}
			cfg.Params[k] = v[0]
		}
		host, port := u.Hostname(), u.Port()
		if port == "" {
			port = "3306"
		}
		return DB{
			Dialect: MySQL, Driver: "mysql", DSN: cfg.FormatDSN(),
			Host: host, Port: port, User: cfg.User, Password: cfg.Passwd, DBName: cfg.DBName,
			Params: "charset=utf8mb4&collation=utf8mb4_unicode_ci&parseTime=true&loc=UTC",
		}, nil
	}
	return DB{}, fmt.Errorf("database url %q: unsupported scheme %q (use mysql:// or sqlite://)", redact(u), u.Scheme)
}

func redact(u *url.URL) string {
	if u.User == nil {
		return u.String()
	}
	c := *u
	c.User = url.User(u.User.Username())
	return c.String()
}

func sqliteDB(path string) DB {
	// WAL + busy timeout for the two pools (Parley's and GoAdmin's) on one
	// file; IMMEDIATE transactions take the write lock up front, so two
	// writers queue instead of failing on a lock upgrade.
	q := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"
	return DB{Dialect: SQLite, Driver: SQLiteDriverName, DSN: "file:" + path + "?" + q, Path: path}
}

// Store is Parley's SQL store. Its query methods come from Queries; InTx
// runs a function in a transaction.
type Store struct {
	Queries
	DB     *sql.DB
	Config DB
}

// Open connects to the database and checks it answers.
func Open(ctx context.Context, cfg DB) (*Store, error) {
	if cfg.Dialect == SQLite {
		RegisterSQLite()
	}
	db, err := sql.Open(cfg.Driver, cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", cfg.Dialect, err)
	}
	if cfg.Dialect == SQLite {
		db.SetMaxOpenConns(4)
	} else {
		db.SetMaxOpenConns(50)
		db.SetMaxIdleConns(25)
		db.SetConnMaxLifetime(30 * time.Minute)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", cfg.Dialect, err)
	}
	q := Queries{q: db, d: cfg.Dialect}
	if cfg.Dialect == MySQL {
		q.stmts = newStmtCache(db)
	}
	return &Store{Queries: q, DB: db, Config: cfg}, nil
}

// Close closes the prepared statements and the pool.
func (s *Store) Close() error {
	if s.stmts != nil {
		s.stmts.close()
	}
	return s.DB.Close()
}

// Ping checks the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error { return s.DB.PingContext(ctx) }

// Migrate applies every pending migration of the store's dialect from fsys
// (a tree with sqlite/ and mysql/ directories). Concurrent calls from
// several processes on one MySQL database apply each migration once: the
// whole goose run is inside one named lock. A goose session locker would not
// do: goose asks whether anything is pending before it takes that lock, and
// on a fresh database another node's version table can then be seen between
// its CREATE (committed at once in MySQL) and its zero-version row ("missing
// zero version migration"). SQLite is one process's file (embedded mode),
// and its migrations run in IMMEDIATE transactions.
func (s *Store) Migrate(ctx context.Context, fsys fs.FS) error {
	sub, err := fs.Sub(fsys, string(s.Config.Dialect))
	if err != nil {
		return fmt.Errorf("migrations for %s: %w", s.Config.Dialect, err)
	}
	dialect := goose.DialectSQLite3
	if s.Config.Dialect == MySQL {
		dialect = goose.DialectMySQL
	}
	p, err := goose.NewProvider(dialect, s.DB, sub)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if err := s.Exclusive(ctx, migrateLock, func() error {
		_, err := p.Up(ctx)
		return err
	}); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := s.BackfillWords(ctx, nil); err != nil {
		return err
	}
	return s.BackfillWordAssignees(ctx, nil)
}

// Tx is a transaction with the store's query methods.
type Tx struct {
	Queries
	tx *sql.Tx
}

// TxAttempts is how many times InTx runs a transaction that a deadlock, a
// lock-wait timeout (MySQL) or a busy database (SQLite) rolled back.
const TxAttempts = 4

// InTx runs fn in one transaction, committing when it returns nil. A
// transaction the database rolled back for a deadlock or lock-wait timeout
// runs again (up to TxAttempts times, with a short random pause), so fn may
// run more than once: it must start from what it reads in the transaction,
// not from state an earlier run left in variables outside it.
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) error {
	if s.stmts != nil {
		defer s.stmts.preparePending(ctx)
	}
	for attempt := 1; ; attempt++ {
		err := s.inTx(ctx, fn)
		if err == nil || !retryable(err) || attempt == TxAttempts || ctx.Err() != nil {
			return err
		}
		pause := time.Duration(attempt*5+rand.IntN(20)) * time.Millisecond
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

func (s *Store) inTx(ctx context.Context, fn func(*Tx) error) error {
	sqlTx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", translate(err))
	}
	defer sqlTx.Rollback()
	if err := fn(&Tx{Queries: Queries{q: sqlTx, d: s.Config.Dialect, stmts: s.stmts, tx: sqlTx}, tx: sqlTx}); err != nil {
		if AsError(err) == nil {
			err = translate(err)
		}
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", translate(err))
	}
	return nil
}

// retryable reports a transaction the database gave up on but that may
// succeed if run again.
func retryable(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1213 || me.Number == 1205 // deadlock, lock wait timeout
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // primary result code
		case sqlite3lib.SQLITE_BUSY, sqlite3lib.SQLITE_LOCKED:
			return true
		}
	}
	return false
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Queries are the store's statements, run on the pool or in a transaction.
type Queries struct {
	q querier
	d Dialect
	// stmts and tx serve prep: the store's prepared statements (MySQL)
	// and the transaction q is, if any.
	stmts *stmtCache
	tx    *sql.Tx
}

// forUpdate is the row lock suffix: SQLite's IMMEDIATE transactions already
// hold the write lock.
func (q Queries) forUpdate() string {
	if q.d == MySQL {
		return " FOR UPDATE"
	}
	return ""
}

// forShare is the shared row lock suffix (MySQL; SQLite's transactions
// already hold the write lock).
func (q Queries) forShare() string {
	if q.d == MySQL {
		return " LOCK IN SHARE MODE"
	}
	return ""
}

// translate turns driver errors into domain errors at the store edge:
// no rows is ENOTFOUND, a duplicate key ECONFLICT, and a database that
// cannot answer (connection refused or lost, deadlock or busy after
// InTx's retries) EUNAVAILABLE. The driver error stays in the chain for
// the log and for InTx's retry.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &Error{Code: ENOTFOUND, Message: "not found"}
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == 1062 {
		return &Error{Code: ECONFLICT, Message: "already exists"}
	}
	// 1969: max_statement_time exceeded (only the search sets one); 188:
	// InnoDB's full-text result cache is full (a word in millions of
	// messages). Both mean a search too wide to answer.
	if errors.As(err, &me) && (me.Number == 1969 || me.Number == 188) {
		return fmt.Errorf("%w: %w", Errorf(EINVALID, TooManyHitsMessage), err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3lib.SQLITE_CONSTRAINT_UNIQUE, sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &Error{Code: ECONFLICT, Message: "already exists"}
		}
	}
	if Unavailable(err) {
		return fmt.Errorf("%w: %w", Errorf(EUNAVAILABLE, "the service is temporarily unavailable; try again shortly"), err)
	}
	return err
}

// Translate is translate for the transports' last resort: an error that
// reached them without a domain code, from the database or Redis.
func Translate(err error) error {
	if AsError(err) != nil {
		return err
	}
	return translate(err)
}

// Unavailable reports an error of a dependency that is down or
// overloaded rather than of the request: the database or Redis refused or
// lost the connection, or the database gave up on a transaction.
func Unavailable(err error) bool {
	var ne net.Error
	var me *mysql.MySQLError
	var se *sqlite.Error
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, mysql.ErrInvalidConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.As(err, &ne):
		return true
	case errors.As(err, &me):
		switch me.Number {
		case 1040, 1053, 1205, 1213, 1927, 2002, 2003, 2006, 2013:
			// too many connections, shutdown, lock wait, deadlock, killed, gone away
			return true
		}
	case errors.As(err, &se):
		switch se.Code() & 0xff {
		case sqlite3lib.SQLITE_BUSY, sqlite3lib.SQLITE_LOCKED, sqlite3lib.SQLITE_IOERR, sqlite3lib.SQLITE_FULL, sqlite3lib.SQLITE_CANTOPEN:
			return true
		}
	}
	// go-redis's pool errors, and errors that lost their type on the way.
	for _, s := range []string{"connection refused", "broken pipe", "redis: client is closed", "connection pool timeout"} {
		if strings.Contains(err.Error(), s) {
			return true
		}
	}
	return false
}

// inList returns "?,?,?" for n placeholders and the ids as args.
func inList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}

// Now is the store's notion of a timestamp: UTC, microsecond precision
// (MySQL DATETIME(6)), so values round-trip exactly.
func Now(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
