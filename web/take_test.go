package web_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/parleyhq/parley/models"
)

// R6: of two simultaneous "take it", exactly one wins and the other gets a
// conflict. Each round races two agents on a fresh unassigned conversation.
func TestSimultaneousTake(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a1, tok1 := e.staff(t, "agent1", models.RoleAgent)
		a2, tok2 := e.staff(t, "agent2", models.RoleAgent)
		cust, _ := e.customer(t, "c1@example.com")
		agents := []struct {
			id    int64
			token string
		}{{a1.ID, tok1}, {a2.ID, tok2}}
		for round := range 20 {
			conv := e.start(t, models.System, cust.ID, "race")
			var wg sync.WaitGroup
			start := make(chan struct{})
			results := make([]response, 2)
			for i, ag := range agents {
				wg.Go(func() {
					<-start
					results[i] = e.do(t, "PATCH", idURL(staffConvs, conv.ID, ""), ag.token, map[string]any{"assigned_to": ag.id})
				})
			}
			close(start)
			wg.Wait()
			winner := -1
			for i, r := range results {
				switch r.Code {
				case http.StatusOK:
					if winner >= 0 {
						t.Fatalf("round %d: both agents won", round)
					}
					winner = i
				case http.StatusConflict:
					if r.str("error.code") != "conflict" {
						t.Errorf("round %d: loser body %s", round, r.Body)
					}
				default:
					t.Errorf("round %d: agent%d got %d %s, want 200 or 409", round, i+1, r.Code, r.Body)
				}
			}
			if winner < 0 {
				t.Fatalf("round %d: nobody won: %d, %d", round, results[0].Code, results[1].Code)
			}
			got, err := e.svc.Get(t.Context(), models.System, conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.AssignedTo == nil || *got.AssignedTo != agents[winner].id {
				t.Fatalf("round %d: assignee %v, winner %d", round, got.AssignedTo, agents[winner].id)
			}
			if results[winner].num("conversation.assigned_to") != agents[winner].id {
				t.Errorf("round %d: winner's answer %s", round, results[winner].Body)
			}
		}
	})
}

// The same race through inbox.Service.Take directly, as the admin panel's
// "Take it" button calls it.
func TestSimultaneousTakeService(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a1, _ := e.staff(t, "agent1", models.RoleAgent)
		a2, _ := e.staff(t, "agent2", models.RoleAgent)
		cust, _ := e.customer(t, "c1@example.com")
		agents := []models.Actor{a1, a2}
		for round := range 20 {
			conv := e.start(t, models.System, cust.ID, "race")
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, 2)
			for i, a := range agents {
				wg.Go(func() {
					<-start
					_, errs[i] = e.svc.Take(t.Context(), a, conv.ID)
				})
			}
			close(start)
			wg.Wait()
			wins := 0
			for i, err := range errs {
				switch models.ErrorCode(err) {
				case "":
					wins++
				case models.ECONFLICT:
				default:
					t.Errorf("round %d: agent%d: %v, want success or conflict", round, i+1, err)
				}
			}
			if wins != 1 {
				t.Fatalf("round %d: %d winners (%v)", round, wins, errs)
			}
		}
	})
}
