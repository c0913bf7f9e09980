// Command gen fills a Parley database with a reproducible inbox for the list
// and thread benchmarks: customers, orders, staff, conversations and
// messages, written in large multi-row batches (the same seed gives the
// same data).
//
//	go run ./bench/gen -db mysql://root@127.0.0.1:3306/parley_bench -conversations 1000000 -messages 10000000
//
// The database is created if missing and must hold no conversations yet.
// Message bodies are words drawn from a Zipf-distributed vocabulary; two
// words are planted for search: "quetzal" in MessagesPerRare-th messages
// (≈50 hits at 10M messages) and "tangerine" in every 1,000th (≈10,000
// hits). "order" is common. Staff: bench-admin1..4 (chat_admin) and
// bench-agent1..20 (agent), password "bench-password-123". Conversation
// ids 1..10 have 10 messages, 11 has 500 (the thread-page benchmarks).
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/parleyhq/parley/bench/internal/benchdb"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// Planted search words and how often they occur.
const (
	RareWord        = "quetzal"
	MessagesPerRare = 200000
	MediumWord      = "tangerine"
	MessagesPerMed  = 1000
	StaffPassword   = "bench-password-123"
	batch           = 2000
)

type noLimit struct{}

func (noLimit) Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	return true, 0, nil
}

func main() {
	dbURL := flag.String("db", "mysql://root@127.0.0.1:3306/parley_bench", "database URL")
	nConv := flag.Int("conversations", 100000, "conversations")
	nMsg := flag.Int("messages", 1000000, "messages (about; each conversation gets at least one)")
	seed := flag.Uint64("seed", 1, "random seed")
	workers := flag.Int("workers", 2, "parallel insert connections")
	flag.Parse()
	if err := run(context.Background(), *dbURL, *nConv, *nMsg, *seed, *workers); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dbURL string, nConv, nMsg int, seed uint64, workers int) error {
	start := time.Now()
	st, err := benchdb.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	var have int
	if err := st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM conversations`).Scan(&have); err != nil {
		return err
	}
	if have > 0 {
		return fmt.Errorf("%s already holds %d conversations; use an empty database", dbURL, have)
	}
	pol, err := policies.New()
	if err != nil {
		return err
	}
	acc := inbox.NewAccounts(st, pol, inbox.SystemClock{}, noLimit{}, []byte("bench"), time.Hour)
	hash, err := inbox.HashPassword(StaffPassword)
	if err != nil {
		return err
	}
	var agents []int64
	for i := 1; i <= 4; i++ {
		if _, err := acc.CreateStaff(ctx, models.System, fmt.Sprintf("bench-admin%d", i), "chat_admin", "", hash); err != nil {
			return err
		}
	}
	for i := 1; i <= 20; i++ {
		s, err := acc.CreateStaff(ctx, models.System, fmt.Sprintf("bench-agent%d", i), "agent", "", hash)
		if err != nil {
			return err
		}
		agents = append(agents, s.ID)
	}

	g := newGen(seed, nConv, nMsg, agents)
	if err := g.customersAndOrders(ctx, st.DB); err != nil {
		return err
	}
	log.Printf("customers and orders in %s", time.Since(start).Round(time.Second))
	if err := g.conversations(ctx, st.DB, workers); err != nil {
		return err
	}
	log.Printf("conversations and messages in %s", time.Since(start).Round(time.Second))
	if err := g.writeMetrics(ctx, st.DB); err != nil {
		return err
	}
	// The rows went in by plain INSERTs, past InsertMessage: the search
	// index is filled the way an upgrade fills it (Store.BackfillWords).
	if _, err := st.DB.ExecContext(ctx, `INSERT INTO conversation_words_backfill (next_id) VALUES (1)`); err != nil {
		return err
	}
	last := time.Now()
	if err := st.BackfillWords(ctx, func(done int64) {
		if time.Since(last) > 30*time.Second {
			last = time.Now()
			log.Printf("search index: %d conversations", done)
		}
	}); err != nil {
		return err
	}
	if st.Config.Dialect == models.MySQL {
		if _, err := st.DB.ExecContext(ctx, `ANALYZE TABLE conversations, messages, conversation_words`); err != nil {
			return err
		}
	}
	log.Printf("search index done at %s", time.Since(start).Round(time.Second))
	log.Printf("done: %d conversations, %d messages in %s", nConv, g.msgs, time.Since(start).Round(time.Second))
	return nil
}

type gen struct {
	rng       *rand.Rand
	nConv     int
	nMsg      int
	agents    []int64
	customers int
	vocab     []string
	zipf      *rand.Zipf
	msgs      int
	base      time.Time
	metrics   map[metricKey]int64 // the dashboard's daily histograms (metric_daily)
}

type metricKey struct {
	day    string
	metric string
	staff  int64
	bucket int
}

func newGen(seed uint64, nConv, nMsg int, agents []int64) *gen {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := &gen{rng: rng, nConv: nConv, nMsg: nMsg, agents: agents, customers: max(nConv/10, 10),
		base: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), metrics: map[metricKey]int64{}}
	syll := []string{"ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "pe", "da", "gu", "ri", "so", "fe", "no", "ba", "zu", "te", "wi", "ma"}
	seen := map[string]bool{RareWord: true, MediumWord: true}
	g.vocab = []string{"the", "order", "please", "thanks", "delivery", "hello", "package", "refund", "size", "colour", "return", "invoice", "payment", "address", "tracking"}
	for _, w := range g.vocab {
		seen[w] = true
	}
	for len(g.vocab) < 20000 {
		n := 2 + rng.IntN(3)
		var b strings.Builder
		for range n {
			b.WriteString(syll[rng.IntN(len(syll))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			g.vocab = append(g.vocab, w)
		}
	}
	g.zipf = rand.NewZipf(rng, 1.07, 2, uint64(len(g.vocab)-1))
	return g
}

func (g *gen) body(msgIndex int) string {
	n := 6 + g.rng.IntN(25)
	words := make([]string, n)
	for i := range words {
		words[i] = g.vocab[g.zipf.Uint64()]
	}
	if msgIndex%MessagesPerRare == 7 {
		words[g.rng.IntN(n)] = RareWord
	}
	if msgIndex%MessagesPerMed == 3 {
		words[g.rng.IntN(n)] = MediumWord
	}
	words[0] = strings.ToUpper(words[0][:1]) + words[0][1:]
	return strings.Join(words, " ") + "."
}

// insert writes rows in multi-row INSERTs of up to batch rows.
type inserter struct {
	db    *sql.DB
	head  string
	ncol  int
	rows  int
	args  []any
	total int
}

func (in *inserter) add(ctx context.Context, vals ...any) error {
	in.args = append(in.args, vals...)
	in.rows++
	if in.rows == batch {
		return in.flush(ctx)
	}
	return nil
}

func (in *inserter) flush(ctx context.Context) error {
	if in.rows == 0 {
		return nil
	}
	ph := "(" + strings.TrimSuffix(strings.Repeat("?,", in.ncol), ",") + ")"
	q := in.head + strings.TrimSuffix(strings.Repeat(ph+",", in.rows), ",")
	// Two workers' inserts fire the conversation_counts triggers on the
	// same counter rows and can deadlock; InnoDB rolls one back whole, so
	// it is sent again.
	for attempt := 1; ; attempt++ {
		_, err := in.db.ExecContext(ctx, q, in.args...)
		var me *mysql.MySQLError
		if err != nil && errors.As(err, &me) && me.Number == 1213 && attempt < 10 {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s…: %w", in.head[:min(40, len(in.head))], err)
		}
		break
	}
	in.total += in.rows
	in.rows, in.args = 0, in.args[:0]
	return nil
}

var firstNames = []string{"Anna", "Ben", "Chloé", "David", "Eva", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Käthe", "Luis", "Mia", "Noah", "Olga", "Paul", "Renée", "Sam", "Tara", "Ulf"}
var lastNames = []string{"Schmidt", "Martin", "García", "Rossi", "Novak", "Dubois", "Jensen", "Kowalski", "Silva", "Müller", "Smith", "Brown", "Larsen", "Weber", "Moreau"}

func (g *gen) customerName(i int) string {
	return firstNames[i%len(firstNames)] + " " + lastNames[(i/len(firstNames))%len(lastNames)] + fmt.Sprintf(" %d", i)
}

func customerEmail(i int) string { return fmt.Sprintf("customer%d@example.com", i) }

func (g *gen) customersAndOrders(ctx context.Context, db *sql.DB) error {
	cu := &inserter{db: db, head: `INSERT INTO customers (id, email, name, is_guest, created_at) VALUES `, ncol: 5}
	created := g.base.AddDate(-2, 0, 0)
	for i := 1; i <= g.customers; i++ {
		if err := cu.add(ctx, i, customerEmail(i), g.customerName(i), false, created); err != nil {
			return err
		}
	}
	if err := cu.flush(ctx); err != nil {
		return err
	}
	or := &inserter{db: db, head: `INSERT INTO orders (id, customer_id, number, status, total_cents, currency, created_at) VALUES `, ncol: 7}
	nOrders := g.customers * 3
	for i := 1; i <= nOrders; i++ {
		cust := (i-1)%g.customers + 1
		if err := or.add(ctx, i, cust, fmt.Sprintf("PO-%07d", i), "fulfilled", 1000+i%9000, "EUR", created.Add(time.Duration(i)*time.Minute)); err != nil {
			return err
		}
	}
	return or.flush(ctx)
}

type convRow struct {
	vals []any
	msgs [][]any
}

// conversations generates conversations (ids 1..n) with their messages in
// order and hands them to workers that insert them in batches.
func (g *gen) conversations(ctx context.Context, db *sql.DB, workers int) error {
	ch := make(chan []convRow, workers*2)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cv := &inserter{db: db, head: `INSERT INTO conversations (id, customer_id, customer_name, customer_email, subject, order_id, status,
				assigned_to, is_read_by_admin, is_read_by_user, created_at, updated_at, last_message_at, last_preview, message_count,
				public_last_at, public_preview, public_message_count, first_response_at, resolved_at) VALUES `, ncol: 20}
			ms := &inserter{db: db, head: `INSERT INTO messages (conversation_id, kind, author_type, author_id, author_name, body, is_public, created_at) VALUES `, ncol: 8}
			for chunk := range ch {
				for _, c := range chunk {
					if err := cv.add(ctx, c.vals...); err != nil {
						errs <- err
						return
					}
				}
				if err := cv.flush(ctx); err != nil {
					errs <- err
					return
				}
				for _, c := range chunk {
					for _, m := range c.msgs {
						if err := ms.add(ctx, m...); err != nil {
							errs <- err
							return
						}
					}
				}
				if err := ms.flush(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	subjects := []string{"Where is my order?", "Refund request", "Wrong size delivered", "Invoice needed", "Change my address",
		"Damaged package", "Payment failed", "Question about a product", "Return label", "Tracking number missing"}
	perConv := float64(g.nMsg) / float64(g.nConv)
	msgIndex := 0
	var chunk []convRow
	last := time.Now()
	for id := 1; id <= g.nConv; id++ {
		// Activity spread over the last two years, newer ids newer on average.
		age := time.Duration(float64(2*365*24*time.Hour) * (1 - float64(id)/float64(g.nConv)) * (0.8 + 0.4*g.rng.Float64()))
		created := g.base.Add(-age)
		n := 1 + g.rng.IntN(int(2*perConv-1))
		switch {
		case id <= 10:
			n = 10
		case id == 11:
			n = 500
		}
		cust := g.rng.IntN(g.customers) + 1
		var orderID any
		if g.rng.IntN(10) < 3 {
			orderID = int64(cust + g.customers*g.rng.IntN(3))
		}
		status := models.Statuses[g.rng.IntN(len(models.Statuses))]
		var assigned any
		if g.rng.IntN(4) > 0 {
			assigned = g.agents[g.rng.IntN(len(g.agents))]
		}
		readAdmin := g.rng.IntN(5) > 0
		var msgs [][]any
		at := created
		var lastBody string
		var firstResponse any
		for j := range n {
			at = at.Add(time.Duration(1+g.rng.IntN(120)) * time.Minute)
			b := g.body(msgIndex)
			msgIndex++
			kind, author, authorID, name, public := models.KindReply, "customer", any(int64(cust)), g.customerName(cust), true
			if j%2 == 1 {
				author, authorID, name = "staff", any(g.agents[j%len(g.agents)]), "agent"
				if g.rng.IntN(5) == 0 {
					kind, public = models.KindNote, false
				}
				if public && firstResponse == nil {
					firstResponse = at
					g.countDuration(models.MetricFirstResponse, at, authorID.(int64), at.Sub(created))
				}
			}
			msgs = append(msgs, []any{id, kind, author, authorID, name, b, public, at})
			lastBody = b
		}
		g.msgs += n
		g.metrics[metricKey{models.Day(created, time.UTC), models.MetricConversations, 0, 0}]++
		var resolved any
		if status == models.StatusResolved || status == models.StatusClosed {
			resolved = at
			var who int64
			if assigned != nil {
				who = assigned.(int64)
			}
			g.countDuration(models.MetricResolution, at, who, at.Sub(created))
		}
		preview := lastBody[:min(len(lastBody), 140)]
		chunk = append(chunk, convRow{vals: []any{id, cust, g.customerName(cust), customerEmail(cust), subjects[g.rng.IntN(len(subjects))],
			orderID, string(status), assigned, readAdmin, true, created, at, at, preview, n, at, preview, n, firstResponse, resolved}, msgs: msgs})
		if len(chunk) == 500 {
			select {
			case ch <- chunk:
			case err := <-errs:
				close(ch)
				return err
			}
			chunk = nil
		}
		if id%100000 == 0 {
			log.Printf("%d conversations, %d messages (%s for the last 100,000)", id, g.msgs, time.Since(last).Round(time.Second))
			last = time.Now()
		}
	}
	if len(chunk) > 0 {
		ch <- chunk
	}
	close(ch)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// countDuration counts a duration under its staff member and in the
// store-wide row, as models.CountMetric does.
func (g *gen) countDuration(metric string, at time.Time, staff int64, d time.Duration) {
	day, b := models.Day(at, time.UTC), models.DurationBucket(d)
	g.metrics[metricKey{day, metric, staff, b}]++
	g.metrics[metricKey{day, metric, models.StoreWide, b}]++
}

// writeMetrics stores the daily and weekly histograms the dashboard reads,
// as the service would have counted them (days in UTC, the default time
// zone; weeks Monday to Sunday).
func (g *gen) writeMetrics(ctx context.Context, db *sql.DB) error {
	weekly := map[metricKey]int64{}
	in := &inserter{db: db, head: `INSERT INTO metric_daily (day, metric, staff_id, bucket, n) VALUES `, ncol: 5}
	for k, n := range g.metrics {
		if err := in.add(ctx, k.day, k.metric, k.staff, k.bucket, n); err != nil {
			return err
		}
		week, err := models.Week(k.day)
		if err != nil {
			return err
		}
		k.day = week
		weekly[k] += n
	}
	if err := in.flush(ctx); err != nil {
		return err
	}
	in = &inserter{db: db, head: `INSERT INTO metric_weekly (week, metric, staff_id, bucket, n) VALUES `, ncol: 5}
	for k, n := range weekly {
		if err := in.add(ctx, k.day, k.metric, k.staff, k.bucket, n); err != nil {
			return err
		}
	}
	return in.flush(ctx)
}
