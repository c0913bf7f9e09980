package inbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// FileRemover removes stored attachment files by storage key (the
// attachment store implements it). A file already gone is not an error:
// the purge may remove the same files twice after a crash.
type FileRemover interface {
	Remove(ctx context.Context, keys ...string) error
}

// WithFileRemover lets the retention purge remove attachment files.
func WithFileRemover(r FileRemover) Option { return func(s *Service) { s.remover = r } }

// fileRemover is what removes attachment files: WithFileRemover's, else
// the attachment store.
func (s *Service) fileRemover() FileRemover {
	if s.remover != nil {
		return s.remover
	}
	if s.files != nil {
		return s.files
	}
	return nil
}

// Production's batch (bench/purge measured it, docs/send-mail-purge.md):
// DefaultPurgeBatch messages looked at per short transaction. The pace
// between batches adapts to what the purge does to other statements
// (purgepace.go).
const DefaultPurgeBatch = 2000

// AuditRetentionPurge is the audit action of a completed purge slot.
const AuditRetentionPurge = "customer_chat_retention_purge"

// PurgeOptions tune one purge run; the zero value is production's.
type PurgeOptions struct {
	BatchSize int           // messages looked at per transaction (DefaultPurgeBatch)
	Lease     time.Duration // how long a batch may take before another worker may resume the slot (2 min)
	Pause     time.Duration // a fixed pause between batches (none)
	// Share fixes the fraction of the time the purge works: after a batch
	// that took d it pauses d×(1−Share)/Share (1: no pause, the
	// unthrottled purge). 0, production's, adapts it to how much the
	// batches slow a probe read down (purgepace.go), up to MaxShare.
	Share float64
	// MaxShare is the adaptive pace's ceiling, in (0, 1]
	// (0: DefaultPurgeMaxShare).
	MaxShare float64
	// AfterBatch runs after each committed batch (1, 2, …); an error stops
	// the run there, as a crash would (tests).
	AfterBatch func(batch int) error
	// Trace, when set, hears how long each step of a batch took (benchmarks).
	Trace func(step string, d time.Duration)
}

// step times one step of a batch for Trace.
func (o PurgeOptions) step(name string, start time.Time) time.Time {
	now := time.Now()
	if o.Trace != nil {
		o.Trace(name, now.Sub(start))
	}
	return now
}

// PurgeResult is what a purge run did to its slot.
type PurgeResult struct {
	Disabled      bool // retention_days is 0: nothing to do
	Slot          time.Time
	Cutoff        time.Time
	RetentionDays int
	Ran           bool // this call held the slot
	Finished      bool // the slot is complete (by this call or an earlier one)
	Counts        models.RetentionCounts
	Batches       int64
	Attempts      int
	Duration      time.Duration // from the slot's start to its finish
}

// RetentionSlot is the latest daily purge slot at or before now: the purge
// time (RetentionPurgeTime) in the store's time zone.
func RetentionSlot(st models.Settings, now time.Time) time.Time {
	loc := st.Location()
	t, err := time.Parse("15:04", st.RetentionPurgeTime)
	if err != nil {
		t, _ = time.Parse("15:04", "03:00")
	}
	n := now.In(loc)
	slot := time.Date(n.Year(), n.Month(), n.Day(), t.Hour(), t.Minute(), 0, 0, loc)
	if slot.After(n) {
		slot = time.Date(n.Year(), n.Month(), n.Day()-1, t.Hour(), t.Minute(), 0, 0, loc)
	}
	return slot.UTC()
}

// RetentionCutoff is a slot's cut-off: retention_days calendar days before
// it, in the store's time zone.
func RetentionCutoff(st models.Settings, slot time.Time) time.Time {
	return models.Now(slot.In(st.Location()).AddDate(0, 0, -st.RetentionDays))
}

// Purge runs the retention purge (R14) of the latest slot at or before now.
func (s *Service) Purge(ctx context.Context, o PurgeOptions) (PurgeResult, error) {
	st, err := s.store.Settings(ctx)
	if err != nil {
		return PurgeResult{}, err
	}
	return s.PurgeSlot(ctx, RetentionSlot(st, s.now()), o)
}

// PurgeSlot runs or resumes the retention purge of one daily slot (R14), a
// system operation outside R2. The slot's row is claimed with a lease, so
// several workers run it once; its cut-off is fixed when it starts. Each
// batch deletes expired messages of conversations that are neither
// ESCALATED nor linked to an open order, with their attachments, fixes the
// conversations' counts, previews and activity, deletes conversations left
// empty, and records its progress — all in one short transaction, so a
// crash at any point and a rerun delete exactly what one run would. The
// attachment files go after the commit. The slot's one audit entry is
// written when it completes.
func (s *Service) PurgeSlot(ctx context.Context, slot time.Time, o PurgeOptions) (PurgeResult, error) {
	if !s.pol.Can(models.System, policies.ObjConversation, policies.Purge, nil) {
		return PurgeResult{}, models.Errorf(models.EFORBIDDEN, "the policy does not let the system purge")
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultPurgeBatch
	}
	if o.Share < 0 || o.Share > 1 {
		return PurgeResult{}, fmt.Errorf("purge share %v: want 0 (adaptive) or a fraction in (0, 1]", o.Share)
	}
	if o.MaxShare < 0 || o.MaxShare > 1 {
		return PurgeResult{}, fmt.Errorf("purge ceiling %v: want 0 (the default) or a fraction in (0, 1]", o.MaxShare)
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	st, err := s.store.Settings(ctx)
	if err != nil {
		return PurgeResult{}, err
	}
	slot = models.Now(slot)
	res := PurgeResult{Slot: slot}
	run, err := s.store.RetentionRunAt(ctx, slot)
	switch {
	case err == nil:
	case models.ErrorCode(err) == models.ENOTFOUND:
		if st.RetentionDays == 0 {
			res.Disabled = true
			return res, nil
		}
	default:
		return res, err
	}
	if err == nil && run.FinishedAt != nil {
		return resultOf(run, false), nil
	}
	cutoff, days := RetentionCutoff(st, slot), st.RetentionDays
	if err == nil {
		cutoff, days = run.Cutoff, run.RetentionDays
	}
	maxID, err := s.store.RetentionMaxID(ctx, cutoff)
	if err != nil {
		return res, err
	}
	owner := newOwner()
	now := s.now()
	run, ok, err := s.store.ClaimRetentionRun(ctx, slot, cutoff, days, maxID, owner, now, now.Add(o.Lease))
	if err != nil {
		return res, err
	}
	if !ok {
		return resultOf(run, false), nil // finished, or another worker holds it
	}
	if err := s.purgeFiles(ctx, run.PendingKeys); err != nil {
		return resultOf(run, true), err
	}
	pace := newPacer(o.Share, o.MaxShare, func(ctx context.Context) error { _, err := s.store.Settings(ctx); return err })
	var expect time.Duration // the last batch's duration
	for batch := 1; ; batch++ {
		var done bool
		var next models.RetentionRun
		t := time.Now()
		batchDone := make(chan struct{})
		probe := pace.during(ctx, expect, batchDone)
		err := s.store.InTx(ctx, func(tx *models.Tx) (err error) {
			// InTx may run this again after a rollback: each attempt starts
			// from the last committed progress (run).
			done, next, err = s.purgeBatch(ctx, tx, run, owner, o)
			return err
		})
		close(batchDone)
		expect = time.Since(t)
		busy := <-probe
		if err != nil {
			return resultOf(run, true), fmt.Errorf("retention purge of %s: %w", slot.Format(time.RFC3339), err)
		}
		o.step("transaction", t)
		if done {
			break
		}
		run = next
		if err := s.purgeFiles(ctx, run.PendingKeys); err != nil {
			return resultOf(run, true), err
		}
		if o.AfterBatch != nil {
			if err := o.AfterBatch(batch); err != nil {
				return resultOf(run, true), err
			}
		}
		paused, err := pace.pause(ctx, time.Since(t), busy, o.Pause)
		if o.Trace != nil {
			o.Trace("pause", paused)
		}
		if err != nil {
			return resultOf(run, true), err
		}
	}
	finished := s.now()
	err = s.store.InTx(ctx, func(tx *models.Tx) error {
		ok, err := tx.FinishRetentionRun(ctx, run.ID, owner, finished)
		if err != nil {
			return err
		}
		if !ok {
			return models.ErrLeaseLost
		}
		return s.audit(ctx, tx, models.System, AuditRetentionPurge, "retention_run", run.ID, nil, purgeAudit{
			Slot: run.SlotAt, Cutoff: run.Cutoff, RetentionDays: run.RetentionDays, Counts: run.Counts,
			Batches: run.Batches, Attempts: run.Attempts, DurationMS: finished.Sub(run.StartedAt).Milliseconds(),
			StartedAt: run.StartedAt, FinishedAt: finished})
	})
	if err != nil {
		return resultOf(run, true), fmt.Errorf("finish retention purge: %w", err)
	}
	run.FinishedAt = &finished
	return resultOf(run, true), nil
}

// purgeAudit is the audit entry of a completed slot.
type purgeAudit struct {
	Slot          time.Time              `json:"slot"`
	Cutoff        time.Time              `json:"cutoff"`
	RetentionDays int                    `json:"retention_days"`
	Counts        models.RetentionCounts `json:"counts"`
	Batches       int64                  `json:"batches"`
	Attempts      int                    `json:"attempts"`
	DurationMS    int64                  `json:"duration_ms"`
	StartedAt     time.Time              `json:"started_at"`
	FinishedAt    time.Time              `json:"finished_at"`
}

func resultOf(r models.RetentionRun, ran bool) PurgeResult {
	res := PurgeResult{Slot: r.SlotAt, Cutoff: r.Cutoff, RetentionDays: r.RetentionDays, Ran: ran,
		Finished: r.FinishedAt != nil, Counts: r.Counts, Batches: r.Batches, Attempts: r.Attempts}
	if r.FinishedAt != nil {
		res.Duration = r.FinishedAt.Sub(r.StartedAt)
	}
	return res
}

func newOwner() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Service) purgeFiles(ctx context.Context, keys []string) error {
	r := s.fileRemover()
	if len(keys) == 0 || r == nil {
		return nil
	}
	if err := r.Remove(ctx, keys...); err != nil {
		return fmt.Errorf("remove purged attachment files: %w", err)
	}
	return nil
}

// convPurge is what a batch deleted in one conversation.
type convPurge struct {
	replies, publicReplies int
	newest, newestPublic   time.Time // newest deleted message, newest deleted public one
}

// purgeBatch deletes one batch in tx, records the progress and answers the
// run as it is once the batch commits; done means the walk is over.
func (s *Service) purgeBatch(ctx context.Context, tx *models.Tx, run models.RetentionRun, owner string, o PurgeOptions) (done bool, next models.RetentionRun, err error) {
	next = run
	t := time.Now()
	cands, err := tx.RetentionCandidates(ctx, run.LastID, run.MaxID, run.Cutoff, o.BatchSize)
	if err != nil || len(cands) == 0 {
		return err == nil, next, err
	}
	t = o.step("candidates", t)
	var convIDs []int64
	for _, c := range cands {
		convIDs = append(convIDs, c.ConversationID)
	}
	slices.Sort(convIDs)
	convIDs = slices.Compact(convIDs)
	// Lock the conversations first, in id order, as a send does: the
	// exemptions are read under the lock and the counters stay exact.
	convs, err := tx.LockConversations(ctx, convIDs)
	if err != nil {
		return false, next, err
	}
	byID := make(map[int64]*models.Conversation, len(convs))
	var orderIDs []int64
	for i := range convs {
		byID[convs[i].ID] = &convs[i]
		if convs[i].OrderID != nil {
			orderIDs = append(orderIDs, *convs[i].OrderID)
		}
	}
	orders, err := tx.OrderStatuses(ctx, orderIDs)
	if err != nil {
		return false, next, err
	}
	t = o.step("lock", t)
	var add models.RetentionCounts
	var n int        // messages to delete
	var keep []int64 // exempt conversations of the batch
	var keys []string
	touched := map[int64]*convPurge{}
	for _, m := range cands {
		c := byID[m.ConversationID]
		switch {
		case c == nil:
			continue // deleted meanwhile, with its messages
		case c.Status == models.StatusEscalated:
			add.KeptEscalated++
			keep = append(keep, c.ID)
			continue
		case c.OrderID != nil && orders[*c.OrderID] == models.OrderOpen:
			add.KeptOpenOrder++
			keep = append(keep, c.ID)
			continue
		}
		n++
		p := touched[c.ID]
		if p == nil {
			p = &convPurge{}
			touched[c.ID] = p
		}
		if m.Kind != models.KindSystem {
			p.replies++
		}
		if m.CreatedAt.After(p.newest) {
			p.newest = m.CreatedAt
		}
		if m.Public {
			if m.Kind == models.KindReply {
				p.publicReplies++
			}
			if m.CreatedAt.After(p.newestPublic) {
				p.newestPublic = m.CreatedAt
			}
		}
	}
	last := cands[len(cands)-1].ID
	if n > 0 {
		affected := make([]int64, 0, len(touched))
		for id := range touched {
			affected = append(affected, id)
		}
		slices.Sort(affected)
		slices.Sort(keep)
		keep = slices.Compact(keep)
		// The candidates are every message in (LastID, last] older than the
		// cut-off, and their conversations are locked: the batch is that
		// primary-key range less the exempt conversations' messages — one
		// statement walking the primary key, not each conversation's index.
		// The full-text indexes follow the deletes by themselves (SQLite
		// triggers, InnoDB FULLTEXT): a purged word is no longer found.
		var nm, na int64
		if keys, nm, na, err = tx.PurgeMessageRange(ctx, run.LastID, last, run.Cutoff, keep); err != nil {
			return false, next, err
		}
		add.DeletedMessages, add.DeletedAttachments = nm, na
		t = o.step("delete", t)
		// Emptied conversations go first, each after a locking check that
		// it has no message left; those still there get their counts,
		// previews and activity fixed.
		left, err := tx.PurgeEmptyConversations(ctx, affected)
		if err != nil {
			return false, next, err
		}
		add.DeletedConversations = int64(len(affected) - len(left))
		t = o.step("empty-conversations", t)
		// What is left of them is read once for the whole batch.
		held := make([]models.Conversation, len(left))
		for i, id := range left {
			held[i] = *byID[id]
		}
		remains, err := tx.PurgeRemainsOf(ctx, held)
		if err != nil {
			return false, next, err
		}
		for _, id := range left {
			c := byID[id]
			afterPurge(c, touched[id], remains[id])
			if err := tx.SaveConversation(ctx, *c); err != nil {
				return false, next, err
			}
		}
		if err := tx.ResetWordsOf(ctx, remains); err != nil {
			return false, next, err
		}
		t = o.step("fix-conversations", t)
	}
	if err := tx.SaveRetentionProgress(ctx, run.ID, owner, last, add, keys, s.now().Add(o.Lease)); err != nil {
		return false, next, err
	}
	o.step("progress", t)
	next.LastID = last
	next.Counts.Add(add)
	next.Batches++
	next.PendingKeys = keys
	return false, next, nil
}

// afterPurge fixes what lists show of a conversation that lost messages
// but not all of them (r: what it still has, in id order): the counts drop
// by what went; the activity times and previews are taken again from what
// is left when the newest message of their kind went or none is left
// (docs/design.md §3 keeps staff and public values apart).
func afterPurge(c *models.Conversation, p *convPurge, r *models.PurgeRemains) {
	c.MessageCount = max(c.MessageCount-p.replies, 0)
	c.PublicMessages = max(c.PublicMessages-p.publicReplies, 0)
	staleStaff := !p.newest.IsZero() && !p.newest.Before(c.LastMessageAt)
	stalePublic := !p.newestPublic.IsZero() && !p.newestPublic.Before(c.PublicLastAt)
	var newest, newestPublic, staffMsg, publicReply *models.Message
	if r != nil {
		for i := range r.Messages {
			m := &r.Messages[i]
			newest = m
			if m.Public {
				newestPublic = m
			}
			if m.Kind != models.KindSystem {
				staffMsg = m
			}
			if m.PublicReply() {
				publicReply = m
			}
		}
	}
	if staleStaff && newest != nil {
		c.LastMessageAt = newest.CreatedAt
	}
	if stalePublic && newestPublic != nil {
		c.PublicLastAt = newestPublic.CreatedAt
	}
	switch {
	case c.MessageCount == 0:
		c.LastPreview = ""
	case p.replies > 0 && staleStaff && staffMsg != nil:
		c.LastPreview = models.Preview(staffMsg.Body)
	}
	switch {
	case c.PublicMessages == 0:
		c.PublicPreview = ""
	case p.publicReplies > 0 && stalePublic && publicReply != nil:
		c.PublicPreview = models.Preview(publicReply.Body)
	}
}

// RetentionPreview is the retention dry run: what a purge would do now.
type RetentionPreview struct {
	Disabled      bool // retention_days is 0
	RetentionDays int
	Cutoff        time.Time
	NextSlot      time.Time // the next scheduled purge
	Counts        models.RetentionCounts
}

// RetentionDryRun counts, per reason, what the retention purge would do
// with a cut-off of now minus retention_days, changing nothing: the
// settings page and `parley job run retention --dry-run` show it. Owners
// (settings.manage) and the system may ask.
func (s *Service) RetentionDryRun(ctx context.Context, a models.Actor) (RetentionPreview, error) {
	if a.Kind != models.ActorSystem && !s.pol.Can(a, policies.ObjSettings, policies.ManageSettings, nil) {
		return RetentionPreview{}, models.Errorf(models.EFORBIDDEN, "you may not see the retention preview")
	}
	st, err := s.store.Settings(ctx)
	if err != nil {
		return RetentionPreview{}, err
	}
	now := s.now()
	p := RetentionPreview{RetentionDays: st.RetentionDays, NextSlot: nextSlot(st, now)}
	if st.RetentionDays == 0 {
		p.Disabled = true
		return p, nil
	}
	p.Cutoff = models.Now(now.In(st.Location()).AddDate(0, 0, -st.RetentionDays))
	if p.Counts, err = s.store.RetentionPreview(ctx, p.Cutoff); err != nil {
		return p, fmt.Errorf("retention dry run: %w", err)
	}
	return p, nil
}

// nextSlot is the first slot after now.
func nextSlot(st models.Settings, now time.Time) time.Time {
	slot := RetentionSlot(st, now)
	return slot.In(st.Location()).AddDate(0, 0, 1).UTC()
}

// NextRetentionSlot is the first purge slot after now (the scheduler uses it).
func NextRetentionSlot(st models.Settings, now time.Time) time.Time { return nextSlot(st, now) }

// ErrPurgeStopped is what an AfterBatch hook returns to stop a run as a
// crash would (tests).
var ErrPurgeStopped = errors.New("purge stopped")
