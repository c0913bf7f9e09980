package models

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
)

// stmtCache holds the server-side prepared statements of the hot paths on
// MySQL (Queries.prep): a customer's send runs the same seven statements
// every time, and parsing them was 14 % of MariaDB's CPU (bench/send, perf).
// A statement is prepared once on the pool and, by database/sql, once on each
// connection that runs it; a transaction runs it through Tx.StmtContext on
// its own connection.
//
// A statement first met inside a transaction runs unprepared there and is
// prepared after the transaction ends: preparing on the pool would take a
// second connection while the transaction holds one. When the server
// refuses to prepare (max_prepared_stmt_count reached, error 1461), the
// statements run unprepared for a minute, then preparing is tried again.
type stmtCache struct {
	db *sql.DB

	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool
	refused time.Time
}

// stmtRetry is how long the cache runs statements unprepared after the
// server refused to prepare one.
const stmtRetry = time.Minute

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// lookup answers the statement prepared for query, or nil; a miss inside a
// transaction is remembered for preparePending.
func (c *stmtCache) lookup(query string, inTx bool) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.refused) < stmtRetry {
		return nil
	}
	st := c.stmts[query]
	if st == nil && inTx {
		c.pending[query] = true
	}
	return st
}

// prepare prepares query on the pool and keeps it; nil when the server
// refused (the caller runs it unprepared).
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	st, err := c.db.PrepareContext(ctx, query)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, query)
	if err != nil {
		if refusedPrepare(err) {
			c.refused = time.Now()
		}
		return nil
	}
	if old := c.stmts[query]; old != nil { // prepared meanwhile by another request
		st.Close()
		return old
	}
	c.stmts[query] = st
	return st
}

// preparePending prepares the statements met inside transactions.
func (c *stmtCache) preparePending(ctx context.Context) {
	c.mu.Lock()
	var queries []string
	for q := range c.pending {
		queries = append(queries, q)
	}
	c.mu.Unlock()
	for _, q := range queries {
		if ctx.Err() != nil {
			return
		}
		c.prepare(ctx, q)
	}
}

func (c *stmtCache) refuse() {
	c.mu.Lock()
	c.refused = time.Now()
	c.mu.Unlock()
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
}

// size is the number of statements kept (tests).
func (c *stmtCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.stmts)
}

// refusedPrepare reports MySQL's "too many prepared statements" (1461).
func refusedPrepare(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1461
}

// prepared runs statements through the cache: prepared when they can be,
// unprepared on q otherwise.
type prepared struct {
	q  querier
	tx *sql.Tx // nil on the pool
	c  *stmtCache
}

// prep is q's querier for a statement on a hot path: prepared on the server
// once per connection on MySQL, run as it is on SQLite and when traced.
// Only fixed SQL texts go through it: each text is kept while the store is
// open.
func (q Queries) prep() querier {
	if q.stmts == nil {
		return q.q
	}
	return prepared{q: q.q, tx: q.tx, c: q.stmts}
}

func (p prepared) stmt(ctx context.Context, query string) *sql.Stmt {
	st := p.c.lookup(query, p.tx != nil)
	switch {
	case st == nil && p.tx != nil:
		return nil
	case st == nil:
		return p.c.prepare(ctx, query)
	case p.tx != nil:
		return p.tx.StmtContext(ctx, st)
	}
	return st
}

func (p prepared) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		r, err := st.ExecContext(ctx, args...)
		if !refusedPrepare(err) {
			return r, err
		}
		p.c.refuse() // a refused prepare ran nothing: run it unprepared
	}
	return p.q.ExecContext(ctx, query, args...)
}

func (p prepared) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		r, err := st.QueryContext(ctx, args...)
		if !refusedPrepare(err) {
			return r, err
		}
		p.c.refuse()
	}
	return p.q.QueryContext(ctx, query, args...)
}

func (p prepared) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		r := st.QueryRowContext(ctx, args...)
		if !refusedPrepare(r.Err()) {
			return r
		}
		p.c.refuse()
	}
	return p.q.QueryRowContext(ctx, query, args...)
}
