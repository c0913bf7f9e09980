package inbox_test

import (
	"slices"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

func TestCheckVisible(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		_, open := e.MustCustomerConv()
		_, theirs := e.MustCustomerConv()
		if _, err := e.svc.Take(e.ctx, e.agent2, theirs.ID); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name    string
			ids     []int64
			code    models.Code
			missing []int64
		}{
			{"visible, duplicates ignored", []int64{open.ID, open.ID}, "", nil},
			{"another agent's thread is not found (R6a)", []int64{open.ID, theirs.ID}, models.ENOTFOUND, []int64{theirs.ID}},
			{"unknown ids are named", []int64{999999, open.ID, 999998}, models.ENOTFOUND, []int64{999999, 999998}},
			{"none", nil, models.EINVALID, nil},
			{"zero", []int64{0}, models.EINVALID, nil},
			{"more than MaxBulk", manyIDs(inbox.MaxBulk + 1), models.EINVALID, nil},
		} {
			err := e.svc.CheckVisible(e.ctx, e.agent, tc.ids)
			if got := models.ErrorCode(err); (tc.code == "" && err != nil) || (tc.code != "" && got != tc.code) {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.code)
				continue
			}
			if tc.missing != nil {
				if e := models.AsError(err); e == nil || !slices.Equal(e.IDs, tc.missing) {
					t.Errorf("%s: ids %v, want %v", tc.name, err, tc.missing)
				}
			}
		}
		if err := e.svc.CheckVisible(e.ctx, e.chatAdmin, []int64{open.ID, theirs.ID}); err != nil {
			t.Errorf("a chat admin sees both: %v", err)
		}
	})
}
