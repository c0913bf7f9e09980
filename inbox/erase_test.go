package inbox_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"sync"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// fileBin records the attachment files the erasure asks to remove.
type fileBin struct {
	mu   sync.Mutex
	keys []string
}

func (b *fileBin) Remove(_ context.Context, keys ...string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.keys = append(b.keys, keys...)
	return nil
}

func (b *fileBin) Put(context.Context, []byte) (string, error) { return "", errors.New("not stored") }

func (b *fileBin) Open(context.Context, string) (io.ReadSeekCloser, error) {
	return nil, errors.New("no file")
}

// TestEraseCustomer: only the system may erase; the erasure removes the
// customer's rows (attachments included, their files after commit) and
// nobody else's, and leaves one audit entry without content.
func TestEraseCustomer(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		bin := &fileBin{}
		cust, conv := e.MustCustomerConv()
		m, _ := e.MustSend(e.agent, conv.ID, models.KindReply, "reply with a file")
		other, otherConv := e.MustCustomerConv()
		now := models.Now(e.clock.Now())
		for _, a := range []struct {
			msg, conv int64
			key       string
		}{{m.ID, conv.ID, "k-erased"}, {0, otherConv.ID, "k-kept"}} {
			msg := a.msg
			if msg == 0 {
				om, _ := e.MustSend(e.agent, otherConv.ID, models.KindReply, "other")
				msg = om.ID
			}
			if _, err := e.st.DB.Exec(`INSERT INTO attachments (message_id, conversation_id, media_type, size_bytes, storage_key, filename, created_at)
				VALUES (?, ?, 'image/png', 10, ?, 'x.png', ?)`, msg, a.conv, a.key, now); err != nil {
				t.Fatal(err)
			}
		}
		svc := inbox.New(e.st, e.pol, e.clock, nil, inbox.WithFiles(bin))
		for _, a := range []models.Actor{e.owner, cust} {
			if _, err := svc.EraseCustomer(e.ctx, a, cust.ID); models.ErrorCode(err) != models.EFORBIDDEN {
				t.Errorf("%s erasing: %v", a.Role, err)
			}
		}
		got, err := svc.EraseCustomer(e.ctx, models.System, cust.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Conversations != 1 || got.Attachments != 1 || got.Messages < 2 {
			t.Errorf("erasure counts %+v", got)
		}
		if !slices.Equal(bin.keys, []string{"k-erased"}) {
			t.Errorf("files removed %v, want [k-erased]", bin.keys)
		}
		if _, err := e.st.Customer(e.ctx, cust.ID); models.ErrorCode(err) != models.ENOTFOUND {
			t.Errorf("customer still there: %v", err)
		}
		if _, err := e.st.Customer(e.ctx, other.ID); err != nil {
			t.Errorf("the other customer: %v", err)
		}
		// Nothing they wrote stays searchable: their conversations' words
		// go with them (the other customer's stay).
		var words, otherWords int
		e.st.DB.QueryRow(`SELECT COUNT(*) FROM conversation_words w WHERE NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = w.conversation_id)`).Scan(&words)
		e.st.DB.QueryRow(`SELECT COUNT(*) FROM conversation_words`).Scan(&otherWords)
		if words != 0 || otherWords == 0 {
			t.Errorf("search words: %d of erased conversations left, %d in all", words, otherWords)
		}
		var kept int
		e.st.DB.QueryRow(`SELECT COUNT(*) FROM attachments WHERE storage_key = 'k-kept'`).Scan(&kept)
		if kept != 1 {
			t.Error("another customer's attachment went")
		}
		entries, err := e.st.AuditEntries(e.ctx, "customer", cust.ID, 10)
		if err != nil || len(entries) != 1 || entries[0].Action != "customer.erase" {
			t.Fatalf("audit: %+v %v", entries, err)
		}
		if _, err := svc.EraseCustomer(e.ctx, models.System, cust.ID); models.ErrorCode(err) != models.ENOTFOUND {
			t.Errorf("erasing twice: %v", err)
		}
	})
}
