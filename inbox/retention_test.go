package inbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
)

// retentionWorld is the purge tests' data: conversations of every kind,
// made at the env's start, then the clock moved 40 days on (retention 30).
type retentionWorld struct {
	plain, escalated, openOrder, doneOrder, mixed, fresh models.Conversation
	dir                                                  string
	files                                                map[int64]string // conversation -> its attachment file's key
}

func (e *env) setSetting(name, value string) {
	e.t.Helper()
	if err := e.st.PutSetting(e.ctx, name, value, e.clock.Now()); err != nil {
		e.t.Fatalf("setting %s: %v", name, err)
	}
}

// attach stores an attachment row and its file for a message.
func (e *env) attach(w *retentionWorld, m models.Message) {
	e.t.Helper()
	key := fmt.Sprintf("att/%d.bin", m.ID)
	if err := os.MkdirAll(filepath.Join(w.dir, "att"), 0o700); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.dir, key), []byte("data"), 0o600); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.st.DB.ExecContext(e.ctx, `INSERT INTO attachments (message_id, conversation_id, media_type, size_bytes,
		storage_key, filename, created_at) VALUES (?, ?, 'image/png', 4, ?, 'a.png', ?)`, m.ID, m.ConversationID, key, models.Now(m.CreatedAt)); err != nil {
		e.t.Fatalf("attachment: %v", err)
	}
	w.files[m.ConversationID] = key
}

func (e *env) buildRetentionWorld(dir string) *retentionWorld {
	e.t.Helper()
	w := &retentionWorld{dir: dir, files: map[int64]string{}}
	e.setSetting(models.SettingRetentionDays, "30")
	cu, plain := e.MustCustomerConv()
	m, _ := e.MustSend(e.agent, plain.ID, models.KindReply, "old staff answer")
	e.attach(w, m)
	e.MustSend(cu, plain.ID, models.KindReply, "old customer answer")
	w.plain = plain

	cu2, esc := e.MustConvIn(models.StatusEscalated)
	m, _ = e.MustSend(cu2, esc.ID, models.KindReply, "where is my refund")
	e.attach(w, m)
	w.escalated = esc

	cu3 := e.MustCustomer()
	open := e.MustOrder(cu3.ID)
	w.openOrder = e.MustStart(cu3, inbox.StartInput{Subject: "Order", Body: "about my open order", OrderID: &open})

	cu4 := e.MustCustomer()
	done := e.MustOrder(cu4.ID)
	w.doneOrder = e.MustStart(cu4, inbox.StartInput{Subject: "Order", Body: "about my delivered order", OrderID: &done})
	if _, err := e.st.DB.ExecContext(e.ctx, `UPDATE orders SET status = 'fulfilled' WHERE id = ?`, done); err != nil {
		e.t.Fatal(err)
	}

	cu5, mixed := e.MustCustomerConv()
	m, _ = e.MustSend(e.agent, mixed.ID, models.KindReply, "old reply with a file")
	e.attach(w, m)
	e.MustSend(e.agent, mixed.ID, models.KindNote, "old note")
	w.mixed = mixed
	// Several more plain conversations, so batches cut through them.
	for i := range 6 {
		cu, c := e.MustCustomerConv()
		e.MustSend(e.agent, c.ID, models.KindReply, fmt.Sprintf("answer %d", i))
		e.MustSend(cu, c.ID, models.KindReply, fmt.Sprintf("thanks %d", i))
	}

	e.clock.Advance(40 * 24 * time.Hour)
	e.MustSend(cu5, mixed.ID, models.KindReply, "still here")
	e.MustSend(e.agent, mixed.ID, models.KindNote, "new note")
	w.mixed = e.MustConv(mixed.ID)
	_, w.fresh = e.MustCustomerConv()
	return w
}

func (e *env) slotNow() time.Time {
	e.t.Helper()
	st, err := e.st.Settings(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return inbox.RetentionSlot(st, e.clock.Now())
}

func (e *env) purgeAudits() []models.AuditEntry {
	e.t.Helper()
	var out []models.AuditEntry
	es, err := e.st.AuditEntries(e.ctx, "", 0, 10000)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, a := range es {
		if a.Action == inbox.AuditRetentionPurge {
			out = append(out, a)
		}
	}
	return out
}

func TestRetentionPurgeExemptionsAndFiles(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		dir := t.TempDir()
		w := e.buildRetentionWorld(dir)
		svc := inbox.New(e.st, e.pol, e.clock, nil, inbox.WithFileRemover(dirFiles(dir)))
		escBefore, openBefore := e.MustMessages(w.escalated.ID), e.MustMessages(w.openOrder.ID)

		preview, err := svc.RetentionDryRun(e.ctx, models.System)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RetentionDryRun(e.ctx, e.agent); models.ErrorCode(err) != models.EFORBIDDEN {
			t.Errorf("agent's dry run: %v, want forbidden", err)
		}
		if e.count("messages", "") == 0 || e.purgeAudits() != nil {
			t.Fatal("the dry run changed something")
		}

		res, err := svc.PurgeSlot(e.ctx, e.slotNow(), inbox.PurgeOptions{BatchSize: 4})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Ran || !res.Finished {
			t.Fatalf("result %+v: want ran and finished", res)
		}
		// Exempt conversations are untouched, files included.
		if got := e.MustMessages(w.escalated.ID); len(got) != len(escBefore) {
			t.Errorf("escalated conversation lost messages: %d of %d left", len(got), len(escBefore))
		}
		if got := e.MustMessages(w.openOrder.ID); len(got) != len(openBefore) {
			t.Errorf("open-order conversation lost messages: %d of %d left", len(got), len(openBefore))
		}
		if _, err := os.Stat(filepath.Join(dir, w.files[w.escalated.ID])); err != nil {
			t.Errorf("escalated conversation's file: %v", err)
		}
		// Expired conversations are gone with their files.
		for _, id := range []int64{w.plain.ID, w.doneOrder.ID} {
			if _, err := e.st.Conversation(e.ctx, id); models.ErrorCode(err) != models.ENOTFOUND {
				t.Errorf("conversation %d left empty still exists (%v)", id, err)
			}
		}
		for _, id := range []int64{w.plain.ID, w.mixed.ID} {
			if _, err := os.Stat(filepath.Join(dir, w.files[id])); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("file of conversation %d still there (%v)", id, err)
			}
		}
		if n := e.count("attachments", "conversation_id IN (?, ?)", w.plain.ID, w.mixed.ID); n != 0 {
			t.Errorf("%d purged attachment rows left", n)
		}
		// The mixed conversation keeps its recent messages, with counts,
		// previews and activity from what is left.
		left := e.MustMessages(w.mixed.ID)
		replies, public := 0, 0
		for _, m := range left {
			if m.CreatedAt.Before(res.Cutoff) {
				t.Errorf("message %d older than the cut-off survived", m.ID)
			}
			if m.Kind != models.KindSystem {
				replies++
			}
			if m.Public && m.Kind == models.KindReply {
				public++
			}
		}
		c := e.MustConv(w.mixed.ID)
		if c.MessageCount != replies || c.PublicMessages != public || replies != 2 || public != 1 {
			t.Errorf("mixed: counts %d/%d, want %d/%d (2/1)", c.MessageCount, c.PublicMessages, replies, public)
		}
		if c.PublicPreview != "still here" || c.LastPreview != "new note" || !c.PublicLastAt.Equal(w.mixed.PublicLastAt) || !c.LastMessageAt.Equal(w.mixed.LastMessageAt) {
			t.Errorf("mixed after purge: %+v", c)
		}
		// The search index follows: a word only purged messages had is no
		// longer found; the words left (and the exempt ones) are.
		found := func(q string) []int64 {
			p, err := e.st.ListConversations(e.ctx, []models.Scope{{Where: "1=1"}}, models.ConversationFilter{Query: q, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, c := range p.Items {
				ids = append(ids, c.ID)
			}
			return ids
		}
		for q, want := range map[string][]int64{"file": nil, "old": nil, "answer": nil, "still": {w.mixed.ID}, "note": {w.mixed.ID},
			"refund": {w.escalated.ID}, "open order": {w.openOrder.ID}} {
			if got := found(q); !slices.Equal(got, want) {
				t.Errorf("search %q after the purge = %v; want %v", q, got, want)
			}
		}
		if got := e.MustConv(w.fresh.ID); got.MessageCount != 1 {
			t.Errorf("fresh conversation: %+v", got)
		}
		// Counts per reason; the dry run foresaw them.
		if res.Counts.KeptEscalated != int64(len(escBefore)) || res.Counts.KeptOpenOrder != int64(len(openBefore)) {
			t.Errorf("kept counts %+v, want %d escalated, %d open order", res.Counts, len(escBefore), len(openBefore))
		}
		if res.Counts.DeletedAttachments != 2 || res.Counts.DeletedConversations != 8 {
			t.Errorf("counts %+v: want 2 attachments, 8 conversations", res.Counts)
		}
		if preview.Counts != res.Counts {
			t.Errorf("dry run %+v, purge %+v", preview.Counts, res.Counts)
		}
		// One audit entry, and a second run of the slot does nothing.
		again, err := svc.PurgeSlot(e.ctx, e.slotNow(), inbox.PurgeOptions{})
		if err != nil || again.Ran || !again.Finished || again.Counts != res.Counts {
			t.Errorf("second run: %+v, %v", again, err)
		}
		audits := e.purgeAudits()
		if len(audits) != 1 {
			t.Fatalf("%d purge audit entries, want 1", len(audits))
		}
		var after struct {
			Cutoff time.Time              `json:"cutoff"`
			Counts models.RetentionCounts `json:"counts"`
		}
		if err := json.Unmarshal([]byte(audits[0].After), &after); err != nil || after.Counts != res.Counts || !after.Cutoff.Equal(res.Cutoff) {
			t.Errorf("audit %s: %+v, %v", audits[0].After, after, err)
		}
	})
}

// snapshot is what a purge leaves: every message id and every
// conversation's list values.
type snapshot struct {
	Messages      []int64
	Conversations []string
	Counts        models.RetentionCounts
}

func (e *env) snapshot(res inbox.PurgeResult) snapshot {
	e.t.Helper()
	var s snapshot
	rows, err := e.st.DB.QueryContext(e.ctx, `SELECT id FROM messages ORDER BY id`)
	if err != nil {
		e.t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		s.Messages = append(s.Messages, id)
	}
	rows.Close()
	rows, err = e.st.DB.QueryContext(e.ctx, `SELECT id FROM conversations ORDER BY id`)
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		c := e.MustConv(id)
		s.Conversations = append(s.Conversations, fmt.Sprintf("%d %s %d/%d %q %q %s %s", c.ID, c.Status, c.MessageCount,
			c.PublicMessages, c.LastPreview, c.PublicPreview, c.LastMessageAt, c.PublicLastAt))
	}
	s.Counts = res.Counts
	return s
}

// failOnce is a file store whose first removal fails (a crash between the
// commit and the files).
type failOnce struct {
	mu     sync.Mutex
	failed bool
	inner  inbox.FileRemover
}

func (f *failOnce) Remove(ctx context.Context, keys ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.failed {
		f.failed = true
		return errors.New("disk on fire")
	}
	return f.inner.Remove(ctx, keys...)
}

// TestRetentionPurgeCrashAndRerun: a run stopped after a few batches (as
// by kill -9), then run again once its lease is over, leaves exactly what
// one uninterrupted run leaves, with the same counts and one audit entry.
func TestRetentionPurgeCrashAndRerun(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			// One uninterrupted run.
			ref := newEnv(t, storetest.Open(t, b))
			ref.buildRetentionWorld(t.TempDir())
			refSvc := inbox.New(ref.st, ref.pol, ref.clock, nil)
			want, err := refSvc.PurgeSlot(ref.ctx, ref.slotNow(), inbox.PurgeOptions{BatchSize: 3})
			if err != nil {
				t.Fatal(err)
			}
			wantSnap := ref.snapshot(want)

			e := newEnv(t, storetest.Open(t, b))
			dir := t.TempDir()
			w := e.buildRetentionWorld(dir)
			slot := e.slotNow()
			files := &failOnce{inner: dirFiles(dir)}
			svc := inbox.New(e.st, e.pol, e.clock, nil, inbox.WithFileRemover(files))
			// First attempt: its first batch commits, then removing the files fails.
			if _, err := svc.PurgeSlot(e.ctx, slot, inbox.PurgeOptions{BatchSize: 3}); err == nil {
				t.Fatal("the failing file store did not stop the run")
			}
			// A second worker cannot take the slot while the lease holds.
			if r, err := svc.PurgeSlot(e.ctx, slot, inbox.PurgeOptions{BatchSize: 3}); err != nil || r.Ran {
				t.Fatalf("slot taken during the lease: %+v, %v", r, err)
			}
			e.clock.Advance(3 * time.Minute)
			// Second attempt: removes the pending files, then dies after 2 batches.
			stop := func(n int) error {
				if n == 2 {
					return inbox.ErrPurgeStopped
				}
				return nil
			}
			if _, err := svc.PurgeSlot(e.ctx, slot, inbox.PurgeOptions{BatchSize: 3, AfterBatch: stop}); !errors.Is(err, inbox.ErrPurgeStopped) {
				t.Fatalf("stopped run: %v", err)
			}
			if len(e.purgeAudits()) != 0 {
				t.Fatal("an unfinished slot wrote its audit entry")
			}
			if _, err := os.Stat(filepath.Join(dir, w.files[w.plain.ID])); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("file of the first batch left behind (%v)", err)
			}
			e.clock.Advance(3 * time.Minute)
			got, err := svc.PurgeSlot(e.ctx, slot, inbox.PurgeOptions{BatchSize: 3})
			if err != nil || !got.Finished || got.Attempts != 3 {
				t.Fatalf("rerun: %+v, %v", got, err)
			}
			if gotSnap := e.snapshot(got); !reflect.DeepEqual(gotSnap, wantSnap) {
				t.Errorf("after crash and rerun:\n%+v\nuninterrupted:\n%+v", gotSnap, wantSnap)
			}
			if n := len(e.purgeAudits()); n != 1 {
				t.Errorf("%d audit entries, want 1", n)
			}
			for id, key := range w.files {
				_, err := os.Stat(filepath.Join(dir, key))
				if gone := errors.Is(err, os.ErrNotExist); gone != (id != w.escalated.ID) {
					t.Errorf("file of conversation %d: gone=%v", id, gone)
				}
			}
		})
	}
}

// TestRetentionPurgeOneSlotOnce: workers racing on one slot run it once.
func TestRetentionPurgeOneSlotOnce(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.buildRetentionWorld(t.TempDir())
		slot := e.slotNow()
		var wg sync.WaitGroup
		results := make([]inbox.PurgeResult, 4)
		errs := make([]error, 4)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc := inbox.New(e.st, e.pol, e.clock, nil)
				results[i], errs[i] = svc.PurgeSlot(e.ctx, slot, inbox.PurgeOptions{BatchSize: 2})
			}()
		}
		wg.Wait()
		ran := 0
		for i, r := range results {
			if errs[i] != nil {
				t.Errorf("worker %d: %v", i, errs[i])
			}
			if r.Ran {
				ran++
			}
		}
		if ran != 1 {
			t.Errorf("%d workers ran the slot, want 1", ran)
		}
		if n := len(e.purgeAudits()); n != 1 {
			t.Errorf("%d audit entries, want 1", n)
		}
	})
}

func TestRetentionSlotInStoreZone(t *testing.T) {
	st := models.DefaultSettings()
	st.TimeZone, st.RetentionPurgeTime, st.RetentionDays = "Europe/Berlin", "03:00", 30
	// 01:30 UTC on 2 Dec is 02:30 in Berlin: the slot is the day before's.
	now := time.Date(2026, 12, 2, 1, 30, 0, 0, time.UTC)
	if got, want := inbox.RetentionSlot(st, now), time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("slot %s, want %s", got, want)
	}
	now = time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)
	if got, want := inbox.RetentionSlot(st, now), time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("slot %s, want %s", got, want)
	}
	if got, want := inbox.RetentionCutoff(st, time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)), time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("cutoff %s, want %s", got, want)
	}
	if got, want := inbox.NextRetentionSlot(st, now), time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("next slot %s, want %s", got, want)
	}
}

// dirFiles removes attachment files kept under one directory by their
// storage keys (relative paths). A fallback FileRemover for when the
// attachment store does not provide one; keys that would leave the
// directory are refused.
type dirFiles string

// Remove deletes the files; missing ones are fine.
func (d dirFiles) Remove(ctx context.Context, keys ...string) error {
	var errs []error
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return err
		}
		if k == "" || filepath.IsAbs(k) || !filepath.IsLocal(k) || strings.ContainsRune(k, 0) {
			errs = append(errs, fmt.Errorf("storage key %q is not a relative path", k))
			continue
		}
		if err := os.Remove(filepath.Join(string(d), k)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// A purged conversation's follow-up stays, unlinked (the foreign key's
// ON DELETE SET NULL does it: the purge no longer updates follow-ups
// itself).
func TestRetentionPurgeUnlinksFollowUps(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.setSetting(models.SettingRetentionDays, "30")
		cu, old := e.MustCustomerConv()
		e.MustChangeStatus(e.agent, old.ID, models.StatusClosed, "")
		e.clock.Advance(40 * 24 * time.Hour)
		_, follow := e.MustSend(cu, old.ID, models.KindReply, "back again")
		if follow.ID == old.ID || follow.FollowUpOf == nil || *follow.FollowUpOf != old.ID {
			t.Fatalf("no follow-up: %+v", follow)
		}
		res, err := e.svc.PurgeSlot(e.ctx, e.slotNow(), inbox.PurgeOptions{})
		if err != nil || !res.Finished || res.Counts.DeletedConversations != 1 {
			t.Fatalf("purge: %+v, %v", res, err)
		}
		if e.count("conversations", fmt.Sprintf("id = %d", old.ID)) != 0 {
			t.Error("the old conversation is still there")
		}
		if got := e.MustConv(follow.ID); got.FollowUpOf != nil || len(e.MustMessages(follow.ID)) == 0 {
			t.Errorf("follow-up after the purge: %+v", got)
		}
	})
}
