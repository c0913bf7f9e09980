package inbox_test

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// exportCSV exports a conversation as a and parses the file back.
func (e *env) exportCSV(a models.Actor, id int64) ([][]string, string, error) {
	e.t.Helper()
	x, err := e.svc.Export(e.ctx, a, id)
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	if err := x.Write(e.ctx, &buf); err != nil {
		e.t.Fatalf("write export: %v", err)
	}
	raw := buf.String()
	if !strings.HasPrefix(raw, "\uFEFF") {
		e.t.Fatalf("export does not start with a UTF-8 byte order mark: %q", raw[:min(len(raw), 20)])
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\uFEFF"))).ReadAll()
	if err != nil {
		e.t.Fatalf("export is not valid CSV: %v\n%s", err, raw)
	}
	return recs, raw, nil
}

func column(recs [][]string, name string) []string {
	idx := -1
	for i, h := range recs[0] {
		if h == name {
			idx = i
		}
	}
	var out []string
	for _, r := range recs[1:] {
		out = append(out, r[idx])
	}
	return out
}

func TestExportR15(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		cu, c := e.MustCustomerConv()
		e.MustSend(e.chatAdmin, c.ID, models.KindNote, "internal: refund is likely")
		e.MustSend(e.chatAdmin, c.ID, models.KindReply, "=HYPERLINK(\"http://evil\",\"x\")")
		e.MustSend(cu, c.ID, models.KindReply, "Grüße, \"quoted\", comma\r\nnew line")
		e.MustChangeStatus(e.chatAdmin, c.ID, models.StatusEscalated, "refund reason")

		t.Run("staff get everything with notes marked, audited", func(t *testing.T) {
			e := e.sub(t)
			before := len(e.audits("conversation", c.ID))
			recs, _, err := e.exportCSV(e.chatAdmin, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(recs[0], ",") != strings.Join(inbox.CSVHeader, ",") {
				t.Fatalf("header = %v", recs[0])
			}
			bodies := strings.Join(column(recs, "body"), "|")
			if !strings.Contains(bodies, "internal: refund is likely") || !strings.Contains(bodies, "refund reason") {
				t.Errorf("staff export misses the note or the staff event: %s", bodies)
			}
			kinds, vis := column(recs, "kind"), column(recs, "visibility")
			var noteMarked bool
			for i := range kinds {
				if kinds[i] == "note" && vis[i] == "note (staff only)" {
					noteMarked = true
				}
			}
			if !noteMarked {
				t.Errorf("the note is not marked as a note: %v %v", kinds, vis)
			}
			if !strings.Contains(bodies, "'=HYPERLINK") || strings.Contains(bodies, "|=HYPERLINK") {
				t.Errorf("formula not neutralized: %s", bodies)
			}
			if !strings.Contains(bodies, "Grüße, \"quoted\", comma\nnew line") {
				t.Errorf("body with quotes, comma and line break did not round-trip: %q", bodies)
			}
			after := e.audits("conversation", c.ID)
			if len(after) != before+1 || after[len(after)-1].Action != "conversation.export" || after[len(after)-1].ActorID != e.chatAdmin.ID {
				t.Errorf("staff export wrote no audit entry: %+v", after)
			}
		})
		t.Run("the customer gets the public timeline only", func(t *testing.T) {
			e := e.sub(t)
			before := len(e.audits("conversation", c.ID))
			recs, raw, err := e.exportCSV(cu, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(raw, "internal") || strings.Contains(raw, "refund") || strings.Contains(raw, "note") {
				t.Errorf("customer export shows staff-only content (R8):\n%s", raw)
			}
			for _, v := range column(recs, "visibility") {
				if v != "public" {
					t.Errorf("customer export has a %q row", v)
				}
			}
			if got := len(recs) - 1; got != 3 { // first message, staff reply, own reply
				t.Errorf("customer export has %d rows, want 3:\n%s", got, raw)
			}
			if n := len(e.audits("conversation", c.ID)); n != before {
				t.Errorf("customer export wrote audit entries")
			}
		})
		t.Run("another customer gets not found", func(t *testing.T) {
			e := e.sub(t)
			bob := e.MustCustomer()
			_, err := e.svc.Export(e.ctx, bob, c.ID)
			wantCode(t, err, models.ENOTFOUND)
			_, err = e.svc.Export(e.ctx, cu, c.ID+100000)
			wantCode(t, err, models.ENOTFOUND)
		})
		t.Run("an agent outside scope gets not found", func(t *testing.T) {
			e := e.sub(t)
			_, c2 := e.MustCustomerConv()
			if _, err := e.svc.Take(e.ctx, e.agent2, c2.ID); err != nil {
				t.Fatal(err)
			}
			_, err := e.svc.Export(e.ctx, e.agent, c2.ID)
			wantCode(t, err, models.ENOTFOUND)
		})
		t.Run("guests never export", func(t *testing.T) {
			e := e.sub(t)
			g := models.Customer{Name: "Guest", IsGuest: true, CreatedAt: e.clock.Now().UTC()}
			if err := e.st.InsertCustomer(e.ctx, &g, ""); err != nil {
				t.Fatal(err)
			}
			guest := models.Actor{Kind: models.ActorGuest, ID: g.ID, Role: models.RoleGuest, Name: "guest"}
			gc := e.MustStart(guest, inbox.StartInput{Subject: "Hi", Body: "guest here"})
			_, err := e.svc.Export(e.ctx, guest, gc.ID)
			wantCode(t, err, models.EFORBIDDEN)
		})
	})
}

func TestExportStreamsInBatches(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		inbox.SetExportBatch(e.svc, 3)
		cu, c := e.MustCustomerConv()
		for i := 0; i < 7; i++ {
			e.MustSend(e.chatAdmin, c.ID, models.KindReply, "reply")
			e.MustSend(e.chatAdmin, c.ID, models.KindNote, "note")
		}
		all := e.MustMessages(c.ID)
		recs, _, err := e.exportCSV(e.chatAdmin, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs)-1 != len(all) {
			t.Fatalf("staff export has %d rows, timeline has %d", len(recs)-1, len(all))
		}
		ids := column(recs, "message_id")
		for i, m := range all {
			if ids[i] != strings.TrimSpace(ids[i]) || ids[i] != itoa(m.ID) {
				t.Fatalf("row %d is message %s, want %d (oldest first, no gaps across batches)", i, ids[i], m.ID)
			}
		}
		recs, _, err = e.exportCSV(cu, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(recs) - 1; got != 8 {
			t.Fatalf("customer export has %d rows, want 8", got)
		}
		if at := column(recs, "created_at")[0]; at != c.CreatedAt.UTC().Format(time.RFC3339) {
			t.Errorf("created_at = %q, want RFC 3339 UTC %q", at, c.CreatedAt.UTC().Format(time.RFC3339))
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
