// Command mail measures NEW_MESSAGE e-mail throughput through the real
// pipeline (R19, issue 8): a staff reply commits its message and outbox
// row; the relay hands the row to Asynq; the notify task writes the
// customer's notification; the mail sweep enqueues the due e-mail; the
// e-mail task claims the row with its database lease, composes the e-mail
// and sends it over SMTP to a local server (the in-process go-smtp server
// of package mail, with AUTH), then commits emailed_at. It reports
// e-mails per second and the latency from the reply's commit to the SMTP
// server's acceptance (p50/p99):
//
//	go run ./bench/mail -db mysql://root@127.0.0.1:3309/parley_mail -redis redis://127.0.0.1:6379/7 -n 2000 -rate 0
//	go run ./bench/mail -db mysql://root@127.0.0.1:3309/parley_mail -redis redis://127.0.0.1:6379/7 -n 1000 -rate 20
//
// -rate 0 commits all replies at once (a backlog: the pipeline's
// throughput); -rate N holds N replies per second (the latency at that
// load). Each reply goes to its own conversation and offline customer, so
// each makes exactly one e-mail. The burst window (-window) is part of
// the latency by design (production: 2 minutes); the default here is 1 ms
// so the figure is the pipeline's own cost. The MySQL database is created
// when missing; each run adds its own customers and conversations.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/bench/internal/benchdb"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/jobs"
	"github.com/parleyhq/parley/mail"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// config is one measurement.
type config struct {
	N           int           // replies (= e-mails)
	Rate        int           // replies per second (0: all at once)
	Senders     int           // replies in flight at most
	Window      time.Duration // the burst window
	Sweep       time.Duration // mail sweep interval
	Relay       time.Duration // outbox relay interval
	Concurrency int           // Asynq worker concurrency
	Timeout     time.Duration // give up waiting for the e-mails after this
}

// report is what a measurement found.
type report struct {
	Replies, Delivered int
	ReplyErrors        int
	Span               time.Duration // first reply commit to last delivery
	Rate               float64       // e-mails per second over Span
	P50, P99, Max      time.Duration // reply commit → SMTP acceptance
}

type noLimit struct{}

func (noLimit) Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	return true, 0, nil
}

func main() {
	dbURL := flag.String("db", "mysql://root@127.0.0.1:3309/parley_mail", "database URL")
	redisURL := flag.String("redis", "redis://127.0.0.1:6379/7", "Redis URL of the job queue (a database of your own)")
	cfg := config{}
	flag.IntVar(&cfg.N, "n", 1000, "replies, each one e-mail")
	flag.IntVar(&cfg.Rate, "rate", 0, "replies per second (0: all at once)")
	flag.IntVar(&cfg.Senders, "senders", 16, "replies in flight at most")
	flag.DurationVar(&cfg.Window, "window", time.Millisecond, "the e-mail burst window (production: 2m)")
	flag.DurationVar(&cfg.Sweep, "sweep", 200*time.Millisecond, "mail sweep interval")
	flag.DurationVar(&cfg.Relay, "relay", 100*time.Millisecond, "outbox relay interval")
	flag.IntVar(&cfg.Concurrency, "concurrency", jobs.DefaultConcurrency, "Asynq worker concurrency")
	flag.DurationVar(&cfg.Timeout, "timeout", 5*time.Minute, "stop waiting for the e-mails after this")
	flag.Parse()
	ctx := context.Background()
	st, err := benchdb.Open(ctx, *dbURL)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	ropt, err := redis.ParseURL(*redisURL)
	if err != nil {
		log.Fatal(err)
	}
	opt := asynq.RedisClientOpt{Addr: ropt.Addr, Username: ropt.Username, Password: ropt.Password, DB: ropt.DB}
	rep, err := measure(ctx, st, opt, cfg, log.New(os.Stderr, "mail: ", log.LstdFlags))
	if err != nil {
		log.Fatal(err)
	}
	printReport(cfg, rep)
}

func printReport(cfg config, r report) {
	mode := "all at once"
	if cfg.Rate > 0 {
		mode = fmt.Sprintf("%d/s", cfg.Rate)
	}
	fmt.Printf("e-mails: %d replies (%s, %d errors), %d e-mails delivered in %s: %.1f e-mails/s\n",
		r.Replies, mode, r.ReplyErrors, r.Delivered, r.Span.Round(time.Millisecond), r.Rate)
	fmt.Printf("reply commit → SMTP delivery: p50 %s p99 %s max %s (burst window %s, sweep %s, relay %s, concurrency %d)\n",
		r.P50, r.P99, r.Max, cfg.Window, cfg.Sweep, cfg.Relay, cfg.Concurrency)
}

// measure sets up n conversations of offline customers, starts the worker
// (relay, notify and e-mail handlers, sweep) against the SMTP server, lets
// the set-up's own tasks settle, then sends the replies and waits for
// their e-mails.
func measure(ctx context.Context, st *models.Store, opt asynq.RedisClientOpt, cfg config, logger *log.Logger) (report, error) {
	var r report
	pol, err := policies.New()
	if err != nil {
		return r, err
	}
	srv, err := mail.StartServer()
	if err != nil {
		return r, err
	}
	defer srv.Close()
	srv.Keep = cfg.N + 1000
	client := asynq.NewClient(opt)
	defer client.Close()
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	svcOpts := []inbox.Option{inbox.WithEmailWindow(cfg.Window), inbox.WithSecret([]byte("bench-mail-secret"))}
	svc := inbox.New(st, pol, inbox.SystemClock{}, noLimit{}, svcOpts...)
	acc := inbox.NewAccounts(st, pol, inbox.SystemClock{}, noLimit{}, []byte("bench-mail"), time.Hour)

	w := jobs.NewWorker(opt, client, st, pol, quiet, svcOpts...)
	w.Relay.Interval = cfg.Relay
	w.Concurrency = cfg.Concurrency
	mj := jobs.NewMailJob(svc, st, client, mail.NewClient(srv.Config()),
		&mail.Composer{PublicURL: "http://parley.bench", From: "support@parley.bench", FromName: "Bench"}, quiet)
	mj.Interval, mj.Batch = cfg.Sweep, 500
	w.EnableMail(mj)
	wctx, stop := context.WithCancel(ctx)
	wdone := make(chan error, 1)
	go func() { wdone <- w.Run(wctx) }()
	defer func() { stop(); <-wdone }()

	run := fmt.Sprintf("%x", time.Now().UnixNano())
	staff, err := acc.CreateStaff(ctx, models.System, "bench-mail-"+run, models.RoleOwner, "owner-"+run+"@parley.bench", "x")
	if err != nil {
		return r, err
	}
	owner := models.Actor{Kind: models.ActorStaff, ID: staff.ID, Role: staff.Role, Name: staff.Username}
	if err := svc.SetEmailNotifications(ctx, owner, false); err != nil {
		return r, err
	}
	logger.Printf("set-up: %d customers and conversations", cfg.N)
	type target struct {
		conv int64
		addr string
	}
	targets := make([]target, cfg.N)
	var setupErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(cfg.Senders, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				addr := fmt.Sprintf("c%d-%s@customer.bench", i, run)
				cu, err := acc.CreateCustomer(ctx, addr, fmt.Sprintf("Customer %d", i), "")
				var c models.Conversation
				if err == nil {
					a := models.Actor{Kind: models.ActorCustomer, ID: cu.ID, Role: models.RoleCustomer, Name: cu.Email}
					c, _, err = svc.Start(ctx, a, inbox.StartInput{Subject: fmt.Sprintf("Order %d", i), Body: "Where is my parcel?"})
				}
				mu.Lock()
				if err != nil && setupErr == nil {
					setupErr = err
				}
				targets[i] = target{conv: c.ID, addr: addr}
				mu.Unlock()
			}
		}()
	}
	for i := range cfg.N {
		next <- i
	}
	close(next)
	wg.Wait()
	if setupErr != nil {
		return r, setupErr
	}
	// Let the set-up's own tasks (the customers' messages notify staff,
	// whose e-mails are off) drain before measuring.
	for {
		var pending int
		if err := st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL`).Scan(&pending); err != nil {
			return r, err
		}
		if pending == 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * cfg.Sweep)

	logger.Printf("replies: %d", cfg.N)
	committed := make(map[string]time.Time, cfg.N)
	var first time.Time
	slots := make(chan struct{}, max(cfg.Senders, 1))
	var tick *time.Ticker
	if cfg.Rate > 0 {
		tick = time.NewTicker(time.Second / time.Duration(cfg.Rate))
		defer tick.Stop()
	}
	start := time.Now()
	for i, t := range targets {
		if tick != nil {
			<-tick.C
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			_, _, err := svc.Send(ctx, owner, t.conv, models.KindReply, fmt.Sprintf("Your parcel %d ships today.", i))
			at := time.Now()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				r.ReplyErrors++
				if r.ReplyErrors == 1 {
					logger.Printf("reply: %v", err)
				}
				return
			}
			r.Replies++
			committed[t.addr] = at
		}()
	}
	wg.Wait()
	first = start
	logger.Printf("replies committed in %s; waiting for the e-mails", time.Since(start).Round(time.Millisecond))
	deadline := time.Now().Add(cfg.Timeout)
	var lat []time.Duration
	var last time.Time
	for {
		lat, last = lat[:0], time.Time{}
		for _, m := range srv.Messages() {
			for _, to := range m.To {
				if at, ok := committed[to]; ok {
					lat = append(lat, m.At.Sub(at))
					if m.At.After(last) {
						last = m.At
					}
				}
			}
		}
		if len(lat) >= r.Replies || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.Delivered = len(lat)
	if r.Delivered > 0 {
		r.Span = last.Sub(first)
		r.Rate = float64(r.Delivered) / r.Span.Seconds()
		slices.Sort(lat)
		r.P50 = lat[(len(lat)-1)/2].Round(time.Millisecond)
		r.P99 = lat[int(float64(len(lat)-1)*0.99)].Round(time.Millisecond)
		r.Max = lat[len(lat)-1].Round(time.Millisecond)
	}
	return r, nil
}
