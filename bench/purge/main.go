// Command purge measures the retention purge (R14, issue 8): the purge
// rate while customer sends are held at a steady rate, the sends' latency
// then against their latency with no purge running, and the unthrottled
// purge rate. It runs on a database filled by bench/gen:
//
//	go run ./bench/gen -db mysql://root@127.0.0.1:3306/parley_purge -conversations 1000000 -messages 10000000
//	go run ./bench/purge -db mysql://root@127.0.0.1:3306/parley_purge -days 365 -rate 100 -max 3m -then-days 365
//
// bench/gen spreads activity over two years, so -days 365 purges about
// half the messages. The first run purges with the sends going on (for
// -max, or to the end); -then-days runs a second, unthrottled purge with
// no sends on what is left, with its own cut-off (the same number of days
// finishes the first cut-off's work; fewer days purge newer messages), so
// one generated data set gives both figures. The purge deletes for real:
// use a copy.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/bench/internal/benchdb"
	"github.com/parleyhq/parley/bench/internal/proccpu"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// config is one measurement.
type config struct {
	Days     int           // retention_days to purge with
	Rate     int           // customer sends per second (0: none, the unthrottled purge)
	Warm     time.Duration // sends at the rate, not measured, before the idle ones (a freshly started server's cold cache)
	Idle     time.Duration // how long the idle sends are measured first
	Batch    int           // purge batch size
	Pause    time.Duration // pause between purge batches
	Slot     time.Time     // the purge slot (its cut-off is Slot - Days)
	Targets  int           // newest conversations the sends go to
	Senders  int           // at most this many sends in flight
	MaxPurge time.Duration // stop the purge after this long (0: run to the end)
	Share    float64       // a fixed fraction of the time the throttled purge works (inbox.PurgeOptions.Share; 0: production's adaptive pace)
	MaxShare float64       // the adaptive pace's ceiling (inbox.PurgeOptions.MaxShare; 0: production's)
	ThenDays int           // then an unthrottled purge with this retention (0: none)
	ThenMax  time.Duration // stop the unthrottled purge after this long (0: to the end)
	DBPid    int           // the database server's pid, for its CPU time (0: not measured)
	Settle   time.Duration // after each purge, wait up to this long for InnoDB's history list to drain (0: don't)
	Apart    bool          // the sends run in a process of their own, as a web node beside a worker does
	DBURL    string
}

// report is what a measurement found.
type report struct {
	Deleted                 int64
	Kept                    int64
	Conversations           int64
	PurgeTime               time.Duration
	Rate                    float64 // deleted messages per second
	IdleSends, PurgeSends   int
	IdleP50, IdleP99        time.Duration
	PurgeP50, PurgeP99      time.Duration
	IdleErrors, PurgeErrors int
	PurgeLatencies          []time.Duration // the sends' during the purge, in the order they finished
	Finished                bool
	Steps                   map[string]time.Duration
	DBCPU, SelfCPU          time.Duration
	Run                     purgeRun  // the throttled purge as runPurge saw it
	Then                    *purgeRun // the unthrottled purge (-then-days)
}

// purgeRun is what one purge run did.
type purgeRun struct {
	Days                   int
	Deleted, Kept          int64
	Conversations, Batches int64
	Time                   time.Duration
	Rate                   float64
	Finished               bool
	Steps                  map[string]time.Duration
	DBCPU, SelfCPU         time.Duration // user+system time of the database server and of this process during the run
	History                int64         // InnoDB's history list length when the purge stopped (-1: not MariaDB/MySQL)
	SettleTime, SettleCPU  time.Duration // how long the history list took to drain after it (-settle), and the server's CPU meanwhile
	Settled                bool
	LockWaits              int64         // InnoDB row lock waits during the run, anyone's (-1: not MariaDB/MySQL)
	LockWaitTime           time.Duration // and the time waited in them
}

type noLimit struct{}

func (noLimit) Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	return true, 0, nil
}

func main() {
	dbURL := flag.String("db", "mysql://root@127.0.0.1:3306/parley_purge", "database URL (a copy filled by bench/gen)")
	cfg := config{}
	flag.IntVar(&cfg.Days, "days", 365, "retention_days for the purge")
	flag.IntVar(&cfg.Rate, "rate", 100, "customer sends per second during the purge (0: none)")
	flag.DurationVar(&cfg.Warm, "warm", 30*time.Second, "sends at the rate before the idle ones, not measured: a freshly started database's cold cache made the idle p99 tens of times the warm one")
	flag.DurationVar(&cfg.Idle, "idle", 20*time.Second, "how long to measure the sends with no purge first")
	flag.IntVar(&cfg.Batch, "batch", inbox.DefaultPurgeBatch, "purge batch size")
	flag.DurationVar(&cfg.Pause, "pause", 0, "a fixed pause between purge batches")
	flag.Float64Var(&cfg.Share, "share", 0, "a fixed fraction of the time the throttled purge works (0: production's adaptive pace; 1: no pause)")
	flag.Float64Var(&cfg.MaxShare, "max-share", 0, "the adaptive pace's ceiling, the most of the time the throttled purge works (0: production's, inbox.DefaultPurgeMaxShare)")
	flag.IntVar(&cfg.ThenDays, "then-days", 0, "then an unthrottled purge, no sends, with this retention_days (0: none)")
	flag.DurationVar(&cfg.ThenMax, "then-max", 0, "stop the unthrottled purge after this long (0: to the end)")
	flag.IntVar(&cfg.Targets, "targets", 2000, "the sends go to this many of the newest conversations")
	flag.IntVar(&cfg.Senders, "senders", 64, "most sends in flight")
	flag.DurationVar(&cfg.MaxPurge, "max", 0, "stop the purge after this long (0: to the end)")
	flag.IntVar(&cfg.DBPid, "db-pid", 0, "the database server's pid: report its CPU time per deleted message (/proc/<pid>/stat)")
	flag.DurationVar(&cfg.Settle, "settle", 0, "after each purge wait up to this long for InnoDB's history list (undo not yet purged) to drain, and report the time and the server's CPU it took (0: don't wait)")
	flag.BoolVar(&cfg.Apart, "apart", false, "send from a second process (this command run with -sends-only), as production's web node sends beside a worker that purges; default: the sends and the purge share this process, as in `parley serve` with its worker")
	sendsOnly := flag.Bool("sends-only", false, "internal (-apart): only send at -rate, reporting the latencies so far on stdout whenever a line arrives on stdin, until stdin closes")
	sweep := flag.Duration("sweep", 0, "then sweep the purged conversations' search words (the clean-up job's work), unthrottled, for up to this long, and report its rate and the server's CPU (0: don't)")
	neighbourFor := flag.Duration("neighbours", 0, "instead of purging: the machine test — the sends idle, beside a busy-loop process, idle, beside a memory-bound process, idle, each for this long (see neighbour.go)")
	burnKind := flag.String("burn", "", "internal (-neighbours): be the neighbour, cpu or memory, for -for")
	burnFor := flag.Duration("for", 0, "internal (-burn): how long")
	flag.Parse()
	if *burnKind != "" {
		if err := burn(*burnKind, *burnFor); err != nil {
			log.Fatal(err)
		}
		return
	}
	cfg.Slot = time.Now().UTC().Truncate(time.Second)
	ctx := context.Background()
	st, err := benchdb.Open(ctx, *dbURL)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	cfg.DBURL = *dbURL
	if *sendsOnly {
		if err := sendsOnlyMain(ctx, st, cfg); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *neighbourFor > 0 {
		if err := neighbours(ctx, st, cfg, *neighbourFor, log.New(os.Stderr, "purge: ", log.LstdFlags)); err != nil {
			log.Fatal(err)
		}
		return
	}
	rep, err := measure(ctx, st, cfg, log.New(os.Stderr, "purge: ", log.LstdFlags))
	if err != nil {
		log.Fatal(err)
	}
	printReport(cfg, rep)
	if *sweep > 0 {
		if err := sweepWords(ctx, st, *sweep, cfg.DBPid); err != nil {
			log.Fatal(err)
		}
	}
}

// sweepWords times the clean-up job's sweep of the purged conversations'
// search words, unthrottled, in its chunks.
func sweepWords(ctx context.Context, st *models.Store, limit time.Duration, dbPid int) error {
	var queued0, queued1 int64
	if err := st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM conversation_words_gone`).Scan(&queued0); err != nil {
		return err
	}
	dbTime := func() time.Duration {
		if dbPid == 0 {
			return 0
		}
		return cpu(dbPid)
	}
	start, cpu0 := time.Now(), dbTime()
	var swept int
	for time.Since(start) < limit {
		n, err := st.SweepGoneWords(ctx, 100)
		if err != nil {
			return err
		}
		swept += n
		if n == 0 {
			break
		}
	}
	took, dbCPU := time.Since(start), dbTime()-cpu0
	if err := st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM conversation_words_gone`).Scan(&queued1); err != nil {
		return err
	}
	fmt.Printf("word sweep (unthrottled, 100 conversations a transaction): %d purged conversations' words deleted in %s: %.0f conversations/s; "+
		"database server CPU %.1f ms per 1,000 conversations; %d of %d still queued\n",
		swept, took.Round(time.Millisecond), float64(swept)/took.Seconds(), float64(dbCPU.Microseconds())/1000/float64(max(swept, 1))*1000, queued1, queued0)
	return nil
}

func printReport(cfg config, r report) {
	pace := "adaptive pace"
	if cfg.MaxShare > 0 {
		pace = fmt.Sprintf("adaptive pace up to %.2f", cfg.MaxShare)
	}
	if cfg.Share > 0 {
		pace = fmt.Sprintf("fixed share %.2f", cfg.Share)
	}
	fmt.Printf("purge (%d days, batch %d, %s, sends at %d/s): %d messages deleted (%d kept, %d conversations deleted) in %s: %.0f messages/s (finished %v; worked %.0f%% of the time)\n",
		cfg.Days, cfg.Batch, pace, cfg.Rate, r.Deleted, r.Kept, r.Conversations, r.PurgeTime.Round(time.Millisecond), r.Rate, r.Finished, 100*worked(r.Steps, r.PurgeTime))
	fmt.Printf("  steps: %s\n", steps(r.Steps))
	fmt.Printf("  CPU during it (sends included): %s\n", cpuLine(cfg, r.DBCPU, r.SelfCPU, r.Deleted))
	if l := historyLine(cfg, r.Run); l != "" {
		fmt.Printf("  %s\n", l)
	}
	ratio := 0.0
	if cfg.Rate > 0 {
		if r.IdleP99 > 0 {
			ratio = float64(r.PurgeP99) / float64(r.IdleP99)
		}
		fmt.Printf("sends at %d/s: idle p50 %s p99 %s (%d sends, %d errors); during the purge p50 %s p99 %s (%d sends, %d errors); p99 ratio %.2f\n",
			cfg.Rate, r.IdleP50, r.IdleP99, r.IdleSends, r.IdleErrors, r.PurgeP50, r.PurgeP99, r.PurgeSends, r.PurgeErrors, ratio)
		if n := len(r.PurgeLatencies); n >= 600 {
			// Where in the purge the slow sends were: p99 per sixth of it.
			fmt.Printf("  sends' p99 per sixth of the purge:")
			for i := range 6 {
				fmt.Printf(" %s", percentile(r.PurgeLatencies[i*n/6:(i+1)*n/6], 0.99))
			}
			fmt.Println()
		}
	}
	if t := r.Then; t != nil {
		fmt.Printf("unthrottled purge (%d days, batch %d, no sends): %d messages deleted (%d kept, %d conversations deleted) in %s: %.0f messages/s (finished %v)\n",
			t.Days, cfg.Batch, t.Deleted, t.Kept, t.Conversations, t.Time.Round(time.Millisecond), t.Rate, t.Finished)
		fmt.Printf("  steps: %s\n", steps(t.Steps))
		fmt.Printf("  CPU: %s\n", cpuLine(cfg, t.DBCPU, t.SelfCPU, t.Deleted))
		if l := historyLine(cfg, *t); l != "" {
			fmt.Printf("  %s\n", l)
		}
	}
	fmt.Printf("SUMMARY purge %.0f messages/s with sends at %d/s (goal >= 20000) | sends p99 idle %s, during the purge %s, ratio %.2f (goal < 2)",
		r.Rate, cfg.Rate, r.IdleP99, r.PurgeP99, ratio)
	if t := r.Then; t != nil {
		fmt.Printf(" | unthrottled %.0f messages/s", t.Rate)
	}
	fmt.Println()
}

// cpuLine is the CPU time per 1,000 deleted messages of the database
// server (with -db-pid) and of this process.
func cpuLine(cfg config, db, self time.Duration, deleted int64) string {
	per := func(d time.Duration) string {
		if deleted == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000/float64(deleted)*1000)
	}
	out := fmt.Sprintf("this process %s per 1,000 deleted messages", per(self))
	if cfg.DBPid > 0 {
		out = fmt.Sprintf("database server %s + %s", per(db), out)
	}
	return out
}

// historyLine reports InnoDB's history list (undo the server has still to
// purge) when the purge stopped and, with -settle, how long it took to
// drain and the server's CPU meanwhile, which belongs to the purge too.
func historyLine(cfg config, r purgeRun) string {
	if r.History < 0 {
		return ""
	}
	out := fmt.Sprintf("InnoDB row lock waits during it (anyone's): %d, %s in all; history list at the end: %d", r.LockWaits, r.LockWaitTime, r.History)
	if cfg.Settle > 0 {
		state := "drained"
		if !r.Settled {
			state = "still not drained"
		}
		out += fmt.Sprintf("; %s after %s, the server's CPU meanwhile %s", state, r.SettleTime.Round(100*time.Millisecond), r.SettleCPU.Round(10*time.Millisecond))
		if cfg.DBPid > 0 && r.Deleted > 0 {
			out += fmt.Sprintf(" (purge and drain: %.1f ms per 1,000 deleted messages)", float64((r.DBCPU+r.SettleCPU).Microseconds())/1000/float64(r.Deleted)*1000)
		}
	}
	return out
}

// globalStatus reads the named counters of the server's SHOW GLOBAL
// STATUS (nil on SQLite; a counter the server lacks is missing).
func globalStatus(ctx context.Context, st *models.Store, names ...string) (map[string]int64, error) {
	if st.Config.Dialect != models.MySQL {
		return nil, nil
	}
	rows, err := st.DB.QueryContext(ctx, `SHOW GLOBAL STATUS WHERE Variable_name IN ('`+strings.Join(names, `', '`)+`')`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		out[name] = n
	}
	return out, rows.Err()
}

// rowLockWaits is how many InnoDB row lock waits the server has counted
// and the time spent in them (-1 on SQLite).
func rowLockWaits(ctx context.Context, st *models.Store) (int64, time.Duration, error) {
	m, err := globalStatus(ctx, st, "Innodb_row_lock_waits", "Innodb_row_lock_time")
	if m == nil || err != nil {
		return -1, 0, err
	}
	return m["Innodb_row_lock_waits"], time.Duration(m["Innodb_row_lock_time"]) * time.Millisecond, nil
}

// historyLength is InnoDB's history list length (-1 on SQLite).
func historyLength(ctx context.Context, st *models.Store) (int64, error) {
	m, err := globalStatus(ctx, st, "Innodb_history_list_length")
	if err != nil {
		return 0, err
	}
	n, ok := m["Innodb_history_list_length"]
	if !ok {
		return -1, nil
	}
	return n, nil
}

// settle waits up to max for the history list to drain (under 1,000
// entries) and reports how long it took, the database server's CPU
// meanwhile and whether it drained.
func settle(ctx context.Context, st *models.Store, max time.Duration, dbPid int) (time.Duration, time.Duration, bool, error) {
	start, db0 := time.Now(), cpu(dbPid)
	for {
		n, err := historyLength(ctx, st)
		if err != nil || n < 1000 {
			return time.Since(start), cpu(dbPid) - db0, err == nil, err
		}
		if time.Since(start) > max {
			return time.Since(start), cpu(dbPid) - db0, false, nil
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// cpu is a process's user + system time so far; 0 for pid 0.
func cpu(pid int) time.Duration {
	d, err := proccpu.Of(pid)
	if err != nil {
		log.Fatal(err)
	}
	return d
}

// worked is the fraction of the run spent outside the pauses.
func worked(s map[string]time.Duration, total time.Duration) float64 {
	if total <= 0 {
		return 0
	}
	return 1 - float64(s["pause"])/float64(total)
}

// steps lists the time per step of a batch, in the order a batch runs them.
func steps(s map[string]time.Duration) string {
	out := ""
	for _, k := range []string{"candidates", "lock", "delete", "non-empty", "fix-conversations", "empty-conversations", "progress", "transaction", "pause"} {
		if d, ok := s[k]; ok {
			out += fmt.Sprintf("%s %s, ", k, d.Round(time.Millisecond))
		}
	}
	if out == "" {
		return "-"
	}
	return out[:len(out)-2]
}

// target is a conversation and its customer.
type target struct {
	conv int64
	cust models.Actor
}

func targets(ctx context.Context, st *models.Store, n int) ([]target, error) {
	rows, err := st.DB.QueryContext(ctx, `SELECT id, customer_id FROM conversations ORDER BY id DESC LIMIT ?`, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []target
	for rows.Next() {
		var t target
		if err := rows.Scan(&t.conv, &t.cust.ID); err != nil {
			return nil, err
		}
		t.cust.Kind, t.cust.Role, t.cust.Name = models.ActorCustomer, models.RoleCustomer, fmt.Sprintf("customer-%d", t.cust.ID)
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no conversations: fill the database with bench/gen first")
	}
	return out, rows.Err()
}

// sends is where the measured sends come from: a sender in this process
// or one in a second process (-apart).
type sends interface {
	take() ([]time.Duration, int, error) // the latencies and errors since the last take
	close() error                        // stop sending, after the sends in flight
}

// sender sends customer messages at a fixed rate (open loop: a slow send
// does not delay the next one) until closed, and records each latency.
type sender struct {
	svc     *inbox.Service
	targets []target
	rate    int
	slots   chan struct{}
	stop    chan struct{}
	done    chan struct{}

	mu        sync.Mutex
	latencies []time.Duration
	errors    int
}

// newService is the inbox the purge and the sends go through.
func newService(st *models.Store) (*inbox.Service, error) {
	pol, err := policies.New()
	if err != nil {
		return nil, err
	}
	return inbox.New(st, pol, inbox.SystemClock{}, noLimit{}), nil
}

// startSender starts sending at rate from this process, through svc.
func startSender(ctx context.Context, st *models.Store, svc *inbox.Service, cfg config) (*sender, error) {
	ts, err := targets(ctx, st, cfg.Targets)
	if err != nil {
		return nil, err
	}
	if cfg.Senders <= 0 {
		cfg.Senders = 64
	}
	s := &sender{svc: svc, targets: ts, rate: cfg.Rate,
		slots: make(chan struct{}, cfg.Senders), stop: make(chan struct{}), done: make(chan struct{})}
	go func() { s.run(); close(s.done) }()
	return s, nil
}

func (s *sender) close() error {
	close(s.stop)
	<-s.done
	return nil
}

func (s *sender) run() {
	if s.rate <= 0 {
		<-s.stop
		return
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	tick := time.NewTicker(time.Second / time.Duration(s.rate))
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
		t := s.targets[rng.IntN(len(s.targets))]
		select {
		case s.slots <- struct{}{}:
		default:
			s.record(0, fmt.Errorf("too many sends in flight"))
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-s.slots }()
			start := time.Now()
			_, _, err := s.svc.Send(context.Background(), t.cust, t.conv, models.KindReply, fmt.Sprintf("bench message %d", i))
			s.record(time.Since(start), err)
		}()
	}
}

func (s *sender) record(d time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.errors++
		return
	}
	s.latencies = append(s.latencies, d)
}

func (s *sender) take() ([]time.Duration, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, e := s.latencies, s.errors
	s.latencies, s.errors = nil, 0
	return l, e, nil
}

// taken is what a -sends-only process reports for each line it reads.
type taken struct {
	Latencies []time.Duration `json:"latencies"`
	Errors    int             `json:"errors"`
}

// sendsOnlyMain is the second process of -apart: it sends from the start,
// answers each line on stdin with the latencies since the previous one
// (a JSON line on stdout) and stops when stdin closes.
func sendsOnlyMain(ctx context.Context, st *models.Store, cfg config) error {
	svc, err := newService(st)
	if err != nil {
		return err
	}
	s, err := startSender(ctx, st, svc, cfg)
	if err != nil {
		return err
	}
	in, out := bufio.NewScanner(os.Stdin), json.NewEncoder(os.Stdout)
	for in.Scan() {
		l, e, _ := s.take()
		if err := out.Encode(taken{Latencies: l, Errors: e}); err != nil {
			return err
		}
	}
	return errors.Join(in.Err(), s.close())
}

// apartSender drives a -sends-only process.
type apartSender struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// startApart starts this command again with -sends-only: its sends share
// nothing with the purge but the database, as a web node's beside a worker.
func startApart(cfg config) (*apartSender, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-sends-only", "-db", cfg.DBURL, "-rate", fmt.Sprint(cfg.Rate),
		"-targets", fmt.Sprint(cfg.Targets), "-senders", fmt.Sprint(cfg.Senders))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &apartSender{cmd: cmd, in: in, out: bufio.NewReader(out)}, nil
}

func (a *apartSender) take() ([]time.Duration, int, error) {
	if _, err := io.WriteString(a.in, "take\n"); err != nil {
		return nil, 0, fmt.Errorf("sends process: %w", err)
	}
	line, err := a.out.ReadBytes('\n')
	if err != nil {
		return nil, 0, fmt.Errorf("sends process: %w", err)
	}
	var t taken
	if err := json.Unmarshal(line, &t); err != nil {
		return nil, 0, fmt.Errorf("sends process: %w", err)
	}
	return t.Latencies, t.Errors, nil
}

func (a *apartSender) close() error {
	a.in.Close()
	return a.cmd.Wait()
}

func percentile(ls []time.Duration, p float64) time.Duration {
	if len(ls) == 0 {
		return 0
	}
	s := slices.Clone(ls)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p)
	return s[i].Round(10 * time.Microsecond)
}

// measure runs the idle sends, then the purge with the sends going on.
func measure(ctx context.Context, st *models.Store, cfg config, logger *log.Logger) (report, error) {
	var r report
	svc, err := newService(st)
	if err != nil {
		return r, err
	}
	var snd sends
	if cfg.Apart {
		snd, err = startApart(cfg)
	} else {
		snd, err = startSender(ctx, st, svc, cfg)
	}
	if err != nil {
		return r, err
	}
	sendsOpen := true
	defer func() {
		if sendsOpen {
			snd.close()
		}
	}()
	if cfg.Rate > 0 && cfg.Warm > 0 {
		logger.Printf("warming up: sends at %d/s for %s, not measured", cfg.Rate, cfg.Warm)
		time.Sleep(cfg.Warm)
		if _, _, err := snd.take(); err != nil {
			return r, err
		}
	}
	if cfg.Rate > 0 && cfg.Idle > 0 {
		logger.Printf("idle sends at %d/s for %s", cfg.Rate, cfg.Idle)
		time.Sleep(cfg.Idle)
		ls, errs, err := snd.take()
		if err != nil {
			return r, err
		}
		r.IdleSends, r.IdleErrors, r.IdleP50, r.IdleP99 = len(ls), errs, percentile(ls, 0.5), percentile(ls, 0.99)
	}
	logger.Printf("purge of slot %s (retention %d days), sends at %d/s", cfg.Slot.Format(time.RFC3339), cfg.Days, cfg.Rate)
	pr, err := runPurge(ctx, svc, st, cfg.Slot, cfg.Days, inbox.PurgeOptions{BatchSize: cfg.Batch, Pause: cfg.Pause, Share: cfg.Share, MaxShare: cfg.MaxShare}, cfg.MaxPurge, 0, cfg.DBPid, logger)
	if err != nil {
		return r, err
	}
	ls, errs, err := snd.take()
	if err != nil {
		return r, err
	}
	sendsOpen = false
	if err := snd.close(); err != nil {
		return r, err
	}
	r.PurgeSends, r.PurgeErrors, r.PurgeP50, r.PurgeP99 = len(ls), errs, percentile(ls, 0.5), percentile(ls, 0.99)
	r.PurgeLatencies = ls
	r.Finished, r.Deleted, r.Conversations, r.Kept, r.PurgeTime, r.Rate, r.Steps = pr.Finished, pr.Deleted, pr.Conversations, pr.Kept, pr.Time, pr.Rate, pr.Steps
	if cfg.Settle > 0 && pr.History >= 0 {
		// After the sends stopped: the drain is the purge's own work.
		logger.Printf("waiting for InnoDB's history list (%d) to drain", pr.History)
		if pr.SettleTime, pr.SettleCPU, pr.Settled, err = settle(ctx, st, cfg.Settle, cfg.DBPid); err != nil {
			return r, err
		}
	}
	r.DBCPU, r.SelfCPU, r.Run = pr.DBCPU, pr.SelfCPU, pr
	if cfg.ThenDays > 0 {
		// A second slot a second later, with its own cut-off: what the
		// first left (kept rows, or the rest of a run cut short by -max)
		// is walked again; no sends, no pause.
		slot := cfg.Slot.Add(time.Second)
		logger.Printf("unthrottled purge of slot %s (retention %d days), no sends", slot.Format(time.RFC3339), cfg.ThenDays)
		t, err := runPurge(ctx, svc, st, slot, cfg.ThenDays, inbox.PurgeOptions{BatchSize: cfg.Batch, Share: 1}, cfg.ThenMax, cfg.Settle, cfg.DBPid, logger)
		if err != nil {
			return r, err
		}
		r.Then = &t
	}
	return r, nil
}

// runPurge runs one purge slot with retention days, stopped after max
// (0: to the end), and reports what it did.
func runPurge(ctx context.Context, svc *inbox.Service, st *models.Store, slot time.Time, days int, o inbox.PurgeOptions, max, settleMax time.Duration, dbPid int, logger *log.Logger) (purgeRun, error) {
	r := purgeRun{Days: days}
	if err := st.PutSetting(ctx, models.SettingRetentionDays, fmt.Sprint(days), time.Now()); err != nil {
		return r, err
	}
	pctx := ctx
	if max > 0 {
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(ctx, max)
		defer cancel()
	}
	waits0, waitTime0, err := rowLockWaits(ctx, st)
	if err != nil {
		return r, err
	}
	start := time.Now()
	db0, self0 := cpu(dbPid), cpu(os.Getpid())
	var tmu sync.Mutex
	steps := map[string]time.Duration{}
	o.Trace = func(step string, d time.Duration) { tmu.Lock(); steps[step] += d; tmu.Unlock() }
	o.AfterBatch = func(n int) error {
		if n%100 == 0 {
			logger.Printf("%d batches, %s", n, time.Since(start).Round(time.Second))
		}
		return nil
	}
	res, err := svc.PurgeSlot(pctx, slot, o)
	r.Time = time.Since(start)
	r.DBCPU, r.SelfCPU = cpu(dbPid)-db0, cpu(os.Getpid())-self0
	tmu.Lock()
	r.Steps = steps
	logger.Printf("time per step: %v", steps)
	tmu.Unlock()
	if err != nil && pctx.Err() == nil {
		return r, err
	}
	if err != nil { // stopped by max: read the progress it committed
		run, rerr := st.RetentionRunAt(ctx, slot)
		if rerr != nil {
			return r, rerr
		}
		res.Counts, res.Batches = run.Counts, run.Batches
	}
	if r.History, err = historyLength(ctx, st); err != nil {
		return r, err
	}
	waits1, waitTime1, err := rowLockWaits(ctx, st)
	if err != nil {
		return r, err
	}
	r.LockWaits, r.LockWaitTime = waits1-waits0, waitTime1-waitTime0
	if waits0 < 0 {
		r.LockWaits = -1
	}
	if settleMax > 0 && r.History >= 0 {
		logger.Printf("waiting for InnoDB's history list (%d) to drain", r.History)
		if r.SettleTime, r.SettleCPU, r.Settled, err = settle(ctx, st, settleMax, dbPid); err != nil {
			return r, err
		}
	}
	r.Finished, r.Batches = res.Finished, res.Batches
	r.Deleted, r.Conversations = res.Counts.DeletedMessages, res.Counts.DeletedConversations
	r.Kept = res.Counts.KeptEscalated + res.Counts.KeptOpenOrder
	if r.Time > 0 {
		r.Rate = float64(r.Deleted) / r.Time.Seconds()
	}
	return r, nil
}
