package tables

import (
	"strings"
	"testing"

	"github.com/GoAdminGroup/go-admin/template/types"
)

// TestTakeOffered: the list offers "Take it" on unassigned rows only
// (item 16); admin's list test checks the button the page renders.
func TestTakeOffered(t *testing.T) {
	for _, tc := range []struct {
		assigned string
		want     bool
	}{{"", true}, {"agent2", false}, {"#7", false}} {
		if got := TakeOffered(map[string]types.InfoItem{FilterAssigned: {Value: tc.assigned}}); got != tc.want {
			t.Errorf("assigned %q: take offered %v", tc.assigned, got)
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
