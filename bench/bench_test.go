// Package bench measures Parley's hot paths on a realistic data set. Run with
//
//	go test ./bench -run '^$' -bench . -benchtime 2s -count 5
//
// (add PARLEY_TEST_MYSQL_URL / PARLEY_TEST_REDIS_URL to measure MySQL + Redis).
package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/policies"
	"github.com/parleyhq/parley/ratelimit"
	"github.com/parleyhq/parley/web"
)

// Size of the data set: conversations (each with 4 messages) over customers.
const (
	conversations = 20000
	customers     = 2000
)

type customerSend struct {
	actor  models.Actor
	convID int64
}

type env struct {
	store  *models.Store
	svc    *inbox.Service
	acc    *inbox.Accounts
	agent  models.Actor
	admin  models.Actor
	convID int64
	token  string
	// sends: one conversation per customer, for customers' sends.
	sends  []customerSend
	router *gin.Engine
}

// setup fills a fresh store directly (one transaction) — the fixture, not
// the thing measured.
func setup(b *testing.B, backend storetest.Backend) *env {
	b.Helper()
	ctx := context.Background()
	s := storetest.Open(b, backend)
	pol, err := policies.New()
	if err != nil {
		b.Fatal(err)
	}
	rdb, prefix := storetest.Redis(b)
	lim := ratelimit.NewLimiter(rdb, prefix)
	e := &env{store: s, svc: inbox.New(s, pol, inbox.SystemClock{}, lim),
		acc: inbox.NewAccounts(s, pol, inbox.SystemClock{}, lim, []byte("bench"), time.Hour)}
	e.acc.PerAccount, e.acc.PerIP = 1<<30, 1<<30
	hash, _ := inbox.HashPassword("bench-password")
	var staff []models.Staff
	for i, role := range []string{"agent", "agent", "agent", "chat_admin"} {
		st, err := e.acc.CreateStaff(ctx, models.System, fmt.Sprintf("staff%d", i), role, "", hash)
		if err != nil {
			b.Fatal(err)
		}
		staff = append(staff, st)
	}
	e.agent = models.Actor{Kind: models.ActorStaff, ID: staff[0].ID, Role: "agent", Name: "staff0"}
	e.admin = models.Actor{Kind: models.ActorStaff, ID: staff[3].ID, Role: "chat_admin", Name: "staff3"}
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().Add(-time.Hour)
	err = s.InTx(ctx, func(tx *models.Tx) error {
		var custIDs []int64
		for i := 0; i < customers; i++ {
			c := models.Customer{Email: fmt.Sprintf("c%d@example.com", i), Name: fmt.Sprintf("Customer %d", i), CreatedAt: models.Now(now)}
			if err := tx.InsertCustomer(ctx, &c, ""); err != nil {
				return err
			}
			custIDs = append(custIDs, c.ID)
		}
		for i := 0; i < conversations; i++ {
			at := models.Now(now.Add(-time.Duration(rng.IntN(90*24*60)) * time.Minute))
			c := models.Conversation{CustomerID: custIDs[rng.IntN(len(custIDs))], Subject: "Where is my order?",
				Status: models.Statuses[rng.IntN(len(models.Statuses))], IsReadByAdmin: rng.IntN(3) > 0, IsReadByUser: true,
				CreatedAt: at, UpdatedAt: at, LastMessageAt: at, PublicLastAt: at, LastPreview: "Thanks!", PublicPreview: "Thanks!", MessageCount: 4, PublicMessages: 4}
			if r := rng.IntN(4); r < 3 {
				id := staff[r].ID
				c.AssignedTo = &id
			}
			if err := tx.InsertConversation(ctx, &c); err != nil {
				return err
			}
			for j := 0; j < 4; j++ {
				m := models.Message{ConversationID: c.ID, Kind: models.KindReply, AuthorType: models.ActorCustomer, Body: "Hello, I have a question about my order.", Public: true, CreatedAt: at}
				if err := tx.InsertMessage(ctx, &m); err != nil {
					return err
				}
			}
			e.convID = c.ID
			if len(e.sends) < customers {
				e.sends = append(e.sends, customerSend{models.Actor{Kind: models.ActorCustomer, ID: c.CustomerID, Role: models.RoleCustomer, IP: "127.0.0.1"}, c.ID})
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	gin.SetMode(gin.ReleaseMode)
	e.router = gin.New()
	web.NewAPI(e.svc, e.acc).Register(e.router)
	sess, err := e.acc.StaffLogin(ctx, "staff0", "bench-password", "127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	e.token = sess.Token
	return e
}

func each(b *testing.B, f func(b *testing.B, e *env)) {
	for _, backend := range storetest.Backends() {
		b.Run(backend.Name, func(b *testing.B) {
			e := setup(b, backend)
			b.ResetTimer()
			f(b, e)
		})
	}
}

// BenchmarkInboxAgentFirstPage: an agent's inbox, first 25 of their scope.
func BenchmarkInboxAgentFirstPage(b *testing.B) {
	each(b, func(b *testing.B, e *env) {
		for b.Loop() {
			if _, err := e.svc.List(context.Background(), e.agent, models.ConversationFilter{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkInboxFilteredUnread: a chat admin filtering unread AWAITING_ADMIN threads.
func BenchmarkInboxFilteredUnread(b *testing.B) {
	unread := true
	each(b, func(b *testing.B, e *env) {
		f := models.ConversationFilter{Statuses: []models.Status{models.StatusAwaitingAdmin}, Unread: &unread}
		for b.Loop() {
			if _, err := e.svc.List(context.Background(), e.admin, f); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkInboxPage40: the 40th page (by keyset cursor) with its capped
// count (admin list).
func BenchmarkInboxPage40(b *testing.B) {
	each(b, func(b *testing.B, e *env) {
		f := models.ConversationFilter{Limit: 25}
		for range 39 {
			p, err := e.svc.List(context.Background(), e.admin, f)
			if err != nil {
				b.Fatal(err)
			}
			f.Cursor = p.NextCursor
		}
		f.Count = true
		for b.Loop() {
			if _, err := e.svc.List(context.Background(), e.admin, f); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkOpenThread: opening a thread (authorization, mark read, messages).
func BenchmarkOpenThread(b *testing.B) {
	each(b, func(b *testing.B, e *env) {
		for b.Loop() {
			if _, err := e.svc.Open(context.Background(), e.admin, e.convID); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStaffReply: a staff reply (transaction: lock, message, status,
// audit entry, outbox row).
func BenchmarkStaffReply(b *testing.B) {
	each(b, func(b *testing.B, e *env) {
		for b.Loop() {
			if _, _, err := e.svc.Send(context.Background(), e.admin, e.convID, models.KindReply, "We're on it."); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCustomerSend: a customer's message (the send path of bench/send
// without HTTP): locked read, chat/block/cap/rate checks, message,
// conversation, outbox row and the monthly count in one transaction. The
// sends go round the customers, so each stays far under R11's limit
// (-benchtime up to 30 × 2,000 sends a minute).
func BenchmarkCustomerSend(b *testing.B) {
	each(b, func(b *testing.B, e *env) {
		i := 0
		for b.Loop() {
			cs := e.sends[i%len(e.sends)]
			i++
			if _, _, err := e.svc.Send(context.Background(), cs.actor, cs.convID, models.KindReply, "Any news?"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAPIStaffList: GET /api/v1/staff/conversations through the router
// (token check, Casbin, query, JSON).
func BenchmarkAPIStaffList(b *testing.B) {
	each(b, func(b *testing.B, e *env) {
		for b.Loop() {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/staff/conversations?limit=25", nil)
			req.Header.Set("Authorization", "Bearer "+e.token)
			w := httptest.NewRecorder()
			e.router.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body.String())
			}
		}
	})
}
