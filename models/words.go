package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// conversation_words is Parley's own search index (migration 00032, both
// dialects): every word of a conversation's subject and of each of its
// messages' bodies (notes and events included), once per conversation,
// folded (foldWord). A word's conversations are one range of its word
// index, read without touching a message: InnoDB's FULLTEXT index, which it
// replaces, gave message ids, and finding each hit's conversation cost a
// row read per matching message (~60 ms for a word in 10,000 messages).
//
// The rows follow every write: InsertConversation adds the subject's
// words, InsertMessage the body's, in the same transaction; deleting
// conversations deletes their words in the same transaction (R2 deletes,
// erasure), except in the retention purge, which lists them in
// conversation_words_gone for SweepGoneWords (the clean-up job) — a search
// only ever returns conversations that exist, so their leftover words are
// never found; a conversation that lost some messages (the purge) has its
// words read again (ResetWordsOf). Bodies and subjects are never edited.

// splitWords calls fn with each word of text: a run of letters, digits and
// combining marks, folded, cut to MaxSearchWordLen characters, when it has
// at least MinSearchWord characters. fn returns false to stop.
func splitWords(text string, fn func(string) bool) {
	sep := func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) }
	for _, w := range strings.FieldsFunc(text, sep) {
		w = foldWord(w)
		if utf8.RuneCountInString(w) < MinSearchWord {
			continue
		}
		if utf8.RuneCountInString(w) > MaxSearchWordLen {
			w = string([]rune(w)[:MaxSearchWordLen])
		}
		if !fn(w) {
			return
		}
	}
}

// foldWord lowercases a word and removes its accents ("Café" → "cafe"),
// so case and accents never matter, the same on both dialects.
func foldWord(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(w)
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	s, _, err := transform.String(t, w)
	if err != nil {
		s = w
	}
	return strings.ToLower(s)
}

// textWords is the distinct words of texts, in first-seen order.
func textWords(texts ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, text := range texts {
		splitWords(text, func(w string) bool {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
			return true
		})
	}
	return out
}

// wordRange bounds the words starting with prefix: word >= lo AND word < hi
// (U+10FFFF is never part of a word, and sorts after every character in
// both dialects' binary order).
func wordRange(prefix string) (lo, hi string) { return prefix, prefix + "\U0010FFFF" }

// jsonWords is words as one JSON array parameter.
func jsonWords(words []string) string {
	b, _ := json.Marshal(words)
	return string(b)
}

// insertIgnore begins an INSERT that skips rows whose key exists.
func (q Queries) insertIgnore() string {
	if q.d == MySQL {
		return `INSERT IGNORE INTO`
	}
	return `INSERT OR IGNORE INTO`
}

// wordSet selects (column w) the words of a JSON array given as its one
// parameter, compared as conversation_words stores them (binary).
func (q Queries) wordSet() string {
	if q.d == MySQL {
		return `SELECT j.w FROM JSON_TABLE(?, '$[*]' COLUMNS (w VARCHAR(84) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$')) AS j`
	}
	return `SELECT value AS w FROM json_each(?)`
}

// addWords indexes words of conversation id (those it has already are
// skipped).
func (q Queries) addWords(ctx context.Context, id int64, words []string) error {
	if len(words) == 0 {
		return nil
	}
	query := q.insertIgnore() + ` conversation_words (conversation_id, word) SELECT ?, w FROM (` + q.wordSet() + `) ws`
	if _, err := q.prep().ExecContext(ctx, query, id, jsonWords(words)); err != nil {
		return fmt.Errorf("index words of conversation %d: %w", id, translate(err))
	}
	return nil
}

// deleteWords deletes the words of the conversations listed by the
// subquery sub (ids).
func (q Queries) deleteWords(ctx context.Context, sub string, args ...any) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM conversation_words WHERE conversation_id IN (`+sub+`)`, args...); err != nil {
		return fmt.Errorf("delete words: %w", translate(err))
	}
	return nil
}

// queueGoneWords lists deleted conversations whose words SweepGoneWords is
// to delete.
func (q Queries) queueGoneWords(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := q.q.ExecContext(ctx, q.insertIgnore()+` conversation_words_gone (conversation_id) `+q.idSet(), "["+intList(ids)+"]"); err != nil {
		return fmt.Errorf("queue words of deleted conversations: %w", translate(err))
	}
	return nil
}

// SweepGoneWords deletes the words of up to limit conversations the
// retention purge deleted (conversation_words_gone), in one transaction,
// and says how many conversations it swept (0: none left).
func (s *Store) SweepGoneWords(ctx context.Context, limit int) (int, error) {
	var n int
	err := s.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.q.QueryContext(ctx, `SELECT conversation_id FROM conversation_words_gone ORDER BY conversation_id LIMIT ?`, limit)
		if err != nil {
			return err
		}
		ids, err := collectIDs(rows)
		if err != nil || len(ids) == 0 {
			return err
		}
		in, args := inList(ids)
		if err := tx.deleteWords(ctx, in, args...); err != nil {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM conversation_words_gone WHERE conversation_id IN (`+in+`)`, args...); err != nil {
			return err
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sweep words of deleted conversations: %w", translate(err))
	}
	return n, nil
}

// wordIndexState says whether no deleted conversation's words are left in
// the index (exact: SweepGoneWords caught up, so its hits are all live
// conversations), and whether every word row's copy of its conversation's
// assignee is filled (BackfillWordAssignees is done; triggers keep it).
func (q Queries) wordIndexState(ctx context.Context) (exact, assignees bool, err error) {
	var gone, pending int
	err = q.q.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM conversation_words_gone LIMIT 1) g),
		(SELECT COUNT(*) FROM (SELECT 1 FROM conversation_words_assignees LIMIT 1) a)`).Scan(&gone, &pending)
	if err != nil {
		return false, false, fmt.Errorf("search index state: %w", translate(err))
	}
	return gone == 0, pending == 0, nil
}

// wordsBackfillChunk is how many conversations one step of BackfillWords
// indexes.
var wordsBackfillChunk = 1000

// BackfillWords indexes the conversations that existed before
// conversation_words did (migration 00032 records where to start in
// conversation_words_backfill; a fresh database has no row there). It runs
// after the migrations, once across processes, wordsBackfillChunk
// conversations per transaction, and resumes where a stopped run left off.
// progress, when set, hears the conversations done so far.
func (s *Store) BackfillWords(ctx context.Context, progress func(done int64)) error {
	return s.backfill(ctx, "parley_words_backfill", "words backfill", "conversation_words_backfill", progress,
		func(tx *Tx, next int64) ([]int64, error) {
			ids, texts, err := tx.conversationTexts(ctx, next, wordsBackfillChunk)
			if err != nil {
				return nil, err
			}
			// In primary-key order: the pages fill up instead of
			// splitting half-full.
			var pairs [][2]any
			for i, id := range ids {
				words := textWords(texts[i]...)
				slices.Sort(words)
				for _, w := range words {
					pairs = append(pairs, [2]any{id, w})
				}
			}
			return ids, tx.addWordPairs(ctx, pairs)
		})
}

// wordAssigneesChunk is how many conversations one step of
// BackfillWordAssignees fills (~120 word rows each).
var wordAssigneesChunk = 100

// BackfillWordAssignees fills the assignee copy of the word rows that
// existed before migration 00033 gave conversation_words the column
// (conversation_words_assignees records where it stands; a fresh database,
// and SQLite, which fills it in the migration, have no row there). It runs
// after the migrations, once across processes, wordAssigneesChunk
// conversations per transaction, and resumes where a stopped run left off.
// Each step share-locks its conversations before writing their words, as
// an assignment (the conversation, then its words, by trigger) and a send
// lock them in that order: an assignment waits for the step or the step
// reads the assignment's result. progress, when set, hears the
// conversations done so far.
func (s *Store) BackfillWordAssignees(ctx context.Context, progress func(done int64)) error {
	return s.backfill(ctx, "parley_word_assignees", "word assignees backfill", "conversation_words_assignees", progress,
		func(tx *Tx, next int64) ([]int64, error) {
			ids, err := tx.lockedIDs(ctx, next, wordAssigneesChunk)
			if err != nil || len(ids) == 0 {
				return ids, err
			}
			_, err = tx.q.ExecContext(ctx, `UPDATE conversation_words SET assigned_to = (SELECT c.assigned_to FROM conversations c WHERE c.id = conversation_words.conversation_id)
				WHERE conversation_id >= ? AND conversation_id <= ?`, ids[0], ids[len(ids)-1])
			return ids, err
		})
}

// backfill runs a resumable pass over the conversations, once across
// processes (the named lock): from the next_id its one-row progress table
// holds, one step per transaction, each step doing a chunk from there and
// returning the conversation ids it covered (in order), until a step finds
// none; then the progress row goes. what names it in errors.
func (s *Store) backfill(ctx context.Context, lock, what, table string, progress func(done int64), step func(tx *Tx, next int64) ([]int64, error)) error {
	return s.Exclusive(ctx, lock, func() error {
		var done int64
		for {
			var next int64
			err := s.DB.QueryRowContext(ctx, `SELECT next_id FROM `+table).Scan(&next)
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", what, translate(err))
			}
			var n int
			err = s.InTx(ctx, func(tx *Tx) error {
				ids, err := step(tx, next)
				if err != nil {
					return err
				}
				if n = len(ids); n == 0 {
					_, err = tx.q.ExecContext(ctx, `DELETE FROM `+table)
					return err
				}
				_, err = tx.q.ExecContext(ctx, `UPDATE `+table+` SET next_id = ?`, ids[n-1]+1)
				return err
			})
			if err != nil {
				return fmt.Errorf("%s from conversation %d: %w", what, next, translate(err))
			}
			if n == 0 {
				return nil
			}
			done += int64(n)
			if progress != nil {
				progress(done)
			}
		}
	})
}

// lockedIDs share-locks up to limit conversations from id from on, in id
// order, and returns their ids.
func (q Queries) lockedIDs(ctx context.Context, from int64, limit int) ([]int64, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id FROM conversations WHERE id >= ? ORDER BY id LIMIT ?`+q.forShare(), from, limit)
	if err != nil {
		return nil, fmt.Errorf("conversations from %d: %w", from, translate(err))
	}
	return collectIDs(rows)
}

// addWordPairs indexes (conversation id, word) pairs in one statement.
func (q Queries) addWordPairs(ctx context.Context, pairs [][2]any) error {
	if len(pairs) == 0 {
		return nil
	}
	b, err := json.Marshal(pairs)
	if err != nil {
		return err
	}
	rows := `SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)`
	if q.d == MySQL {
		rows = `SELECT j.c, j.w FROM JSON_TABLE(?, '$[*]' COLUMNS (c BIGINT PATH '$[0]', w VARCHAR(84) CHARACTER SET utf8mb4 PATH '$[1]')) AS j`
	}
	query := q.insertIgnore() + ` conversation_words (conversation_id, word) ` + rows
	if _, err := q.q.ExecContext(ctx, query, string(b)); err != nil {
		return fmt.Errorf("index words: %w", translate(err))
	}
	return nil
}

// conversationTexts reads up to limit conversations from id from on: their
// ids and, for each, its subject and message bodies.
func (q Queries) conversationTexts(ctx context.Context, from int64, limit int) ([]int64, [][]string, error) {
	// Share-locked: inserting their words takes each conversation's
	// assignee under a share lock (migration 00033's trigger on MySQL);
	// an assignment locks the conversation, then its words.
	rows, err := q.q.QueryContext(ctx, `SELECT id, subject FROM conversations WHERE id >= ? ORDER BY id LIMIT ?`+q.forShare(), from, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("conversations from %d: %w", from, translate(err))
	}
	var ids []int64
	var texts [][]string
	at := map[int64]int{}
	for rows.Next() {
		var id int64
		var subject string
		if err := rows.Scan(&id, &subject); err != nil {
			rows.Close()
			return nil, nil, err
		}
		at[id] = len(ids)
		ids = append(ids, id)
		texts = append(texts, []string{subject})
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return ids, texts, err
	}
	rows, err = q.q.QueryContext(ctx, `SELECT conversation_id, body FROM messages WHERE conversation_id >= ? AND conversation_id <= ?`, ids[0], ids[len(ids)-1])
	if err != nil {
		return nil, nil, fmt.Errorf("messages of conversations %d-%d: %w", ids[0], ids[len(ids)-1], translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, nil, err
		}
		if i, ok := at[id]; ok {
			texts[i] = append(texts[i], body)
		}
	}
	return ids, texts, rows.Err()
}
