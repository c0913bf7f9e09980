package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/admin"
	"github.com/parleyhq/parley/jobs"
	"github.com/parleyhq/parley/web"
)

func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	started := time.Now()
	cfg, err := parseConfig("serve", args, getenv, serveFlags)
	if err != nil {
		return err
	}
	rt, err := newRuntime(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer rt.close()

	var logins []demoLogin
	if cfg.Demo {
		if logins, err = seedDemo(ctx, rt, stdout); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	router, err := newRouter(rt)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{Handler: router, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}

	workCtx, stopWork := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	if !cfg.NoWorker {
		w := jobs.NewWorker(rt.redisOpt, rt.asynq, rt.store, rt.pol, log)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Run(workCtx); err != nil {
				log.Error("worker", "err", err)
			}
		}()
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	printBanner(stdout, rt, ln.Addr().String(), logins, time.Since(started))

	select {
	case err = <-serveErr:
	case <-ctx.Done():
		log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		err = srv.Shutdown(sctx)
		cancel()
	}
	stopWork()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// newRouter builds the HTTP handler: health checks, the JSON API and the back office.
func newRouter(rt *runtime) (*gin.Engine, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	var proxies []string
	for _, p := range strings.Split(rt.cfg.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			proxies = append(proxies, p)
		}
	}
	if err := r.SetTrustedProxies(proxies); err != nil {
		return nil, fmt.Errorf("PARLEY_TRUSTED_PROXIES: %w", err)
	}
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, health{Status: "ok"}) })
	r.GET("/readyz", func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
		defer cancel()
		if err := rt.ready(ctx); err != nil {
			c.JSON(http.StatusServiceUnavailable, health{Status: "unavailable", Error: err.Error()})
			return
		}
		c.JSON(http.StatusOK, health{Status: "ready"})
	})
	web.NewAPI(rt.svc, rt.acc).Register(r)
	if err := admin.Mount(r, admin.Deps{Svc: rt.svc, Acc: rt.acc, Policies: rt.pol, DB: rt.store.Config, Log: rt.log,
		SessionTTL: rt.cfg.AdminSessionTTL, Secure: rt.cfg.Secure}); err != nil {
		return nil, err
	}
	return r, nil
}

type health struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

func printBanner(w io.Writer, rt *runtime, addr string, logins []demoLogin, took time.Duration) {
	base := "http://" + addr
	if rt.cfg.production() {
		fmt.Fprintf(w, "Parley %s serving from %s and Redis at %s\n", version, rt.store.Config.Dialect, redisHost(rt.cfg.RedisURL))
	} else {
		fmt.Fprintf(w, "Parley %s in embedded mode (SQLite %s, in-process Redis; for trying Parley, not for production)\n", version, rt.store.Config.Path)
	}
	fmt.Fprintf(w, "  back office: %s/admin/dashboard/conversation\n  API:         %s/api/v1\n  ready in %s\n", base, base, took.Round(time.Millisecond))
	if len(logins) > 0 {
		fmt.Fprintf(w, "  demo logins (password %q):", logins[0].Password)
		for _, l := range logins {
			fmt.Fprintf(w, " %s", l.Login)
		}
		fmt.Fprintln(w)
	}
}

func redisHost(raw string) string {
	if i := strings.LastIndex(raw, "@"); i >= 0 {
		return raw[i+1:]
	}
	return strings.TrimPrefix(raw, "redis://")
}

func worker(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger) error {
	cfg, err := parseConfig("worker", args, getenv, nil)
	if err != nil {
		return err
	}
	if !cfg.production() {
		return errors.New("parley worker needs PARLEY_DATABASE_URL and PARLEY_REDIS_URL: in embedded mode `parley serve` runs the worker itself")
	}
	rt, err := newRuntime(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer rt.close()
	log.Info("worker running")
	return jobs.NewWorker(rt.redisOpt, rt.asynq, rt.store, rt.pol, log).Run(ctx)
}
