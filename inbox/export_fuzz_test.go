package inbox_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parleyhq/parley/inbox"
)

// FuzzCSVWriter: whatever the cells, the file is valid UTF-8 CSV with a
// byte order mark, reads back as the same records (each cell as SafeCell
// made it), and no cell starts like a formula.
func FuzzCSVWriter(f *testing.F) {
	for _, s := range []string{"", "plain", "=1+1", "+1", "-1", "@SUM(A1)", "\t=x", "\r=x", "a,b", "\"q\"", "line\nbreak", "cr\r\nlf", " lead", "\xff\xfe", "Grüße", "\uFEFF=1"} {
		f.Add(s, "second")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		var buf bytes.Buffer
		w := inbox.NewCSVWriter(&buf)
		in := [][]string{{a, b}, {b, a, "3"}}
		for _, r := range in {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		raw := buf.String()
		if !utf8.ValidString(raw) || !strings.HasPrefix(raw, "\uFEFF") {
			t.Fatalf("output is not UTF-8 with a BOM: %q", raw)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\uFEFF")))
		r.FieldsPerRecord = -1
		got, err := r.ReadAll()
		if err != nil {
			t.Fatalf("output does not parse: %v\n%q", err, raw)
		}
		if len(got) != len(in) {
			t.Fatalf("%d records back, want %d: %q", len(got), len(in), raw)
		}
		for i := range in {
			for j, cell := range in[i] {
				want := inbox.SafeCell(cell)
				if g := got[i][j]; g != want {
					t.Fatalf("cell %d,%d = %q, want %q", i, j, g, want)
				}
				if want != "" && strings.ContainsRune("=+-@\t\r", rune(want[0])) {
					t.Fatalf("cell %q starts like a formula", want)
				}
				if strings.ContainsRune(want, '\r') {
					t.Fatalf("cell %q keeps a carriage return", want)
				}
				if strings.TrimPrefix(want, "'") != strings.TrimPrefix(strings.ReplaceAll(strings.ReplaceAll(strings.ToValidUTF8(cell, "\uFFFD"), "\r\n", "\n"), "\r", "\n"), "'") {
					t.Fatalf("cell %q changed beyond its guard: %q", cell, want)
				}
			}
		}
	})
}
