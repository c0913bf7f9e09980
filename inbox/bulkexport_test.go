package inbox_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// TestExportMany: one CSV of the selected conversations (R15): staff get
// notes marked as notes, cells are formula-safe, each conversation's
// export is audited; one conversation outside the caller's scope refuses
// the whole export, named.
func TestExportMany(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		w := newScopeWorld(e)
		cu := e.MustCustomer()
		odd := e.MustStart(cu, inbox.StartInput{Subject: "=HYPERLINK(\"x\")", Body: "@SUM(1)"})
		e.MustSend(e.agent, w.mine.ID, models.KindNote, "private note, café")

		x, err := e.svc.ExportMany(e.ctx, e.agent, []int64{w.mine.ID, odd.ID, w.mine.ID})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := x.Write(e.ctx, &b); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b.Bytes(), []byte("\uFEFF")) {
			t.Error("no byte order mark")
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(recs[0], inbox.BulkCSVHeader) {
			t.Errorf("header %v", recs[0])
		}
		var note, oddRows bool
		seen := map[string]bool{}
		for _, r := range recs[1:] {
			seen[r[0]] = true
			if r[0] == fmt.Sprint(w.mine.ID) && r[len(r)-1] == "private note, café" && r[6] == "note (staff only)" {
				note = true
			}
			if r[0] == fmt.Sprint(odd.ID) {
				oddRows = r[1] == "'=HYPERLINK(\"x\")"
				if strings.HasPrefix(r[len(r)-1], "@") {
					t.Errorf("unsafe body cell %q", r[len(r)-1])
				}
			}
		}
		if !note || !oddRows || len(seen) != 2 {
			t.Errorf("rows: note %v, formula-safe subject %v, conversations %v\n%s", note, oddRows, seen, b.String())
		}
		if n := len(e.audits("conversation", odd.ID)); n == 0 {
			t.Error("export not audited")
		}

		before := e.count("audit_log", "action = 'conversation.export'")
		_, err = e.svc.ExportMany(e.ctx, e.agent, []int64{w.unassigned.ID, w.theirs.ID})
		wantCode(t, err, models.ENOTFOUND)
		if ee := models.AsError(err); ee == nil || !slices.Equal(ee.IDs, []int64{w.theirs.ID}) {
			t.Errorf("refusal names %v", err)
		}
		if after := e.count("audit_log", "action = 'conversation.export'"); after != before {
			t.Error("a refused export was audited")
		}
		_, err = e.svc.ExportMany(e.ctx, w.cuA, []int64{w.unassigned.ID})
		wantCode(t, err, models.EFORBIDDEN)
		_, err = e.svc.ExportMany(e.ctx, e.agent, nil)
		wantCode(t, err, models.EINVALID)
	})
}
