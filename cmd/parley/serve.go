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
	"github.com/parleyhq/parley/live"
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
	ready := &readiness{store: rt.store, redis: rt.redis, log: log, timeout: 3 * time.Second}
	workCtx, stopWork := context.WithCancel(context.Background())
	defer stopWork()
	api := web.NewAPI(rt.svc, rt.acc)
	if waitBus, err := rt.bus.Start(workCtx); err != nil {
		log.Warn("live events off on this node: the event stream cannot be read", "err", err)
	} else {
		api.WithEvents(rt.bus)
		defer func() { stopWork(); waitBus() }()
	}
	router, err := newRouter(rt, api, ready)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := newHTTPServer(router, cfg.HTTP)

	var wg sync.WaitGroup
	if !cfg.NoWorker {
		w := jobs.NewWorker(rt.redisOpt, rt.asynq, rt.store, rt.pol, log, rt.inboxOptions()...)
		w.Cleanup.SessionTTL = cfg.AdminSessionTTL
		w.EnableMail(rt.mailJob())
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
		err = drain(srv, rt.bus, ready, cfg.HTTP, log)
	}
	stopWork()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// drain stops the server on SIGTERM: /readyz answers 503 for DrainDelay
// while requests are still served, then the listener closes and in-flight
// requests get ShutdownGrace to finish; those still running then are cut
// (a stop on request, not a failure: the exit status stays 0).
func drain(srv *http.Server, bus *live.Bus, ready *readiness, l httpLimits, log *slog.Logger) error {
	log.Info("shutting down: readiness is now 503", "drain_delay", l.DrainDelay, "grace", l.ShutdownGrace)
	ready.draining.Store(true)
	time.Sleep(l.DrainDelay)
	bus.CloseStreams() // open event streams end now; their browsers reconnect elsewhere
	ctx, cancel := context.WithTimeout(context.Background(), l.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
		log.Warn("shutdown grace over: cutting the requests still running", "grace", l.ShutdownGrace)
		return srv.Close()
	} else if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// newRouter builds the HTTP handler: health checks, the JSON API and the
// back office, behind the access log and the security headers.
func newRouter(rt *runtime, api *web.API, ready *readiness) (*gin.Engine, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(accessLog(rt.log), recovery(rt.log), securityHeaders)
	var proxies []string
	for _, p := range strings.Split(rt.cfg.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			proxies = append(proxies, p)
		}
	}
	if err := r.SetTrustedProxies(proxies); err != nil {
		return nil, fmt.Errorf("PARLEY_TRUSTED_PROXIES: %w", err)
	}
	live := func(c *gin.Context) { c.JSON(http.StatusOK, health{Status: "ok"}) }
	r.GET("/healthz", live)
	r.GET("/readyz", ready.handle)
	// Load balancers probe with HEAD as often as with GET.
	r.HEAD("/healthz", live)
	r.HEAD("/readyz", ready.handle)
	r.GET("/", func(c *gin.Context) { c.Redirect(http.StatusFound, backOffice) })
	r.NoRoute(notFound)
	api.Register(r)
	web.RegisterUnsubscribe(r, rt.svc)
	var mailbox admin.Mailbox
	if rt.smtp != nil {
		mailbox = devMailbox{rt.smtp}
	}
	web.NewPortal(rt.svc, rt.acc, web.PortalConfig{Secure: rt.cfg.Secure, WidgetOrigins: rt.cfg.WidgetOrigins,
		Demo: rt.cfg.Demo, Log: rt.log}).Register(r)
	if err := admin.Mount(r, admin.Deps{Svc: rt.svc, Acc: rt.acc, Policies: rt.pol, DB: rt.store.Config, Log: rt.log,
		SessionTTL: rt.cfg.AdminSessionTTL, Secure: rt.cfg.Secure, Jobs: rt.redisOpt, Mailbox: mailbox, Bus: rt.bus}); err != nil {
		return nil, err
	}
	return r, nil
}

func printBanner(w io.Writer, rt *runtime, addr string, logins []demoLogin, took time.Duration) {
	base := "http://" + addr
	if rt.cfg.production() {
		fmt.Fprintf(w, "Parley %s serving from %s and Redis at %s\n", version, rt.store.Config.Dialect, redisHost(rt.cfg.RedisURL))
	} else {
		fmt.Fprintf(w, "Parley %s in embedded mode (SQLite %s, in-process Redis; for trying Parley, not for production)\n", version, rt.store.Config.Path)
	}
	fmt.Fprintf(w, "  back office: %s/admin/dashboard/conversation\n  customers:   %s%s\n  API:         %s/api/v1\n  ready in %s\n", base, base, web.PortalPath, base, took.Round(time.Millisecond))
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
	w := jobs.NewWorker(rt.redisOpt, rt.asynq, rt.store, rt.pol, log, rt.inboxOptions()...)
	w.Cleanup.SessionTTL = cfg.AdminSessionTTL
	w.EnableMail(rt.mailJob())
	return w.Run(ctx)
}
