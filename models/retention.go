package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// RetentionCounts are a purge's counts per reason (R14), over every attempt
// of its slot.
type RetentionCounts struct {
	DeletedMessages      int64 `json:"deleted_messages"`
	KeptEscalated        int64 `json:"kept_escalated"`
	KeptOpenOrder        int64 `json:"kept_open_order"`
	DeletedAttachments   int64 `json:"deleted_attachments"`
	DeletedConversations int64 `json:"deleted_conversations"`
}

// Add adds o to c.
func (c *RetentionCounts) Add(o RetentionCounts) {
	c.DeletedMessages += o.DeletedMessages
	c.KeptEscalated += o.KeptEscalated
	c.KeptOpenOrder += o.KeptOpenOrder
	c.DeletedAttachments += o.DeletedAttachments
	c.DeletedConversations += o.DeletedConversations
}

// RetentionRun is the progress of one daily purge slot: its fixed cut-off,
// how far the walk over message ids got, and its counts. Each batch
// updates it in the batch's own transaction.
type RetentionRun struct {
	ID            int64
	SlotAt        time.Time
	Cutoff        time.Time
	RetentionDays int
	MaxID         int64 // the walk's upper bound, fixed with the cut-off
	LastID        int64 // every message id up to here is done
	Counts        RetentionCounts
	Batches       int64
	Attempts      int
	PendingKeys   []string // attachment files of the last committed batch, not yet removed
	LeaseOwner    string
	LeaseUntil    *time.Time
	StartedAt     time.Time
	FinishedAt    *time.Time
}

const retentionColumns = `id, slot_at, cutoff, retention_days, max_id, last_id, deleted_messages, kept_escalated,
	kept_open_order, deleted_attachments, deleted_conversations, batches, attempts, pending_keys, lease_owner,
	lease_until, started_at, finished_at`

func scanRetentionRun(row scanner) (RetentionRun, error) {
	var r RetentionRun
	var pending string
	var lease, finished sql.NullTime
	err := row.Scan(&r.ID, &r.SlotAt, &r.Cutoff, &r.RetentionDays, &r.MaxID, &r.LastID, &r.Counts.DeletedMessages,
		&r.Counts.KeptEscalated, &r.Counts.KeptOpenOrder, &r.Counts.DeletedAttachments, &r.Counts.DeletedConversations,
		&r.Batches, &r.Attempts, &pending, &r.LeaseOwner, &lease, &r.StartedAt, &finished)
	if err != nil {
		return r, err
	}
	if pending != "" {
		if err := json.Unmarshal([]byte(pending), &r.PendingKeys); err != nil {
			return r, fmt.Errorf("retention run %d: pending keys: %w", r.ID, err)
		}
	}
	r.SlotAt, r.Cutoff, r.StartedAt = r.SlotAt.UTC(), r.Cutoff.UTC(), r.StartedAt.UTC()
	r.LeaseUntil, r.FinishedAt = nullTime(lease), nullTime(finished)
	return r, nil
}

// RetentionRunAt loads the run of a slot (ENOTFOUND when it never started).
func (q Queries) RetentionRunAt(ctx context.Context, slot time.Time) (RetentionRun, error) {
	r, err := scanRetentionRun(q.q.QueryRowContext(ctx, `SELECT `+retentionColumns+` FROM retention_runs WHERE slot_at = ?`, Now(slot)))
	if err != nil {
		return r, fmt.Errorf("retention run %s: %w", slot.UTC().Format(time.RFC3339), translate(err))
	}
	return r, nil
}

// LatestRetentionRuns lists the newest runs, newest slot first.
func (q Queries) LatestRetentionRuns(ctx context.Context, limit int) ([]RetentionRun, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+retentionColumns+` FROM retention_runs ORDER BY slot_at DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("retention runs: %w", translate(err))
	}
	defer rows.Close()
	var out []RetentionRun
	for rows.Next() {
		r, err := scanRetentionRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RetentionMaxID is the id of the newest message older than cutoff (0 when
// there is none): the upper bound of a slot's walk. It reads the
// messages_created index from its end, one row.
func (q Queries) RetentionMaxID(ctx context.Context, cutoff time.Time) (int64, error) {
	var id int64
	err := q.q.QueryRowContext(ctx, `SELECT id FROM messages WHERE created_at < ? ORDER BY created_at DESC, id DESC LIMIT 1`, cutoff).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("retention bound: %w", translate(err))
	}
	return id, nil
}

// ClaimRetentionRun starts or resumes the run of a slot for owner, with a
// lease until leaseUntil. A new slot's row is created with the given
// cut-off and bound; an existing one keeps its own (the cut-off is fixed
// per slot). It reports false when the slot is finished or another owner
// holds a lease that has not run out.
func (q Queries) ClaimRetentionRun(ctx context.Context, slot, cutoff time.Time, days int, maxID int64, owner string, now, leaseUntil time.Time) (RetentionRun, bool, error) {
	slot, cutoff, now, leaseUntil = Now(slot), Now(cutoff), Now(now), Now(leaseUntil)
	_, err := q.q.ExecContext(ctx, `INSERT INTO retention_runs (slot_at, cutoff, retention_days, max_id, pending_keys,
		lease_owner, lease_until, attempts, started_at) VALUES (?, ?, ?, ?, '', ?, ?, 1, ?)`,
		slot, cutoff, days, maxID, owner, leaseUntil, now)
	if err == nil {
		r, err := q.RetentionRunAt(ctx, slot)
		return r, err == nil, err
	}
	if ErrorCode(translate(err)) != ECONFLICT {
		return RetentionRun{}, false, fmt.Errorf("start retention run: %w", translate(err))
	}
	res, err := q.q.ExecContext(ctx, `UPDATE retention_runs SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
		WHERE slot_at = ? AND finished_at IS NULL AND (lease_until IS NULL OR lease_until < ? OR lease_owner = ?)`,
		owner, leaseUntil, slot, now, owner)
	if err != nil {
		return RetentionRun{}, false, fmt.Errorf("resume retention run: %w", translate(err))
	}
	n, _ := res.RowsAffected()
	r, err := q.RetentionRunAt(ctx, slot)
	return r, n == 1 && err == nil, err
}

// ErrLeaseLost says another worker took over a run whose lease ran out.
var ErrLeaseLost = Errorf(ECONFLICT, "the retention run's lease was lost to another worker")

// RetentionCandidate is a message at or before a slot's cut-off with what
// decides its fate.
type RetentionCandidate struct {
	ID             int64
	ConversationID int64
	Kind           string
	Public         bool
	CreatedAt      time.Time
}

// RetentionCandidates reads the next batch of the walk: messages with ids in
// (after, maxID] created before cutoff, in id order (a primary-key range).
// scanned is the highest id looked at (0 when none).
func (q Queries) RetentionCandidates(ctx context.Context, after, maxID int64, cutoff time.Time, limit int) ([]RetentionCandidate, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, conversation_id, kind, is_public, created_at FROM messages
		WHERE id > ? AND id <= ? AND created_at < ? ORDER BY id LIMIT ?`, after, maxID, cutoff, limit)
	if err != nil {
		return nil, fmt.Errorf("retention batch: %w", translate(err))
	}
	defer rows.Close()
	var out []RetentionCandidate
	for rows.Next() {
		var c RetentionCandidate
		if err := rows.Scan(&c.ID, &c.ConversationID, &c.Kind, &c.Public, &c.CreatedAt); err != nil {
			return nil, err
		}
		c.CreatedAt = c.CreatedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// OrderStatuses maps order ids to their status.
func (q Queries) OrderStatuses(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids)
	rows, err := q.q.QueryContext(ctx, `SELECT id, status FROM orders WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("order statuses: %w", translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var st string
		if err := rows.Scan(&id, &st); err != nil {
			return nil, err
		}
		out[id] = st
	}
	return out, rows.Err()
}

// PurgeMessageRange deletes the messages with ids in (after, upTo] created
// before cutoff, except those of the conversations in keep (exempt) — a
// primary-key range, one statement — with their notifications and
// attachment rows (the foreign keys' ON DELETE CASCADE; both dialects
// enforce them). It is the retention purge's own path, outside R2; the
// caller holds the locks of every conversation with such a message, so no
// message or attachment joins them meanwhile (and a new message's id is
// above any slot's bound). It answers the attachments' storage keys (their
// files are removed after the commit) and how many messages and
// attachments went.
func (q Queries) PurgeMessageRange(ctx context.Context, after, upTo int64, cutoff time.Time, keep []int64) (keys []string, messages, attachments int64, err error) {
	if upTo <= after {
		return nil, 0, 0, nil
	}
	cond := `m.id > ? AND m.id <= ? AND m.created_at < ?`
	args := []any{after, upTo, Now(cutoff)}
	if len(keep) > 0 {
		in, keepArgs := inList(keep)
		cond += ` AND m.conversation_id NOT IN (` + in + `)`
		args = append(args, keepArgs...)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT a.storage_key FROM attachments a JOIN messages m ON m.id = a.message_id
		WHERE a.message_id > ? AND a.message_id <= ? AND `+cond+` ORDER BY a.id`, append([]any{after, upTo}, args...)...)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("purge: attachments: %w", translate(err))
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, 0, 0, err
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, 0, err
	}
	res, err := q.q.ExecContext(ctx, `DELETE FROM messages WHERE `+strings.ReplaceAll(cond, "m.", ""), args...)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("purge: messages: %w", translate(err))
	}
	messages, _ = res.RowsAffected()
	return keys, messages, int64(len(keys)), nil
}

// PurgeEmptyConversations deletes those of the given conversations that
// have no message left — the check is part of the DELETE, a locking read
// on both dialects (MariaDB reads a DML statement's subquery with shared
// locks, so a message a send committed after the batch's snapshot counts)
// — with their notifications and attachment rows; their follow-ups keep
// existing, unlinked. The caller holds the conversations' locks. It
// answers the conversations that are still there, in id order.
func (q Queries) PurgeEmptyConversations(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := inList(ids)
	// Their notifications and attachment rows go with them (ON DELETE
	// CASCADE). Follow-ups are unlinked by fk_conversations_follow_up's ON
	// DELETE SET NULL, one probe of conversations_follow_up per deleted row
	// (an UPDATE … WHERE follow_up_of IN (…) of hundreds of ids made
	// MariaDB scan the whole table each batch). SQLite enforces them too
	// (foreign_keys(1)).
	res, err := q.q.ExecContext(ctx, `DELETE FROM conversations WHERE id IN (`+in+`) AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id)`, args...)
	if err != nil {
		return nil, fmt.Errorf("purge: conversations: %w", translate(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, err
	}
	if n == int64(len(ids)) {
		return nil, q.queueGoneWords(ctx, ids)
	}
	// The rest are locked by the caller and read back by primary key.
	rows, err := q.q.QueryContext(ctx, `SELECT id FROM conversations WHERE id IN (`+in+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("purge: conversations left: %w", translate(err))
	}
	left, err := collectIDs(rows)
	if err != nil {
		return nil, err
	}
	var gone []int64
	for _, id := range ids {
		if !slices.Contains(left, id) {
			gone = append(gone, id)
		}
	}
	return left, q.queueGoneWords(ctx, gone)
}

// LatestMessage is the newest message of a conversation matching the
// filter: staffSide = any non-system message; otherwise a public reply.
// ok is false when there is none.
func (q Queries) LatestMessage(ctx context.Context, conversationID int64, publicReply bool) (Message, bool, error) {
	cond := `kind <> ?`
	args := []any{conversationID, KindSystem}
	if publicReply {
		cond = `kind = ? AND is_public = ?`
		args = []any{conversationID, KindReply, true}
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE conversation_id = ? AND `+cond+` ORDER BY id DESC LIMIT 1`, args...)
	if err != nil {
		return Message{}, false, fmt.Errorf("latest message of %d: %w", conversationID, translate(err))
	}
	ms, err := collectMessages(rows)
	if err != nil || len(ms) == 0 {
		return Message{}, false, err
	}
	return ms[0], true, nil
}

// SaveRetentionProgress records a committed batch in the batch's own
// transaction: how far the walk got, the batch's counts and the files to
// remove. It fails with ErrLeaseLost when owner no longer holds the run.
func (q Queries) SaveRetentionProgress(ctx context.Context, runID int64, owner string, lastID int64, add RetentionCounts, pending []string, leaseUntil time.Time) error {
	keys := ""
	if len(pending) > 0 {
		b, err := json.Marshal(pending)
		if err != nil {
			return err
		}
		keys = string(b)
	}
	res, err := q.q.ExecContext(ctx, `UPDATE retention_runs SET last_id = ?, deleted_messages = deleted_messages + ?,
		kept_escalated = kept_escalated + ?, kept_open_order = kept_open_order + ?,
		deleted_attachments = deleted_attachments + ?, deleted_conversations = deleted_conversations + ?,
		batches = batches + 1, pending_keys = ?, lease_until = ?
		WHERE id = ? AND lease_owner = ? AND finished_at IS NULL`,
		lastID, add.DeletedMessages, add.KeptEscalated, add.KeptOpenOrder, add.DeletedAttachments, add.DeletedConversations,
		keys, Now(leaseUntil), runID, owner)
	if err != nil {
		return fmt.Errorf("retention progress: %w", translate(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrLeaseLost
	}
	return nil
}

// ClearRetentionPending forgets the files of the last batch once they are
// removed.
func (q Queries) ClearRetentionPending(ctx context.Context, runID int64, owner string) error {
	_, err := q.q.ExecContext(ctx, `UPDATE retention_runs SET pending_keys = '' WHERE id = ? AND lease_owner = ?`, runID, owner)
	if err != nil {
		return fmt.Errorf("retention pending files: %w", translate(err))
	}
	return nil
}

// FinishRetentionRun marks a run finished, once: it reports false when the
// run was already finished or owner lost its lease.
func (q Queries) FinishRetentionRun(ctx context.Context, runID int64, owner string, at time.Time) (bool, error) {
	res, err := q.q.ExecContext(ctx, `UPDATE retention_runs SET finished_at = ?, pending_keys = '', lease_until = NULL
		WHERE id = ? AND lease_owner = ? AND finished_at IS NULL`, Now(at), runID, owner)
	if err != nil {
		return false, fmt.Errorf("finish retention run: %w", translate(err))
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RetentionPreview counts, without changing anything, what a purge with
// this cut-off would do: messages to delete and kept per reason, and
// attachments to delete. It walks the messages older than the cut-off.
func (q Queries) RetentionPreview(ctx context.Context, cutoff time.Time) (RetentionCounts, error) {
	var c RetentionCounts
	rows, err := q.q.QueryContext(ctx, `SELECT CASE WHEN c.status = ? THEN 'escalated'
			WHEN o.status = ? THEN 'open_order' ELSE 'delete' END AS reason, COUNT(*)
		FROM messages m JOIN conversations c ON c.id = m.conversation_id LEFT JOIN orders o ON o.id = c.order_id
		WHERE m.created_at < ? GROUP BY reason`, StatusEscalated, OrderOpen, Now(cutoff))
	if err != nil {
		return c, fmt.Errorf("retention preview: %w", translate(err))
	}
	for rows.Next() {
		var reason string
		var n int64
		if err := rows.Scan(&reason, &n); err != nil {
			rows.Close()
			return c, err
		}
		switch reason {
		case "escalated":
			c.KeptEscalated = n
		case "open_order":
			c.KeptOpenOrder = n
		default:
			c.DeletedMessages = n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, err
	}
	exempt := `(c.status = ? OR EXISTS (SELECT 1 FROM orders o WHERE o.id = c.order_id AND o.status = ?))`
	err = q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM attachments a JOIN messages m ON m.id = a.message_id
		JOIN conversations c ON c.id = m.conversation_id WHERE m.created_at < ? AND NOT `+exempt,
		Now(cutoff), StatusEscalated, OrderOpen).Scan(&c.DeletedAttachments)
	if err != nil {
		return c, fmt.Errorf("retention preview: attachments: %w", translate(err))
	}
	err = q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM conversations c WHERE NOT `+exempt+`
		AND EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)
		AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.created_at >= ?)`,
		StatusEscalated, OrderOpen, Now(cutoff)).Scan(&c.DeletedConversations)
	if err != nil {
		return c, fmt.Errorf("retention preview: conversations: %w", translate(err))
	}
	return c, nil
}

// PurgeRemains is what a conversation that lost messages to the retention
// purge still has: its subject and its messages, in id order.
type PurgeRemains struct {
	Subject  string
	Messages []Message
}

// PurgeRemainsOf reads what is left of the given conversations, which the
// caller holds locked (their subjects are taken from them): one statement
// for all their messages (the purge fixes a batch's conversations from it
// instead of several reads each).
func (q Queries) PurgeRemainsOf(ctx context.Context, convs []Conversation) (map[int64]*PurgeRemains, error) {
	out := make(map[int64]*PurgeRemains, len(convs))
	if len(convs) == 0 {
		return out, nil
	}
	ids := make([]int64, len(convs))
	for i, c := range convs {
		ids[i] = c.ID
		out[c.ID] = &PurgeRemains{Subject: c.Subject}
	}
	in, args := inList(ids)
	rows, err := q.q.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE conversation_id IN (`+in+`) ORDER BY conversation_id, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("purge: messages left: %w", translate(err))
	}
	ms, err := collectMessages(rows)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if r := out[m.ConversationID]; r != nil {
			r.Messages = append(r.Messages, m)
		}
	}
	return out, nil
}

// wordsDeleteArgs bounds the arguments of one statement of ResetWordsOf.
const wordsDeleteArgs = 2000

// ResetWordsOf makes each conversation's words those of its subject and
// the messages it still has (left, from PurgeRemainsOf): words only
// deleted messages had are removed, so a purged word is no longer found.
// It reads the conversations' words once and deletes exactly the gone
// ones, a few statements for a whole batch.
func (q Queries) ResetWordsOf(ctx context.Context, left map[int64]*PurgeRemains) error {
	if len(left) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(left))
	want := make(map[int64]map[string]bool, len(left))
	for id, r := range left {
		ids = append(ids, id)
		texts := []string{r.Subject}
		for _, m := range r.Messages {
			texts = append(texts, m.Body)
		}
		set := map[string]bool{}
		for _, w := range textWords(texts...) {
			set[w] = true
		}
		want[id] = set
	}
	slices.Sort(ids)
	in, args := inList(ids)
	rows, err := q.q.QueryContext(ctx, `SELECT conversation_id, word FROM conversation_words WHERE conversation_id IN (`+in+`)`, args...)
	if err != nil {
		return fmt.Errorf("purge: words: %w", translate(err))
	}
	gone := map[int64][]string{}
	have := make(map[int64]map[string]bool, len(ids))
	for rows.Next() {
		var id int64
		var w string
		if err := rows.Scan(&id, &w); err != nil {
			rows.Close()
			return err
		}
		if have[id] == nil {
			have[id] = map[string]bool{}
		}
		have[id][w] = true
		if !want[id][w] {
			gone[id] = append(gone[id], w)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var where []string
	var dargs []any
	flush := func() error {
		if len(where) == 0 {
			return nil
		}
		_, err := q.q.ExecContext(ctx, `DELETE FROM conversation_words WHERE `+strings.Join(where, ` OR `), dargs...)
		where, dargs = where[:0], dargs[:0]
		if err != nil {
			return fmt.Errorf("purge: delete words: %w", translate(err))
		}
		return nil
	}
	var add [][2]any
	for _, id := range ids {
		if ws := gone[id]; len(ws) > 0 {
			slices.Sort(ws)
			where = append(where, `(conversation_id = ? AND word IN (`+strings.TrimSuffix(strings.Repeat("?,", len(ws)), ",")+`))`)
			dargs = append(dargs, id)
			for _, w := range ws {
				dargs = append(dargs, w)
			}
			if len(dargs) >= wordsDeleteArgs {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		// A word the index lacks (none, as long as it was complete) is added.
		var missing []string
		for w := range want[id] {
			if !have[id][w] {
				missing = append(missing, w)
			}
		}
		slices.Sort(missing)
		for _, w := range missing {
			add = append(add, [2]any{id, w})
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return q.addWordPairs(ctx, add)
}
