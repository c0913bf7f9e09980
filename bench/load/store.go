package main

import (
	"context"
	"fmt"
	"log"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// stmtTimes collects each statement's durations in one view's runs.
type stmtTimes struct {
	mu    sync.Mutex
	order []string
	times map[string][]time.Duration
	args  map[string][]any
}

func (s *stmtTimes) add(query string, args []any, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.times[query]; !ok {
		s.order = append(s.order, query)
		s.args[query] = args
	}
	s.times[query] = append(s.times[query], d)
}

// storeRun calls the service behind each list and dashboard view directly
// (no HTTP, no GoAdmin) n times, sequentially, and prints the median and
// p95 of the whole call, MariaDB's CPU time per call (with mysqldPID: its
// user+system time across the n calls / n) and the median of each SQL
// statement it ran.
func storeRun(ctx context.Context, dbURL string, views []view, only string, n int, explain bool, mysqldPID int) {
	cfg, err := models.ParseDatabaseURL(dbURL, "")
	if err != nil {
		log.Fatal(err)
	}
	st, err := models.Open(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	var cur *stmtTimes
	st.Queries = st.Traced(func(q string, args []any, d time.Duration) {
		if cur != nil {
			cur.add(q, args, d)
		}
	})
	pol, err := policies.New()
	if err != nil {
		log.Fatal(err)
	}
	svc := inbox.New(st, pol, inbox.SystemClock{}, nil)
	actor := func(user, role string) models.Actor {
		var id int64
		if err := st.DB.QueryRowContext(ctx, `SELECT id FROM goadmin_users WHERE username = ?`, user).Scan(&id); err != nil {
			log.Fatalf("staff %s: %v", user, err)
		}
		return models.Actor{Kind: models.ActorStaff, ID: id, Role: role, Name: user}
	}
	admin, agent := actor("bench-admin1", models.RoleChatAdmin), actor("bench-agent1", models.RoleAgent)
	fmt.Printf("| view | calls | p50 ms | p95 ms | MariaDB CPU ms/call | statements (median ms each) |\n|---|---|---|---|---|---|\n")
	for _, v := range views {
		if only != "" && !slices.ContainsFunc(strings.Split(only, "|"), func(o string) bool { return strings.Contains(v.name, o) }) {
			continue
		}
		if v.days == 0 && strings.Contains(v.path, "/edit") {
			continue // the thread page is GoAdmin's form: HTTP only
		}
		a := admin
		if v.as == "agent" {
			a = agent
		}
		call := func() error {
			if v.days > 0 {
				p, err := svc.RecentDays(ctx, v.days)
				if err != nil {
					return err
				}
				_, err = svc.Metrics(ctx, a, p)
				return err
			}
			q, err := url.ParseQuery(v.api)
			if err != nil {
				return err
			}
			f, err := models.ParseConversationQuery(q, models.QueryOptions{Staff: true, Me: a.ID, MaxLimit: inbox.MaxPageSize})
			if err != nil {
				return err
			}
			f.Limit, f.Count = inbox.DefaultPageSize, true
			page, err := svc.List(ctx, a, f)
			if err == nil && explain {
				fmt.Printf("<!-- %s: %d rows, total %d capped %v -->\n", v.name, len(page.Items), page.Total, page.Capped)
			}
			return err
		}
		if err := call(); err != nil { // warm up
			log.Fatalf("%s: %v", v.name, err)
		}
		cur = &stmtTimes{times: map[string][]time.Duration{}, args: map[string][]any{}}
		var lat []time.Duration
		m0 := cpu(mysqldPID)
		for range n {
			t0 := time.Now()
			if err := call(); err != nil {
				log.Fatalf("%s: %v", v.name, err)
			}
			lat = append(lat, time.Since(t0))
		}
		m1 := cpu(mysqldPID)
		slices.Sort(lat)
		var parts []string
		for _, q := range cur.order {
			ts := cur.times[q]
			slices.Sort(ts)
			parts = append(parts, fmt.Sprintf("%.2f", ms(ts[len(ts)/2])))
		}
		fmt.Printf("| %s | %d | %.2f | %.2f | %s | %s |\n", v.name, n, ms(lat[len(lat)/2]), ms(lat[len(lat)*95/100]),
			perReq(m0, m1, n, mysqldPID), strings.Join(parts, " + "))
		if explain {
			for i, q := range cur.order {
				fmt.Printf("<!-- %d: %s\n     args %v -->\n", i+1, strings.Join(strings.Fields(q), " "), cur.args[q])
			}
		}
		cur = nil
	}
}
