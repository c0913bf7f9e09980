package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/mail"
	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/migrations"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
	"github.com/parleyhq/parley/ratelimit"
)

// runtime holds the process's shared pieces, built once in run.
type runtime struct {
	cfg      config
	log      *slog.Logger
	store    *models.Store
	redis    redis.UniversalClient
	redisOpt asynq.RedisConnOpt
	mini     *miniredis.Miniredis
	// redisPassword is the in-process Redis's password (embedded mode).
	redisPassword string
	asynq         *asynq.Client
	pol           *policies.Enforcer
	svc           *inbox.Service
	acc           *inbox.Accounts
	files         *media.Dir // attachment files (R12)
	secret        []byte
	// E-mail (cmd/parley/mail.go).
	presence *mail.Presence
	smtp     *mail.Server // the in-process server (embedded mode)
	mailer   *mail.Client
	// Live events (issue 9): the Redis stream every node shares.
	bus *live.Bus
}

// openStore connects to the database and applies pending migrations.
func openStore(ctx context.Context, cfg config) (*models.Store, error) {
	dbcfg, err := models.ParseDatabaseURL(cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if dbcfg.Dialect == models.SQLite {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
	}
	st, err := models.Open(ctx, dbcfg)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx, migrations.FS); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// newRuntime builds the store, Redis, policies and services.
func newRuntime(ctx context.Context, cfg config, log *slog.Logger) (*runtime, error) {
	rt := &runtime{cfg: cfg, log: log}
	var err error
	if rt.secret, err = cfg.secretBytes(); err != nil {
		return nil, err
	}
	if rt.store, err = openStore(ctx, cfg); err != nil {
		return nil, err
	}
	if cfg.RedisURL == "" {
		// Embedded mode: an in-process Redis; ClockTTL makes TTLs expire
		// with the wall clock, which Asynq and the rate limits rely on. It
		// listens on loopback, where any local user could reach it, so it
		// takes a password drawn anew at every start and known only to
		// this process's clients.
		rt.mini = miniredis.NewMiniRedis()
		rt.mini.ClockTTL(true)
		pw := make([]byte, 32)
		if _, err := rand.Read(pw); err != nil {
			rt.close()
			return nil, fmt.Errorf("in-process redis password: %w", err)
		}
		rt.redisPassword = hex.EncodeToString(pw)
		rt.mini.RequireAuth(rt.redisPassword)
		if err := rt.mini.StartAddr("127.0.0.1:0"); err != nil {
			rt.close()
			return nil, fmt.Errorf("in-process redis: %w", err)
		}
		rt.redis = redis.NewClient(&redis.Options{Addr: rt.mini.Addr(), Password: rt.redisPassword})
		rt.redisOpt = asynq.RedisClientOpt{Addr: rt.mini.Addr(), Password: rt.redisPassword}
	} else {
		opt, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			rt.close()
			return nil, fmt.Errorf("PARLEY_REDIS_URL: %w", err)
		}
		rt.redis = redis.NewClient(opt)
		if rt.redisOpt, err = asynq.ParseRedisURI(cfg.RedisURL); err != nil {
			rt.close()
			return nil, fmt.Errorf("PARLEY_REDIS_URL: %w", err)
		}
		if err := rt.redis.Ping(ctx).Err(); err != nil {
			rt.close()
			return nil, fmt.Errorf("connect to redis: %w", err)
		}
	}
	rt.asynq = asynq.NewClient(rt.redisOpt)
	if rt.pol, err = policies.New(); err != nil {
		rt.close()
		return nil, err
	}
	// The limiter falls back to this node's memory while Redis is down
	// (see package ratelimit), so sign-ins and sends go on.
	limiter := ratelimit.NewLimiter(rt.redis, "parley:rl:")
	limiter.Log = log
	if rt.files, err = media.NewDir(cfg.attachmentsDir()); err != nil {
		rt.close()
		return nil, err
	}
	if cfg.production() && cfg.AttachmentsDir == "" {
		log.Warn("attachments are kept on this node only; set PARLEY_ATTACHMENTS_DIR to a directory every node shares", "dir", rt.files.Path())
	}
	if err := rt.startMail(); err != nil {
		rt.close()
		return nil, err
	}
	rt.bus = live.New(rt.redis, "")
	rt.svc = inbox.New(rt.store, rt.pol, inbox.SystemClock{}, limiter, rt.inboxOptions()...)
	rt.acc = inbox.NewAccounts(rt.store, rt.pol, inbox.SystemClock{}, limiter, rt.secret, cfg.TokenTTL)
	if err := wireIdentity(rt); err != nil {
		rt.close()
		return nil, err
	}
	return rt, nil
}

func (rt *runtime) close() error {
	var errs []error
	if rt.asynq != nil {
		errs = append(errs, rt.asynq.Close())
	}
	if rt.redis != nil {
		errs = append(errs, rt.redis.Close())
	}
	if rt.mini != nil {
		rt.mini.Close()
	}
	if rt.smtp != nil {
		errs = append(errs, rt.smtp.Close())
	}
	if rt.store != nil {
		errs = append(errs, rt.store.Close())
	}
	return errors.Join(errs...)
}

// inboxOptions are the inbox's optional dependencies on this node: the
// attachment store, the event stream and the e-mail rule's presence,
// secret and window.
func (rt *runtime) inboxOptions() []inbox.Option {
	return append([]inbox.Option{inbox.WithFiles(rt.files), inbox.WithPublisher(rt.bus)}, rt.mailOptions()...)
}
