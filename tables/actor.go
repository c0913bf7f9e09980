// Package tables holds Parley's GoAdmin table generators. Every read and
// write goes through inbox.Service with the caller's actor; GoAdmin's own
// SQL builder never touches a Parley table.
package tables

import (
	stdctx "context"

	"github.com/GoAdminGroup/go-admin/context"

	"github.com/parleyhq/parley/models"
)

// ActorFunc resolves the staff actor behind a GoAdmin request.
type ActorFunc func(ctx *context.Context) (models.Actor, error)

type actorKey struct{}

// WithActor caches the request's actor in its context (the admin guard
// resolves it once per request).
func WithActor(ctx stdctx.Context, a models.Actor) stdctx.Context {
	return stdctx.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor cached by WithActor.
func ActorFrom(ctx stdctx.Context) (models.Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(models.Actor)
	return a, ok
}

// Outcome carries the domain code of a refusal from a GoAdmin handler (an
// Ajax action, the edit form) back to the admin guard, which answers with
// that code's status: GoAdmin itself answers every refusal 200.
type Outcome struct {
	Code       models.Code
	RetryAfter int // seconds, with ERATELIMITED
}

type outcomeKey struct{}

// WithOutcome gives a request a place for its handler's refusal code.
func WithOutcome(ctx stdctx.Context) (stdctx.Context, *Outcome) {
	o := &Outcome{}
	return stdctx.WithValue(ctx, outcomeKey{}, o), o
}

// recordOutcome notes err's code for the guard, when it asked for it.
func recordOutcome(ctx stdctx.Context, err error) {
	if o, ok := ctx.Value(outcomeKey{}).(*Outcome); ok && err != nil {
		o.Code = models.ErrorCode(err)
		if e := models.AsError(err); e != nil {
			o.RetryAfter = e.RetryAfter
		}
	}
}
