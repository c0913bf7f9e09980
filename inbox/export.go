package inbox

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/policies"
)

// CSV export (R15). Staff export any conversation they may read, with notes
// and staff-only events marked as such; a logged-in customer exports their
// own conversation with only what they may see (R8); guests never export.
//
// The file is RFC 4180 (comma separated, CRLF line ends, quotes doubled)
// written by encoding/csv, in UTF-8 starting with a byte order mark: Excel
// reads a CSV without one in the system's ANSI code page and mangles every
// non-ASCII name, and other readers (LibreOffice, Numbers, Python's
// utf-8-sig, pandas) skip it. Every cell is formula-safe (CSVWriter).

// ExportBatch is how many messages an export reads at a time: the thread is
// streamed batch by batch, never held whole in memory.
const ExportBatch = 500

// CSVHeader is the first row of every conversation export.
var CSVHeader = []string{"message_id", "created_at", "kind", "visibility", "author_type", "author_name", "event", "body"}

// Export is an authorized export of one conversation, ready to be written.
// Authorization (and the audit entry of a staff export) happened when it
// was made, so a transport can still answer an error status before the
// first byte.
type Export struct {
	svc          *Service
	conversation models.Conversation
	staff        bool
	// Filename is a safe download name: conversation-<id>.csv.
	Filename string
}

// Export authorizes a CSV export of a conversation (R15): not found outside
// the actor's scope (R6a), forbidden for guests and anyone else without the
// export right. A staff export writes its audit entry (R20).
func (s *Service) Export(ctx context.Context, a models.Actor, id int64) (*Export, error) {
	c, err := s.load(ctx, s.store.Queries, a, id, false)
	if err != nil {
		return nil, err
	}
	if !s.can(a, policies.Export, &c) {
		return nil, models.Errorf(models.EFORBIDDEN, "you may not download conversation %d", c.ID)
	}
	if a.IsStaff() {
		err := s.store.InTx(ctx, func(tx *models.Tx) error {
			return s.audit(ctx, tx, a, "conversation.export", "conversation", c.ID,
				nil, auditView{Status: c.Status, AssignedTo: c.AssignedTo, Subject: c.Subject, CustomerID: c.CustomerID})
		})
		if err != nil {
			return nil, fmt.Errorf("export conversation %d: %w", id, err)
		}
	}
	return &Export{svc: s, conversation: c, staff: a.IsStaff(), Filename: fmt.Sprintf("conversation-%d.csv", c.ID)}, nil
}

// Conversation is the exported conversation as it was authorized.
func (e *Export) Conversation() models.Conversation { return e.conversation }

// Write streams the export to w: the header row, then the timeline oldest
// first, batch by batch. Customers get public entries only (R8).
func (e *Export) Write(ctx context.Context, w io.Writer) error {
	cw := NewCSVWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	return e.rows(ctx, cw.Write, cw.Flush)
}

// rows emits the timeline's rows oldest first, batch by batch, flushing
// after each batch (ExportMany writes several timelines into one file).
func (e *Export) rows(ctx context.Context, emit func([]string) error, flush func() error) error {
	batch := ExportBatch
	if e.svc.exportBatch > 0 {
		batch = e.svc.exportBatch
	}
	var after int64
	for {
		ms, err := e.svc.store.MessagesAfter(ctx, e.conversation.ID, !e.staff, after, batch)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if !e.staff && !m.Public { // the query already filters; never trust one line alone for R8
				continue
			}
			if err := emit(exportRow(m)); err != nil {
				return err
			}
			after = m.ID
		}
		if err := flush(); err != nil {
			return err
		}
		if len(ms) < batch {
			return nil
		}
	}
}

func exportRow(m models.Message) []string {
	kind := m.Kind
	if kind == models.KindSystem {
		kind = "event"
	}
	vis := "public"
	if !m.Public {
		vis = "staff only"
		if m.Kind == models.KindNote {
			vis = "note (staff only)"
		}
	}
	return []string{strconv.FormatInt(m.ID, 10), m.CreatedAt.UTC().Format(time.RFC3339), kind, vis,
		string(m.AuthorType), m.AuthorName, m.Event, m.Body}
}

// CSVWriter writes RFC 4180 CSV in UTF-8 with a byte order mark, every cell
// made formula-safe: spreadsheet programs run a cell starting with = + - @
// (and, in some, a tab or carriage return before one) as a formula, so such
// a cell gets a leading apostrophe, which they show as text. Invalid UTF-8
// is replaced, so the file is always valid UTF-8. Other exports (audit log,
// lists) can use it too.
type CSVWriter struct {
	w       *csv.Writer
	bom     bool
	started bool
	out     io.Writer
}

// NewCSVWriter starts a CSV file on w.
func NewCSVWriter(w io.Writer) *CSVWriter {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &CSVWriter{w: cw, bom: true, out: w}
}

// Write writes one record.
func (c *CSVWriter) Write(record []string) error {
	if !c.started {
		c.started = true
		if c.bom {
			if _, err := io.WriteString(c.out, "\uFEFF"); err != nil {
				return fmt.Errorf("csv: %w", err)
			}
		}
	}
	cells := make([]string, len(record))
	for i, s := range record {
		cells[i] = SafeCell(s)
	}
	if err := c.w.Write(cells); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// Flush writes buffered records out.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// SafeCell is s as a formula-safe, valid UTF-8 cell: a leading = + - @ tab
// or carriage return gets an apostrophe before it (OWASP's CSV injection
// advice). Line breaks become \n, which the writer puts out as CRLF inside
// the quoted cell (encoding/csv would otherwise drop a lone CR).
func SafeCell(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	risky := s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
	if strings.Contains(s, "\r") {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	if risky {
		return "'" + s
	}
	return s
}
