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
