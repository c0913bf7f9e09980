package inbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	mrand "math/rand/v2"
	"time"

	"github.com/parleyhq/parley/models"
)

// Idempotency-Key handling (issue 5, item 11): a POST that creates a
// message may carry a key; its result is recorded in the send's own
// transaction, so a retry — after a lost answer or a crash after commit —
// gets the original answer instead of a second message.
const (
	// IdempotencyTTL is how long a key is remembered.
	IdempotencyTTL = 24 * time.Hour
	// IdempotencyLease is how long a claimed key that never completed
	// (its process died before commit) blocks a retry.
	IdempotencyLease = 2 * time.Minute
)

// Idempotent is one keyed request. Render makes the answer's body from the
// created conversation and message; it runs inside the transaction, so the
// stored answer commits with the message.
type Idempotent struct {
	Scope  string // actor, method and path
	Key    string
	Hash   string // of the request body
	Status int
	Render func(models.Conversation, models.Message) ([]byte, error)
}

// Replay is a recorded answer.
type Replay struct {
	Status int
	Body   []byte
}

// claim is a key held by the request whose context carries it.
type claim struct {
	in  Idempotent
	row models.IdempotencyKey
}

type claimKey struct{}

// Claim takes the key for this request, or answers what happened to it
// before. It returns either a Replay (the key's request completed: answer
// that), or a context to run the request with, and a release function to
// call when the request is over (it frees the key unless the request
// completed, so a failed request may be retried). A key used with another
// body, or held by a request still running, is ECONFLICT (RetryAfter 1 for
// the latter).
func (s *Service) Claim(ctx context.Context, in Idempotent) (context.Context, *Replay, func(), error) {
	now := models.Now(s.now())
	if mrand.IntN(64) == 0 {
		if err := s.store.PurgeIdempotencyKeys(ctx, now.Add(-IdempotencyTTL)); err != nil {
			slog.WarnContext(ctx, "purge idempotency keys", "err", err)
		}
	}
	c := &claim{in: in, row: models.IdempotencyKey{Scope: in.Scope, Key: in.Key, RequestHash: in.Hash, Token: newToken(), CreatedAt: now}}
	var replay *Replay
	err := s.store.InTx(ctx, func(tx *models.Tx) error {
		replay = nil
		err := tx.InsertIdempotencyKey(ctx, &c.row)
		if models.ErrorCode(err) != models.ECONFLICT {
			return err
		}
		old, err := tx.LockIdempotencyKey(ctx, in.Scope, in.Key)
		if err != nil {
			return err
		}
		c.row.ID = old.ID
		switch {
		case old.CreatedAt.Before(now.Add(-IdempotencyTTL)):
			return tx.ReclaimIdempotencyKey(ctx, c.row) // forgotten: a new request
		case old.RequestHash != in.Hash:
			return models.Errorf(models.ECONFLICT, "this Idempotency-Key was used with a different request")
		case old.Done:
			replay = &Replay{Status: old.Status, Body: old.Response}
			return nil
		case old.CreatedAt.After(now.Add(-IdempotencyLease)):
			e := models.Errorf(models.ECONFLICT, "a request with this Idempotency-Key is still in progress")
			e.RetryAfter = 1
			return e
		}
		return tx.ReclaimIdempotencyKey(ctx, c.row) // its holder died before commit
	})
	if err != nil || replay != nil {
		return ctx, replay, func() {}, err
	}
	release := func() {
		// The request's own context may be cancelled by now.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := s.store.ReleaseIdempotencyKey(rctx, c.row.ID, c.row.Token); err != nil {
			slog.WarnContext(ctx, "release idempotency key", "err", err)
		}
	}
	return context.WithValue(ctx, claimKey{}, c), nil, release, nil
}

// completeIdempotent records the answer of a keyed request in tx, the
// transaction that created m in conv. Without a key it does nothing.
func (s *Service) completeIdempotent(ctx context.Context, tx *models.Tx, conv models.Conversation, m models.Message) error {
	c, _ := ctx.Value(claimKey{}).(*claim)
	if c == nil {
		return nil
	}
	row := c.row
	row.Status = c.in.Status
	row.ConversationID, row.MessageID = &conv.ID, &m.ID
	if c.in.Render != nil {
		body, err := c.in.Render(conv, m)
		if err != nil {
			return errors.Join(errors.New("render idempotent answer"), err)
		}
		row.Response = body
	}
	return tx.CompleteIdempotencyKey(ctx, row)
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
