// Command load measures the back office's list, dashboard and thread pages on a
// running Parley server filled by bench/gen: every view is requested by 8
// staff sessions at once (p50/p95 per view), then sequentially by one
// session while the server's and MariaDB's CPU time is read from /proc
// (CPU per request = user+system time used / requests).
//
//	go run ./bench/load -base http://127.0.0.1:8109 -db mysql://root@127.0.0.1:3306/parley_bench \
//	    -server-pid $(pgrep -f 'parley serve' -n) -mysqld-pid $(pidof mariadbd)
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/bench/internal/proccpu"
	"github.com/parleyhq/parley/models"
)

type view struct {
	name string
	path string // for chat admins
	as   string // "agent" when the view is an agent's
	// api is the same list as GET /api/v1/staff/conversations parameters
	// (-store calls the service with them); days marks a dashboard view.
	api  string
	days int
}

func main() {
	base := flag.String("base", "http://127.0.0.1:8109", "server")
	dbURL := flag.String("db", "mysql://root@127.0.0.1:3306/parley_bench", "the benchmark database (for cursors and ids)")
	sessions := flag.Int("sessions", 8, "concurrent staff sessions")
	perSession := flag.Int("n", 20, "requests per session and view in the concurrent run")
	seq := flag.Int("seq", 40, "sequential requests per view for CPU time")
	serverPID := flag.Int("server-pid", 0, "Parley server pid (CPU per request)")
	mysqldPID := flag.Int("mysqld-pid", 0, "mariadbd pid (CPU per request; with -store, MariaDB CPU per call)")
	only := flag.String("only", "", "run only views whose name contains one of these (|-separated)")
	store := flag.Bool("store", false, "no server: call the service's list and dashboard directly on -db, -seq times per view, and time each SQL statement")
	explain := flag.Bool("explain", false, "with -store: print each view's SQL statements with their arguments")
	flag.Parse()
	ctx := context.Background()

	cfg, err := models.ParseDatabaseURL(*dbURL, os.TempDir())
	if err != nil {
		log.Fatal(err)
	}
	db, err := sql.Open(cfg.Driver, cfg.DSN)
	if err != nil {
		log.Fatal(err)
	}
	var at time.Time
	var id int64
	if err := db.QueryRowContext(ctx, `SELECT last_message_at, id FROM conversations ORDER BY last_message_at DESC, id DESC LIMIT 1 OFFSET 24975`).Scan(&at, &id); err != nil {
		log.Fatal(err)
	}
	page1000 := models.EncodeCursor(at.UTC(), id)
	var agentID int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM goadmin_users WHERE username = 'bench-agent1'`).Scan(&agentID); err != nil {
		log.Fatal(err)
	}
	var customer, orderNumber string
	if err := db.QueryRowContext(ctx, `SELECT customer_email FROM conversations WHERE id >= (SELECT MAX(id) FROM conversations) DIV 2 ORDER BY id LIMIT 1`).Scan(&customer); err != nil {
		log.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT o.number FROM conversations c JOIN orders o ON o.id = c.order_id WHERE c.id > (SELECT MAX(id) FROM conversations) DIV 2 LIMIT 1`).Scan(&orderNumber); err != nil {
		log.Fatal(err)
	}
	db.Close()

	const list = "/admin/info/conversation"
	agent := strconv.FormatInt(agentID, 10)
	views := []view{
		{"list default", list, "", "", 0},
		{"list default (agent)", list, "agent", "", 0},
		{"status OPEN", list + "?status[]=OPEN", "", "status=OPEN", 0},
		{"statuses OPEN+AWAITING_ADMIN", list + "?status[]=OPEN&status[]=AWAITING_ADMIN", "", "status=OPEN,AWAITING_ADMIN", 0},
		{"unread", list + "?unread=true", "", "unread=true", 0},
		{"status OPEN + unread", list + "?status[]=OPEN&unread=true", "", "status=OPEN&unread=true", 0},
		{"status AWAITING_ADMIN + unread (agent)", list + "?status[]=AWAITING_ADMIN&unread=true", "agent", "status=AWAITING_ADMIN&unread=true", 0},
		{"assigned to agent", list + "?assigned_to=" + agent, "", "assigned_to=" + agent, 0},
		{"unassigned", list + "?assigned_to=none", "", "assigned_to=none", 0},
		{"assigned to me (agent)", list + "?assigned_to=me", "agent", "assigned_to=me", 0},
		{"customer e-mail", list + "?customer=" + url.QueryEscape(customer), "", "customer=" + url.QueryEscape(customer), 0},
		{"customer name", list + "?customer=" + url.QueryEscape("Käthe Novak"), "", "customer=" + url.QueryEscape("Käthe Novak"), 0},
		{"customer name (agent)", list + "?customer=" + url.QueryEscape("Käthe Novak"), "agent", "customer=" + url.QueryEscape("Käthe Novak"), 0},
		{"customer first name", list + "?customer=" + url.QueryEscape("Käthe"), "", "customer=" + url.QueryEscape("Käthe"), 0},
		{"order number", list + "?order_number=" + url.QueryEscape(orderNumber), "", "order_number=" + url.QueryEscape(orderNumber), 0},
		{"has order", list + "?has_order=true", "", "has_order=true", 0},
		{"created in a month", list + "?created_at_start__goadmin=2026-03-01&created_at_end__goadmin=2026-03-31", "", "created_from=2026-03-01&created_to=2026-03-31", 0},
		{"created in a month (agent)", list + "?created_at_start__goadmin=2026-03-01&created_at_end__goadmin=2026-03-31", "agent", "created_from=2026-03-01&created_to=2026-03-31", 0},
		{"created since a week", list + "?created_at_start__goadmin=2026-11-23", "", "created_from=2026-11-23", 0},
		{"activity in a week", list + "?last_message_at_start__goadmin=2025-06-01&last_message_at_end__goadmin=2025-06-07", "", "activity_from=2025-06-01&activity_to=2025-06-07", 0},
		{"page 1,000", list + "?cursor=" + page1000, "", "cursor=" + page1000, 0},
		{"search rare word", list + "?q=quetzal", "", "q=quetzal", 0},
		{"search rare word (agent)", list + "?q=quetzal", "agent", "q=quetzal", 0},
		{"search medium word", list + "?q=tangerine", "", "q=tangerine", 0},
		{"search medium word (agent)", list + "?q=tangerine", "agent", "q=tangerine", 0},
		{"search common word", list + "?q=order", "", "q=order", 0},
		{"dashboard 30 days", "/admin/dashboard?days=30", "", "", 30},
		{"dashboard 30 days (agent)", "/admin/dashboard?days=30", "agent", "", 30},
		{"dashboard a year", "/admin/dashboard?days=365", "", "", 365},
		{"thread 10 messages", "/admin/info/conversation/edit?__goadmin_edit_pk=5", "", "", 0},
		{"thread 500 messages", "/admin/info/conversation/edit?__goadmin_edit_pk=11", "", "", 0},
	}
	if *store {
		storeRun(ctx, *dbURL, views, *only, *seq, *explain, *mysqldPID)
		return
	}
	var clients []*http.Client
	for i := range *sessions {
		user := fmt.Sprintf("bench-admin%d", i%4+1)
		if i >= 4 {
			user = fmt.Sprintf("bench-agent%d", i-3)
		}
		c, err := login(*base, user)
		if err != nil {
			log.Fatalf("login %s: %v", user, err)
		}
		clients = append(clients, c)
	}
	fmt.Printf("| view | p50 ms | p95 ms | server CPU ms/req | MariaDB CPU ms/req | rows |\n|---|---|---|---|---|---|\n")
	for _, v := range views {
		if *only != "" && !slices.ContainsFunc(strings.Split(*only, "|"), func(o string) bool { return strings.Contains(v.name, o) }) {
			continue
		}
		cs := clients[:min(4, len(clients))]
		if v.as == "agent" {
			cs = clients[min(4, len(clients)-1):]
		}
		// Warm up, check the page works.
		t0 := time.Now()
		body, err := get(cs[0], *base+v.path)
		if err != nil {
			log.Fatalf("%s: %v", v.name, err)
		}
		rows := strings.Count(body, `class="conv-subject`)
		if strings.Contains(body, "conv-filter-error") {
			// A search too wide to list answers so (the common word):
			// one timing, then the next view.
			fmt.Printf("| %s | filter error after %.0f ms | — | — | — | 0 |\n", v.name, float64(time.Since(t0).Milliseconds()))
			continue
		}
		// Concurrent: every session at once (agent views: the agent sessions twice over).
		var mu sync.Mutex
		var lat []time.Duration
		var wg sync.WaitGroup
		for i := range *sessions {
			c := cs[i%len(cs)]
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range *perSession {
					t0 := time.Now()
					if _, err := get(c, *base+v.path); err != nil {
						log.Fatalf("%s: %v", v.name, err)
					}
					d := time.Since(t0)
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		slices.Sort(lat)
		p50, p95 := lat[len(lat)/2], lat[len(lat)*95/100]
		// Sequential, for CPU time per request.
		s0, m0 := cpu(*serverPID), cpu(*mysqldPID)
		for range *seq {
			if _, err := get(cs[0], *base+v.path); err != nil {
				log.Fatalf("%s: %v", v.name, err)
			}
		}
		s1, m1 := cpu(*serverPID), cpu(*mysqldPID)
		fmt.Printf("| %s | %.1f | %.1f | %s | %s | %d |\n", v.name, ms(p50), ms(p95),
			perReq(s0, s1, *seq, *serverPID), perReq(m0, m1, *seq, *mysqldPID), rows)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func perReq(a, b time.Duration, n, pid int) string {
	if pid == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", ms(b-a)/float64(n))
}

// cpu is a process's user + system time so far; 0 for pid 0.
func cpu(pid int) time.Duration {
	d, err := proccpu.Of(pid)
	if err != nil {
		log.Fatal(err)
	}
	return d
}

func login(base, user string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 60 * time.Second}
	req, err := http.NewRequest(http.MethodPost, base+"/admin/signin",
		strings.NewReader(url.Values{"username": {user}, "password": {"bench-password-123"}}.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d: %s", res.StatusCode, b)
	}
	return c, nil
}

func get(c *http.Client, u string) (string, error) {
	res, err := c.Get(u)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: status %d: %.300s", u, res.StatusCode, b)
	}
	if strings.Contains(string(b), `id="username"`) {
		return "", fmt.Errorf("GET %s: the session ended (login page)", u)
	}
	return string(b), nil
}
