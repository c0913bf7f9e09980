package inbox_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// TestFormToken: a reply form's token is good once, for the staff member
// and conversation it was made for, for FormTokenTTL; anything else is
// invalid, and a token that is not Parley's is left to GoAdmin.
func TestFormToken(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		use := func(staff, conv int64, tok string) inbox.FormTokenState {
			t.Helper()
			st, err := e.acc.UseFormToken(e.ctx, staff, conv, tok)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		tok := e.acc.NewFormToken(e.chatAdmin.ID, 7)
		if st := use(e.agent.ID, 7, tok); st != inbox.FormTokenInvalid {
			t.Errorf("another staff member's token: %v", st)
		}
		if st := use(e.chatAdmin.ID, 8, tok); st != inbox.FormTokenInvalid {
			t.Errorf("another conversation's token: %v", st)
		}
		last := tok[len(tok)-1]
		flipped := tok[:len(tok)-1] + map[bool]string{true: "0", false: "1"}[last != '0']
		for _, bad := range []string{flipped, tok + "0", strings.Replace(tok, "pf1.", "pf1.+", 1), "pf1." + strings.ToUpper(tok[4:]), "pf1.", "pf1...."} {
			if st := use(e.chatAdmin.ID, 7, bad); st != inbox.FormTokenInvalid {
				t.Errorf("token %q: %v", bad, st)
			}
		}
		if st := use(e.chatAdmin.ID, 7, "a6f0c3d2-1111-2222-3333-444455556666"); st != inbox.FormTokenForeign {
			t.Errorf("GoAdmin's token: %v", st)
		}
		// The refusals above used nothing: the token is still good, once.
		if st := use(e.chatAdmin.ID, 7, tok); st != inbox.FormTokenFresh {
			t.Fatalf("first use: %v", st)
		}
		if st := use(e.chatAdmin.ID, 7, tok); st != inbox.FormTokenUsed {
			t.Errorf("second use: %v", st)
		}

		// Two sends of one form at once: one is fresh, the other used.
		tok = e.acc.NewFormToken(e.chatAdmin.ID, 7)
		var wg sync.WaitGroup
		got := make([]inbox.FormTokenState, 2)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, err := e.acc.UseFormToken(e.ctx, e.chatAdmin.ID, 7, tok)
				if err != nil {
					t.Error(err)
				}
				got[i] = st
			}()
		}
		wg.Wait()
		if !(got[0] == inbox.FormTokenFresh && got[1] == inbox.FormTokenUsed || got[1] == inbox.FormTokenFresh && got[0] == inbox.FormTokenUsed) {
			t.Errorf("racing sends: %v", got)
		}

		// An old form asks for a reload; its nonce row is pruned later.
		old := e.acc.NewFormToken(e.chatAdmin.ID, 7)
		e.clock.Advance(inbox.FormTokenTTL + time.Second)
		if st := use(e.chatAdmin.ID, 7, old); st != inbox.FormTokenInvalid {
			t.Errorf("expired token: %v", st)
		}
		e.clock.Advance(2 * time.Minute)
		if st := use(e.chatAdmin.ID, 7, e.acc.NewFormToken(e.chatAdmin.ID, 7)); st != inbox.FormTokenFresh {
			t.Errorf("new token after the prune: %v", st)
		}
		var rows int
		if err := e.st.DB.QueryRowContext(e.ctx, `SELECT COUNT(*) FROM form_tokens_used`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != 1 {
			t.Errorf("%d used nonces kept, want only the newest", rows)
		}
	})
}
