package policies

import (
	"testing"

	"github.com/parleyhq/parley/models"
)

// MustNew returns the embedded enforcer or stops the test.
func MustNew(tb testing.TB) *Enforcer {
	tb.Helper()
	e, err := New()
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return e
}

// actorFor returns an actor of role with id; staff and customers share the
// number on purpose, to show their id spaces never mix.
func actorFor(role string, id int64) models.Actor {
	kind := models.ActorStaff
	switch role {
	case models.RoleCustomer:
		kind = models.ActorCustomer
	case models.RoleGuest:
		kind = models.ActorGuest
	case models.RoleSystem:
		kind = models.ActorSystem
	}
	return models.Actor{Kind: kind, ID: id, Role: role}
}

func ptr(v int64) *int64 { return &v }
