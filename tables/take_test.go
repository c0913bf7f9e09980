package tables

import (
	"strings"
	"testing"

	"github.com/GoAdminGroup/go-admin/template/types"
)

// TestTakeCell: the row cell offers "Take it" on unassigned rows only, as a
// button that carries the row's id (items 16 and 18).
func TestTakeCell(t *testing.T) {
	for _, tc := range []struct {
		assigned string
		want     bool
	}{{"", true}, {"agent2", false}, {"#7", false}} {
		got := types.ParseTableDataTmplWithID("221", takeCell, map[string]types.InfoItem{FilterAssigned: {Value: tc.assigned}})
		if has := strings.Contains(got, `class="btn btn-xs btn-primary conv-take" data-id="221"`); has != tc.want {
			t.Errorf("assigned %q: cell %q", tc.assigned, got)
		}
	}
}

// TestTakeJSPostsOnlyTheID: the script sends the row id alone; GoAdmin's
// own row-action script added ids=<selection>, "," with nothing selected,
// which was refused as "no conversation selected".
func TestTakeJSPostsOnlyTheID(t *testing.T) {
	js := string(takeJS())
	if !strings.Contains(js, `data: {id: btn.attr('data-id')}`) || strings.Contains(js, "ids") || strings.Contains(js, "{{") {
		t.Errorf("take script:\n%s", js)
	}
}
