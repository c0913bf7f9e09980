// Command live measures the live event stream (issue 9's benchmark): it
// creates -customers customers through the integration API (signed in with
// identity tokens, one conversation each, as bench/send), opens one
// GET /api/v1/events stream per customer and reports the server's memory
// per open stream (VmRSS from /proc before and after; with -gctrace, the
// Go heap too), then -senders staff sessions reply to random customers for
// -duration, as fast as the server answers or at -rate replies/s in all.
// Each reply's delivery latency runs from the POST's start to its
// message.created event on the customer's stream; it reports p50/p95/p99/
// max, the POST's own latency, replies whose event never came (within
// -grace after the sends), events that reached a stream they were not for
// (must be 0), and the CPU per reply of the server, MariaDB and Redis.
// -streams 0 sends the same replies with no stream open: the difference in
// CPU per reply is the streams' cost.
//
//	GODEBUG=gctrace=1 parley serve --no-worker 2>/tmp/serve.err &
//	go run ./bench/live -base http://127.0.0.1:8151 -key "$KEY" -identity-secret "$IDSECRET" \
//	    -server-pid $! -db-pid $(pidof mariadbd) -redis-pid $(pidof redis-server) -gctrace /tmp/serve.err -rate 100
//
// Staff replies carry no R11 limit; the staff are bench/gen's chat admins
// (-staff, -staff-password), who may answer every conversation.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/parleyhq/parley/bench/internal/benchapi"
	"github.com/parleyhq/parley/bench/internal/proccpu"
)

type config struct {
	Base, Key, Secret, Prefix  string
	Staff                      []string
	StaffPassword              string
	Customers, Streams         int
	Senders                    int
	SetupConns, OpenConns      int
	Duration, Settle, Grace    time.Duration
	Rate                       float64
	ServerPID, DBPID, RedisPID int
	GCTrace                    string
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func parse(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("live", flag.ContinueOnError)
	fs.StringVar(&c.Base, "base", "http://127.0.0.1:8151", "the web node")
	fs.StringVar(&c.Key, "key", "", "an integration key (parley apikey create --name bench)")
	fs.StringVar(&c.Secret, "identity-secret", "", "PARLEY_IDENTITY_SECRET of the node")
	fs.StringVar(&c.Prefix, "prefix", "", "external id prefix of the customers (default: a random one per run)")
	staff := fs.String("staff", "bench-admin1,bench-admin2,bench-admin3,bench-admin4", "comma-separated staff usernames the senders reply as (chat admins: they may answer every conversation)")
	fs.StringVar(&c.StaffPassword, "staff-password", "bench-password-123", "their password (bench/gen's)")
	fs.IntVar(&c.Customers, "customers", 1000, "customers, each with one conversation")
	fs.IntVar(&c.Streams, "streams", -1, "open streams: those of the first this many customers (-1: all; 0: none, the replies' cost without streams)")
	fs.IntVar(&c.Senders, "senders", 32, "concurrent staff senders")
	fs.IntVar(&c.SetupConns, "setup-conns", 8, "concurrent connections while creating customers")
	fs.IntVar(&c.OpenConns, "open-conns", 16, "streams being opened at once")
	fs.DurationVar(&c.Duration, "duration", 60*time.Second, "how long to send")
	fs.DurationVar(&c.Settle, "settle", 5*time.Second, "idle time after the streams are open, before the memory is read")
	fs.DurationVar(&c.Grace, "grace", 10*time.Second, "after the sends, how long a reply's event may still take")
	fs.Float64Var(&c.Rate, "rate", 0, "replies per second over all senders (0: each sender as fast as the server answers)")
	fs.IntVar(&c.ServerPID, "server-pid", 0, "pid of parley serve: memory per stream and CPU per reply")
	fs.IntVar(&c.DBPID, "db-pid", 0, "pid of mariadbd: its CPU per reply too")
	fs.IntVar(&c.RedisPID, "redis-pid", 0, "pid of redis-server: its CPU per reply too")
	fs.StringVar(&c.GCTrace, "gctrace", "", "file the server's stderr goes to, run with GODEBUG=gctrace=1: its live heap per stream too")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.Staff = strings.Split(*staff, ",")
	if c.Streams < 0 || c.Streams > c.Customers {
		c.Streams = c.Customers
	}
	switch {
	case c.Key == "" || c.Secret == "":
		return c, errors.New("-key and -identity-secret are required")
	case c.Customers < 1 || c.Senders < 1 || c.SetupConns < 1 || c.OpenConns < 1:
		return c, errors.New("-customers, -senders, -setup-conns and -open-conns must be at least 1")
	}
	if c.Prefix == "" {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		c.Prefix = "live-" + hex.EncodeToString(b)
	}
	return c, nil
}

func run(ctx context.Context, args []string, out io.Writer) error {
	cfg, err := parse(args)
	if err != nil {
		return err
	}
	if err := raiseFileLimit(uint64(cfg.Streams + cfg.Senders + 256)); err != nil {
		return err
	}
	// Requests have a timeout; streams have none (they are ended by
	// cancelling their context) and a connection each.
	cl := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 4 * cfg.Senders, MaxIdleConnsPerHost: 4 * cfg.Senders, IdleConnTimeout: time.Minute}}
	streamCl := &http.Client{Transport: &http.Transport{DisableCompression: true}}

	t0 := time.Now()
	custs, err := benchapi.NewCustomers(ctx, cl, cfg.Base, cfg.Key, cfg.Secret, cfg.Prefix, cfg.Customers, cfg.SetupConns)
	if err != nil {
		return err
	}
	tokens := make([]string, len(cfg.Staff))
	for i, u := range cfg.Staff {
		if tokens[i], err = benchapi.StaffToken(ctx, cl, cfg.Base, u, cfg.StaffPassword); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "setup: %d customers (integration API + identity sign-in + a conversation each), %d staff signed in, in %s\n",
		len(custs), len(tokens), time.Since(t0).Round(time.Millisecond))
	time.Sleep(2 * time.Second) // let the setup's writes settle

	// The streams, and the server's memory before and after.
	convs := make([]int64, cfg.Streams)
	for i, c := range custs[:cfg.Streams] {
		convs[i] = c.Conv
	}
	tr := newTracker(convs)
	rss0, _ := procStatus(cfg.ServerPID)
	gc := gcTrace{cfg.GCTrace}
	gcOpen := gc.offset()
	streamCtx, stopStreams := context.WithCancel(ctx)
	defer stopStreams()
	t0 = time.Now()
	var readers sync.WaitGroup
	if err := openStreams(streamCtx, streamCl, cfg, custs[:cfg.Streams], tr, &readers); err != nil {
		return err
	}
	opened := time.Since(t0)
	gcOpened := gc.offset()
	idle0 := cpuOf(cfg.ServerPID, cfg.DBPID, cfg.RedisPID, os.Getpid())
	time.Sleep(cfg.Settle)
	idle1 := cpuOf(cfg.ServerPID, cfg.DBPID, cfg.RedisPID, os.Getpid())
	rss1, threads := procStatus(cfg.ServerPID)
	fmt.Fprintf(out, "streams: %d open in %s\n", cfg.Streams, opened.Round(time.Millisecond))
	perStream := 0.0
	if cfg.ServerPID > 0 && cfg.Streams > 0 {
		perStream = float64(rss1-rss0) / float64(cfg.Streams)
		fmt.Fprintf(out, "server memory: VmRSS %.1f MiB before the streams, %.1f MiB with them open and idle %s: %.1f KiB per stream (%d threads)\n",
			float64(rss0)/1024, float64(rss1)/1024, cfg.Settle, perStream, threads)
		fmt.Fprintf(out, "CPU while idle with the streams open: server %.1f ms/s, MariaDB %.1f ms/s, Redis %.1f ms/s\n",
			perSecond(idle0[0], idle1[0], cfg.Settle), perSecond(idle0[1], idle1[1], cfg.Settle), perSecond(idle0[2], idle1[2], cfg.Settle))
	}

	// The replies.
	cpu0 := cpuOf(cfg.ServerPID, cfg.DBPID, cfg.RedisPID, os.Getpid())
	res := sendReplies(ctx, cl, cfg, custs, tokens, tr)
	cpu1 := cpuOf(cfg.ServerPID, cfg.DBPID, cfg.RedisPID, os.Getpid())
	waited := time.Now()
	for tr.pending() > 0 && time.Since(waited) < cfg.Grace {
		time.Sleep(20 * time.Millisecond)
	}
	rss2, _ := procStatus(cfg.ServerPID)
	if cfg.GCTrace != "" && cfg.Streams > 0 {
		before, after := gc.live(0, gcOpen), gc.live(gcOpened, -1)
		if len(before) == 0 || len(after) == 0 {
			fmt.Fprintf(out, "Go heap: no collection logged in %s before the streams and after\n", cfg.GCTrace)
		} else {
			b, a := before[len(before)-1], slices.Min(after)
			fmt.Fprintf(out, "Go heap (gctrace): %d MiB live at the last collection before the streams, at least %d MiB at the %d after they opened: %.1f KiB per stream\n",
				b, a, len(after), float64(a-b)*1024/float64(max(cfg.Streams, 1)))
		}
	}
	stopStreams()
	readers.Wait()
	return report(out, cfg, tr, res, cpu0, cpu1, perStream, rss2)
}

// openStreams opens customer i's stream for every i and reads each in its
// own goroutine until ctx ends. It returns once every stream has answered
// 200 (the server subscribes before it answers, so no event is missed).
func openStreams(ctx context.Context, cl *http.Client, cfg config, custs []benchapi.Customer, tr *tracker, readers *sync.WaitGroup) error {
	return benchapi.Each(len(custs), cfg.OpenConns, func(i int) error {
		body, err := openStream(ctx, cl, cfg.Base, custs[i].Token)
		if err != nil {
			return fmt.Errorf("stream %d: %w", i, err)
		}
		readers.Add(1)
		go func() {
			defer readers.Done()
			defer body.Close()
			readStream(ctx, i, body, tr)
		}()
		return nil
	})
}

func openStream(ctx context.Context, cl *http.Client, base, token string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/events", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := cl.Do(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		res.Body.Close()
		return nil, fmt.Errorf("GET /api/v1/events: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	return res.Body, nil
}

func readStream(ctx context.Context, i int, body io.Reader, tr *tracker) {
	r := newSSEReader(body)
	for {
		e, err := r.Next()
		if err != nil {
			if ctx.Err() == nil {
				tr.streamEnded(err)
			}
			return
		}
		tr.event(i, e, time.Now())
	}
}

// sendResult is what the senders saw.
type sendResult struct {
	elapsed time.Duration
	codes   map[int]int // answers by status; -1: no answer
	posts   []time.Duration
}

// sendReplies runs the senders for cfg.Duration: each replies as one of
// the staff tokens to a random customer's conversation, at cfg.Rate
// overall when it is set.
func sendReplies(ctx context.Context, cl *http.Client, cfg config, custs []benchapi.Customer, tokens []string, tr *tracker) sendResult {
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	var interval time.Duration
	if cfg.Rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(cfg.Senders) / cfg.Rate)
	}
	var mu sync.Mutex
	res := sendResult{codes: map[int]int{}}
	var wg sync.WaitGroup
	for w := range cfg.Senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := mrand.New(mrand.NewPCG(uint64(w), uint64(start.UnixNano())))
			token := tokens[w%len(tokens)]
			codes := map[int]int{}
			var posts []time.Duration
			next := start.Add(interval * time.Duration(w) / time.Duration(cfg.Senders))
			for k := 0; ; k++ {
				if interval > 0 {
					if d := time.Until(next); d > 0 {
						time.Sleep(d)
					}
					next = next.Add(interval)
					if now := time.Now(); next.Before(now) {
						next = now // behind: no burst to catch up
					}
				}
				if !time.Now().Before(deadline) {
					break
				}
				i := rnd.IntN(len(custs))
				body := fmt.Sprintf(`{"body":"live benchmark reply %d from sender %d","kind":"reply"}`, k, w)
				var posted struct {
					Message struct {
						ID int64 `json:"id"`
					} `json:"message"`
				}
				t := time.Now()
				code, err := benchapi.Request(ctx, cl, http.MethodPost, cfg.Base+"/api/v1/staff/conversations/"+strconv.FormatInt(custs[i].Conv, 10)+"/messages", token, body, &posted)
				answered := time.Now()
				if err != nil {
					codes[-1]++
					continue
				}
				codes[code]++
				if code == http.StatusCreated && posted.Message.ID > 0 {
					posts = append(posts, answered.Sub(t))
					tr.posted(posted.Message.ID, i, t, answered)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for c, n := range codes {
				res.codes[c] += n
			}
			res.posts = append(res.posts, posts...)
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

func report(out io.Writer, cfg config, tr *tracker, res sendResult, cpu0, cpu1 [4]time.Duration, perStream float64, rss2 int64) error {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var lat, afterAnswer []time.Duration
	missed, before := 0, 0
	for _, r := range tr.sends {
		if r.arrived.IsZero() {
			missed++
			continue
		}
		lat = append(lat, r.arrived.Sub(r.start))
		if r.beforeAnswer {
			before++
		} else {
			afterAnswer = append(afterAnswer, r.arrived.Sub(r.answered))
		}
	}
	slices.Sort(lat)
	slices.Sort(afterAnswer)
	slices.Sort(res.posts)
	acc := len(res.posts)
	rate := float64(acc) / res.elapsed.Seconds()
	fmt.Fprintf(out, "replies: %d accepted in %s by %d senders: %.0f/s; answers %v (429: %d)\n",
		acc, res.elapsed.Round(time.Millisecond), cfg.Senders, rate, res.codes, res.codes[http.StatusTooManyRequests])
	if acc == 0 {
		return errors.New("no reply was accepted")
	}
	fmt.Fprintf(out, "POST latency: p50 %s  p95 %s  p99 %s  max %s\n", benchapi.Percentile(res.posts, 50), benchapi.Percentile(res.posts, 95), benchapi.Percentile(res.posts, 99), benchapi.Percentile(res.posts, 100))
	if len(lat) > 0 {
		fmt.Fprintf(out, "delivery (POST start → message.created on the customer's stream; replies to customers with a stream): %d events  p50 %s  p95 %s  p99 %s  max %s\n",
			len(lat), benchapi.Percentile(lat, 50), benchapi.Percentile(lat, 95), benchapi.Percentile(lat, 99), benchapi.Percentile(lat, 100))
	}
	if len(afterAnswer) > 0 {
		fmt.Fprintf(out, "  %d events (%.1f %%) arrived before the POST's answer; the others after it by p50 %s  p99 %s\n",
			before, 100*float64(before)/float64(len(lat)), benchapi.Percentile(afterAnswer, 50), benchapi.Percentile(afterAnswer, 99))
	}
	fmt.Fprintf(out, "missed (no event %s after the sends): %d; delivered to the wrong stream: %d; duplicates: %d; malformed: %d; events of no accepted reply: %d\n",
		cfg.Grace, missed, tr.wrong, tr.dup, tr.malformed, len(tr.early))
	fmt.Fprintf(out, "events received by type: %v; streams ended early: %v\n", tr.types, tr.ended)
	cpuPer := "-"
	if cfg.ServerPID > 0 {
		var parts []string
		var sum float64
		for i, name := range []string{"server", "MariaDB", "Redis"} {
			if []int{cfg.ServerPID, cfg.DBPID, cfg.RedisPID}[i] <= 0 {
				continue
			}
			ms := float64((cpu1[i] - cpu0[i]).Microseconds()) / 1000 / float64(acc)
			sum += ms
			parts = append(parts, fmt.Sprintf("%s %.2f ms", name, ms))
		}
		cpuPer = fmt.Sprintf("%.2f", float64((cpu1[0]-cpu0[0]).Microseconds())/1000/float64(acc))
		fmt.Fprintf(out, "CPU per accepted reply: %.2f ms (%s), this benchmark's own %.2f ms; server VmRSS after the sends %.1f MiB\n",
			sum, strings.Join(parts, " + "), float64((cpu1[3]-cpu0[3]).Microseconds())/1000/float64(acc), float64(rss2)/1024)
	}
	if cfg.Streams == 0 {
		return nil
	}
	verdict := "met"
	if len(lat) == 0 || benchapi.Percentile(lat, 99) >= 100*time.Millisecond || missed > 0 || tr.wrong > 0 {
		verdict = "NOT met"
	}
	fmt.Fprintf(out, "goal (delivery p99 < 100 ms, nothing missed, nothing to the wrong stream): %s\n", verdict)
	fmt.Fprintln(out, "| streams | senders | replies/s | delivery p50 | p95 | p99 | max | POST p50 | POST p99 | missed | wrong stream | KiB per stream | server CPU ms/reply |")
	if len(lat) > 0 {
		fmt.Fprintf(out, "| %d | %d | %.0f | %s | %s | %s | %s | %s | %s | %d | %d | %.0f | %s |\n", cfg.Streams, cfg.Senders, rate,
			ms(benchapi.Percentile(lat, 50)), ms(benchapi.Percentile(lat, 95)), ms(benchapi.Percentile(lat, 99)), ms(benchapi.Percentile(lat, 100)), ms(benchapi.Percentile(res.posts, 50)), ms(benchapi.Percentile(res.posts, 99)),
			missed, tr.wrong, perStream, cpuPer)
	}
	if tr.wrong > 0 {
		return fmt.Errorf("%d events reached a stream they were not for", tr.wrong)
	}
	return nil
}

// raiseFileLimit lifts the soft limit on open files to at least n (up to
// the hard limit): every stream holds a connection.
func raiseFileLimit(n uint64) error {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return err
	}
	if l.Cur >= n {
		return nil
	}
	if l.Max < n {
		return fmt.Errorf("open files: need %d, the hard limit is %d", n, l.Max)
	}
	l.Cur = n
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
}

// procStatus is a process's resident memory in KiB (VmRSS) and its
// thread count, from /proc/<pid>/status (0, 0 for pid 0).
func procStatus(pid int) (rssKiB int64, threads int) {
	if pid <= 0 {
		return 0, 0
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		switch k {
		case "VmRSS":
			rssKiB, _ = strconv.ParseInt(f[0], 10, 64)
		case "Threads":
			threads, _ = strconv.Atoi(f[0])
		}
	}
	return rssKiB, threads
}

// cpuOf is each process's user + system time so far (0 for pid 0).
func cpuOf(pids ...int) [4]time.Duration {
	var out [4]time.Duration
	for i, pid := range pids {
		if pid <= 0 {
			continue
		}
		d, err := proccpu.Of(pid)
		if err != nil {
			log.Fatal(err)
		}
		out[i] = d
	}
	return out
}

func perSecond(from, to, over time.Duration) float64 {
	return float64((to - from).Microseconds()) / 1000 / over.Seconds()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
