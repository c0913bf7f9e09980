// Command send measures customers' sends against a running Parley web node
// (issue 7's benchmark): it creates -customers customers through the
// integration API, signs each in with a signed identity token, starts one
// conversation each, then sends from -conns concurrent connections for
// -duration, every customer well under their R11 limits. It reports the
// accepted messages/s, p50/p99 latency, the CPU per accepted send (the
// server's and MariaDB's user+system time from /proc/<pid>/stat across the
// run, divided by the accepted sends), the statements per send (MariaDB's
// Com_* counters) and the outbox: its backlog when the sends stop and how
// fast it drains (start a worker alongside, or after with -drain-wait).
// With -drain-only it sends nothing and times a worker started just before
// draining what an earlier run left (rows/s, CPU per row).
//
//	go run ./bench/send -base http://127.0.0.1:8141 -key "$KEY" -identity-secret "$SECRET" \
//	    -db 'root@tcp(127.0.0.1:3308)/parley_send' -server-pid $PID -db-pid $(pgrep -f m3308.cnf)
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"github.com/parleyhq/parley/bench/internal/benchapi"
	"github.com/parleyhq/parley/bench/internal/proccpu"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8141", "the web node")
	key := flag.String("key", "", "an integration key (parley apikey create --name bench)")
	secret := flag.String("identity-secret", "", "PARLEY_IDENTITY_SECRET of the node")
	n := flag.Int("customers", 4000, "customers to create and send as")
	conns := flag.Int("conns", 32, "concurrent connections")
	dur := flag.Duration("duration", 60*time.Second, "how long to send")
	setupConns := flag.Int("setup-conns", 8, "concurrent connections while creating customers")
	dsn := flag.String("db", "", "go-sql-driver DSN of the node's database, for statement counts and the outbox (root@tcp(127.0.0.1:3308)/parley_send)")
	serverPID := flag.Int("server-pid", 0, "pid of the web node (parley serve --no-worker)")
	dbPID := flag.Int("db-pid", 0, "pid of mariadbd")
	drainWait := flag.Duration("drain-wait", 5*time.Minute, "after the sends, how long to wait for the outbox to empty (0: do not wait)")
	prefix := flag.String("prefix", "", "external id prefix of the customers (default: a random one per run)")
	drainOnly := flag.Bool("drain-only", false, "send nothing: time a worker draining the outbox (with -db, -drain-wait; CPU per row with -worker-pid, -db-pid, -redis-pid)")
	workerPID := flag.Int("worker-pid", 0, "with -drain-only: pid of parley worker")
	redisPID := flag.Int("redis-pid", 0, "with -drain-only: pid of redis-server")
	flag.Parse()
	if *drainOnly {
		if *dsn == "" || *drainWait <= 0 {
			log.Fatal("-drain-only needs -db and a -drain-wait")
		}
		db, err := sql.Open("mysql", *dsn+"?parseTime=true")
		if err != nil {
			log.Fatal(err)
		}
		drain(db, *drainWait, *workerPID, *dbPID, *redisPID)
		return
	}
	if *key == "" || *secret == "" {
		log.Fatal("-key and -identity-secret are required")
	}
	if *prefix == "" {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		*prefix = "send-" + hex.EncodeToString(b)
	}
	tr := &http.Transport{MaxIdleConns: *conns * 2, MaxIdleConnsPerHost: *conns * 2, IdleConnTimeout: time.Minute}
	cl := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var db *sql.DB
	if *dsn != "" {
		var err error
		if db, err = sql.Open("mysql", *dsn+"?parseTime=true"); err != nil {
			log.Fatal(err)
		}
		db.SetMaxOpenConns(2)
	}

	// Setup: customers through the integration API, identity sign-in, one
	// conversation each.
	t0 := time.Now()
	custs, err := benchapi.NewCustomers(context.Background(), cl, *base, *key, *secret, *prefix, *n, *setupConns)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("setup: %d customers (integration API + identity sign-in + a conversation each) in %s\n", *n, time.Since(t0).Round(time.Millisecond))
	time.Sleep(2 * time.Second) // let the setup's writes settle
	var wg sync.WaitGroup

	// The run.
	cpu0s, cpu0d := cpuOf(*serverPID), cpuOf(*dbPID)
	com0 := comStatus(db)
	outbox0 := pendingOutbox(db)
	start := time.Now()
	deadline := start.Add(*dur)
	lat := make([][]time.Duration, *conns)
	codes := make([]map[int]int, *conns)
	for w := 0; w < *conns; w++ {
		wg.Add(1)
		codes[w] = map[int]int{}
		go func(w int) {
			defer wg.Done()
			k := 0
			for time.Now().Before(deadline) {
				// Customer w, w+conns, w+2·conns, …: spread evenly, each
				// one's sends far apart.
				i := (w + k*(*conns)) % *n
				k++
				c := custs[i]
				body := fmt.Sprintf(`{"body":"benchmark message %d from worker %d"}`, k, w)
				t := time.Now()
				code, err := benchapi.Request(context.Background(), cl, http.MethodPost, *base+"/api/v1/conversations/"+strconv.FormatInt(c.Conv, 10)+"/messages", c.Token, body, nil)
				if err != nil {
					codes[w][-1]++
					continue
				}
				codes[w][code]++
				if code == http.StatusCreated || code == http.StatusOK {
					lat[w] = append(lat[w], time.Since(t))
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1s, cpu1d := cpuOf(*serverPID), cpuOf(*dbPID)
	com1 := comStatus(db)
	backlog := pendingOutbox(db)

	var all []time.Duration
	total := map[int]int{}
	for w := range lat {
		all = append(all, lat[w]...)
		for c, k := range codes[w] {
			total[c] += k
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	acc := len(all)
	fmt.Printf("sends: %d accepted in %s at %d connections: %.0f accepted/s; answers %v\n", acc, elapsed.Round(time.Millisecond), *conns, float64(acc)/elapsed.Seconds(), total)
	if acc > 0 {
		fmt.Printf("latency: p50 %s  p99 %s  max %s\n", benchapi.Percentile(all, 50), benchapi.Percentile(all, 99), all[len(all)-1])
	}
	if acc > 0 && *serverPID > 0 {
		s := float64((cpu1s - cpu0s).Microseconds()) / 1000 / float64(acc)
		d := 0.0
		if *dbPID > 0 {
			d = float64((cpu1d - cpu0d).Microseconds()) / 1000 / float64(acc)
		}
		fmt.Printf("CPU per accepted send: %.2f ms (server %.2f ms + MariaDB %.2f ms)\n", s+d, s, d)
	}
	if com0 != nil && acc > 0 {
		type kv struct {
			k string
			v float64
		}
		var per []kv
		sum := 0.0
		for k, v1 := range com1 {
			if d := float64(v1 - com0[k]); d > 0 {
				switch k {
				case "Com_select", "Com_insert", "Com_update", "Com_delete", "Com_replace", "Com_begin", "Com_commit", "Com_rollback", "Com_stmt_execute", "Com_stmt_prepare", "Com_stmt_close", "Com_insert_select", "Com_set_option":
					per = append(per, kv{k, d / float64(acc)})
					if k != "Com_stmt_execute" && k != "Com_stmt_prepare" && k != "Com_stmt_close" {
						sum += d / float64(acc)
					}
				}
			}
		}
		sort.Slice(per, func(i, j int) bool { return per[i].v > per[j].v })
		var parts []string
		for _, p := range per {
			parts = append(parts, fmt.Sprintf("%s %.2f", strings.TrimPrefix(p.k, "Com_"), p.v))
		}
		fmt.Printf("statements per accepted send: %.2f (%s)\n", sum, strings.Join(parts, ", "))
	}
	if db == nil {
		return
	}
	fmt.Printf("outbox: %d pending before the run, %d when the sends stopped\n", outbox0, backlog)
	if *drainWait <= 0 || backlog == 0 {
		return
	}
	// Drain: poll until empty; the rate is measured from the first drop.
	end := time.Now()
	var first time.Time
	firstLeft := backlog
	for time.Since(end) < *drainWait {
		left := pendingOutbox(db)
		if left < firstLeft && first.IsZero() {
			first, firstLeft = time.Now(), left
		}
		if left == 0 {
			since := time.Since(end)
			rate := ""
			if !first.IsZero() && time.Since(first) > 0 {
				rate = fmt.Sprintf("; drain rate %.0f rows/s", float64(firstLeft)/time.Since(first).Seconds())
			}
			fmt.Printf("outbox: empty %s after the sends stopped%s\n", since.Round(100*time.Millisecond), rate)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Printf("outbox: %d still pending %s after the sends stopped (is a worker running?)\n", pendingOutbox(db), *drainWait)
	os.Exit(1)
}

// drain waits for a worker started just before to empty the outbox and
// reports its rate and the CPU per drained row of the worker, MariaDB and
// Redis (each from /proc over the drain).
func drain(db *sql.DB, wait time.Duration, pids ...int) {
	rows := pendingOutbox(db)
	if rows == 0 {
		log.Fatal("the outbox is empty: run the sends with the web node started --no-worker first")
	}
	cpu0 := make([]time.Duration, len(pids))
	for i, p := range pids {
		cpu0[i] = cpuOf(p)
	}
	start := time.Now()
	for pendingOutbox(db) > 0 {
		if time.Since(start) > wait {
			log.Fatalf("outbox: %d of %d rows still pending after %s (is a worker running?)", pendingOutbox(db), rows, wait)
		}
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(start)
	fmt.Printf("outbox: %d rows drained in %s: %.0f rows/s\n", rows, took.Round(100*time.Millisecond), float64(rows)/took.Seconds())
	var parts []string
	var sum time.Duration
	for i, name := range []string{"worker", "MariaDB", "Redis"} {
		if pids[i] == 0 {
			continue
		}
		d := (cpuOf(pids[i]) - cpu0[i]) / time.Duration(rows)
		sum += d
		parts = append(parts, fmt.Sprintf("%s %.2f ms", name, float64(d.Microseconds())/1000))
	}
	if len(parts) > 0 {
		fmt.Printf("CPU per drained row: %.2f ms (%s)\n", float64(sum.Microseconds())/1000, strings.Join(parts, " + "))
	}
}

// cpuOf is a process's user + system time so far (0 for pid 0 or less).
func cpuOf(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	d, err := proccpu.Of(pid)
	if err != nil {
		log.Fatal(err)
	}
	return d
}

func comStatus(db *sql.DB) map[string]int64 {
	if db == nil {
		return nil
	}
	rows, err := db.Query(`SHOW GLOBAL STATUS LIKE 'Com\_%'`)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var v int64
		if err := rows.Scan(&k, &v); err == nil {
			out[k] = v
		}
	}
	return out
}

func pendingOutbox(db *sql.DB) int {
	if db == nil {
		return 0
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE done_at IS NULL AND parked_at IS NULL`).Scan(&n); err != nil {
		log.Fatal(err)
	}
	return n
}
