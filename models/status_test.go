package models_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/models"
)

const (
	sNone = models.Status("")
	sOpen = models.StatusOpen
	sAA   = models.StatusAwaitingAdmin
	sAU   = models.StatusAwaitingUser
	sEsc  = models.StatusEscalated
	sRes  = models.StatusResolved
	sCl   = models.StatusClosed
)

// allFrom is every status an event can meet, "" (no conversation yet) included.
var allFrom = []models.Status{sNone, sOpen, sAA, sAU, sEsc, sRes, sCl}

var allEvents = []models.Event{
	models.EventCustomerStart, models.EventStaffStart, models.EventCustomerMessage,
	models.EventStaffReply, models.EventNote, models.EventSystem,
}

// machine is docs/design.md §3's table written out for every event × every status.
// A missing entry means the event is impossible from that status (invalid).
var machine = map[models.Event]map[models.Status]models.Transition{
	models.EventCustomerStart: {
		sNone: {To: sOpen},
	},
	models.EventStaffStart: { // R5
		sNone: {To: sAU},
	},
	models.EventCustomerMessage: {
		sOpen: {To: sOpen}, // stays OPEN until a staff reply
		sAU:   {To: sAA},
		sAA:   {To: sAA},
		sRes:  {To: sAA, Reopened: true},
		sCl:   {To: sCl, FollowUp: true}, // lands in the follow-up
		sEsc:  {To: sEsc},                // sticky
	},
	models.EventStaffReply: {
		sOpen: {To: sAU},
		sAA:   {To: sAU},
		sAU:   {To: sAU},
		sRes:  {To: sAU, Reopened: true},
		sCl:   {To: sAU, Reopened: true},
		sEsc:  {To: sEsc}, // sticky
	},
	models.EventNote: {
		sOpen: {To: sOpen}, sAA: {To: sAA}, sAU: {To: sAU}, sEsc: {To: sEsc}, sRes: {To: sRes}, sCl: {To: sCl},
	},
	models.EventSystem: {
		sOpen: {To: sOpen}, sAA: {To: sAA}, sAU: {To: sAU}, sEsc: {To: sEsc}, sRes: {To: sRes}, sCl: {To: sCl},
	},
}

func TestNextEveryEventEveryStatus(t *testing.T) {
	visited := 0
	for _, ev := range allEvents {
		for _, from := range allFrom {
			want, possible := machine[ev][from]
			if possible {
				visited++
			}
			t.Run(string(ev)+"/from_"+string(from), func(t *testing.T) {
				got, err := models.Next(from, ev)
				if !possible {
					if code := models.ErrorCode(err); code != models.EINVALID {
						t.Fatalf("Next(%q, %s) = %+v, %v; want invalid", from, ev, got, err)
					}
					if got != (models.Transition{}) {
						t.Errorf("Next(%q, %s) refused but answered %+v", from, ev, got)
					}
					return
				}
				if err != nil {
					t.Fatalf("Next(%q, %s): %v; want %+v", from, ev, err, want)
				}
				if got != want {
					t.Errorf("Next(%q, %s) = %+v; want %+v", from, ev, got, want)
				}
			})
		}
	}
	// Every row written in the table was driven: none names an event or a
	// status the loops above miss (a typo there would go untested).
	rows := 0
	for _, byStatus := range machine {
		rows += len(byStatus)
	}
	if visited != rows {
		t.Fatalf("drove %d of the table's %d rows; some name an event or status outside allEvents × allFrom", visited, rows)
	}
	if len(models.Statuses)+1 != len(allFrom) {
		t.Fatalf("allFrom has %d statuses; want models.Statuses and \"\"", len(allFrom))
	}
}

func TestNextUnknownInputs(t *testing.T) {
	for _, tc := range []struct {
		from models.Status
		ev   models.Event
	}{
		{"BOGUS", models.EventNote},
		{"BOGUS", models.EventSystem},
		{"BOGUS", models.EventCustomerMessage},
		{"BOGUS", models.EventStaffReply},
		{"open", models.EventNote}, // case matters
		{sOpen, "teleport"},
		{sNone, "teleport"},
	} {
		if _, err := models.Next(tc.from, tc.ev); models.ErrorCode(err) != models.EINVALID {
			t.Errorf("Next(%q, %q) err = %v; want invalid", tc.from, tc.ev, err)
		}
	}
}

func TestOverride(t *testing.T) {
	// The overrides that reopen: out of RESOLVED or CLOSED to a live status.
	reopens := map[[2]models.Status]bool{}
	for _, from := range []models.Status{sRes, sCl} {
		for _, to := range []models.Status{sOpen, sAA, sAU, sEsc} {
			reopens[[2]models.Status{from, to}] = true
		}
	}
	for _, from := range models.Statuses {
		for _, to := range models.Statuses {
			got, err := models.Override(from, to)
			if from == to {
				if models.ErrorCode(err) != models.EINVALID || got != (models.Transition{}) {
					t.Errorf("Override(%s, %s) = %+v, %v; want invalid (already there)", from, to, got, err)
				}
				continue
			}
			// Leaving ESCALATED is a policy question, not the machine's.
			want := models.Transition{To: to, Reopened: reopens[[2]models.Status{from, to}]}
			if err != nil || got != want {
				t.Errorf("Override(%s, %s) = %+v, %v; want %+v", from, to, got, err, want)
			}
		}
		for _, bad := range []models.Status{"", "BOGUS", "closed"} {
			if _, err := models.Override(from, bad); models.ErrorCode(err) != models.EINVALID {
				t.Errorf("Override(%s, %q) = %v; want invalid", from, bad, err)
			}
		}
	}
}

// TestPublicStatus: customers never see ESCALATED (a staff-only event); it
// shows as AWAITING_ADMIN, and a customer's filter on a status they see
// matches exactly the statuses shown as it.
func TestPublicStatus(t *testing.T) {
	want := map[models.Status]models.Status{sOpen: sOpen, sAA: sAA, sAU: sAU, sEsc: sAA, sRes: sRes, sCl: sCl}
	shownAs := map[models.Status][]models.Status{}
	for _, s := range models.Statuses {
		got := models.Conversation{Status: s}.PublicStatus()
		if got != want[s] {
			t.Errorf("PublicStatus of %s = %s; want %s", s, got, want[s])
		}
		shownAs[got] = append(shownAs[got], s)
	}
	for _, s := range models.Statuses {
		if got := models.StatusesShownAs(s); strings.Join(statusStrings(got), ",") != strings.Join(statusStrings(shownAs[s]), ",") {
			t.Errorf("StatusesShownAs(%s) = %v; want %v", s, got, shownAs[s])
		}
	}
	if got := models.PublicStatuses(); strings.Join(statusStrings(got), ",") != "OPEN,AWAITING_ADMIN,AWAITING_USER,RESOLVED,CLOSED" {
		t.Errorf("PublicStatuses() = %v", got)
	}
}

func statusStrings(ss []models.Status) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

func TestParseStatus(t *testing.T) {
	for _, s := range models.Statuses {
		if got, err := models.ParseStatus(string(s)); err != nil || got != s {
			t.Errorf("ParseStatus(%q) = %q, %v", s, got, err)
		}
	}
	for _, bad := range []string{"", "open", "DELETED", " OPEN"} {
		if _, err := models.ParseStatus(bad); models.ErrorCode(err) != models.EINVALID {
			t.Errorf("ParseStatus(%q) err = %v; want invalid", bad, err)
		}
	}
}

func TestValidateBody(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want models.Code // "" = valid
	}{
		{"one char", "a", ""},
		{"multi-line with tab", "line one\n\tline two\r\n", ""},
		{"10000 ascii", strings.Repeat("a", 10000), ""},
		{"10000 two-byte runes", strings.Repeat("é", 10000), ""},
		{"10000 emoji", strings.Repeat("😀", 10000), ""},
		{"10000 mixed", strings.Repeat("aé😀中", 2500), ""},
		{"10001 ascii", strings.Repeat("a", 10001), models.ETOOLARGE},
		{"10001 two-byte runes", strings.Repeat("é", 10001), models.ETOOLARGE},
		{"10001 emoji", strings.Repeat("😀", 10001), models.ETOOLARGE},
		{"far too long", strings.Repeat("x", 100000), models.ETOOLARGE},
		{"empty", "", models.EINVALID},
		{"spaces", "   ", models.EINVALID},
		{"whitespace mix", " \t\r\n \u00a0\u2003", models.EINVALID},
		{"invalid utf-8", "hello \xff\xfe", models.EINVALID},
		{"truncated rune", "caf\xc3", models.EINVALID},
		{"NUL", "a\x00b", models.EINVALID},
		{"escape char", "a\x1b[31mred", models.EINVALID},
		{"html is plain text", "<script>alert(1)</script>", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := models.ValidateBody(tc.body)
			if got := models.ErrorCode(err); got != tc.want {
				t.Fatalf("ValidateBody(%d runes) = %v; want code %q", utf8.RuneCountInString(tc.body), err, tc.want)
			}
		})
	}
}

func TestNormalizeSubject(t *testing.T) {
	for _, tc := range []struct {
		name    string
		subject string
		want    string
		code    models.Code
	}{
		{"plain", "Where is my order?", "Where is my order?", ""},
		{"trimmed", "  \t Refund \n ", "Refund", ""},
		{"200 ascii", strings.Repeat("s", 200), strings.Repeat("s", 200), ""},
		{"200 emoji", strings.Repeat("😀", 200), strings.Repeat("😀", 200), ""},
		{"200 after trimming", "   " + strings.Repeat("é", 200) + "   ", strings.Repeat("é", 200), ""},
		{"201 ascii", strings.Repeat("s", 201), "", models.EINVALID},
		{"201 emoji", strings.Repeat("😀", 201), "", models.EINVALID},
		{"empty", "", "", models.EINVALID},
		{"blank", " \t \n ", "", models.EINVALID},
		{"two lines", "one\ntwo", "", models.EINVALID},
		{"invalid utf-8", "bad \xff", "", models.EINVALID},
		{"control", "bell\x07", "", models.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := models.NormalizeSubject(tc.subject)
			if code := models.ErrorCode(err); code != tc.code {
				t.Fatalf("NormalizeSubject = %q, %v; want code %q", got, err, tc.code)
			}
			if got != tc.want {
				t.Errorf("NormalizeSubject = %q; want %q", got, tc.want)
			}
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		at time.Time
		id int64
	}{
		{time.Date(2024, 3, 1, 12, 30, 0, 123456000, time.UTC), 1},
		{time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC), 1 << 53},
		{time.Date(2030, 1, 1, 0, 0, 0, 0, time.FixedZone("CET", 3600)), 42},
		{time.Unix(0, 0), 7},
	} {
		c := models.EncodeCursor(tc.at, tc.id)
		at, id, err := models.DecodeCursor(c)
		if err != nil {
			t.Fatalf("DecodeCursor(EncodeCursor(%v, %d)): %v", tc.at, tc.id, err)
		}
		if !at.Equal(tc.at.Truncate(time.Microsecond)) || id != tc.id || at.Location() != time.UTC {
			t.Errorf("round trip of (%v, %d) = (%v, %d)", tc.at, tc.id, at, id)
		}
	}
}

func TestDecodeCursorGarbage(t *testing.T) {
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, c := range []string{
		"", "!!!", "a", "====", b64("abc"), b64("123"), b64("1.0"), b64("1.-5"), b64("x.5"),
		b64("1.2.3"), b64(".5"), b64("5."), b64("1.99999999999999999999"),
		base64.StdEncoding.EncodeToString([]byte("1.5")) + "=",
	} {
		at, id, err := models.DecodeCursor(c)
		if models.ErrorCode(err) != models.EINVALID {
			t.Errorf("DecodeCursor(%q) = %v, %d, %v; want invalid", c, at, id, err)
		}
		if id != 0 || !at.IsZero() {
			t.Errorf("DecodeCursor(%q) refused but answered %v, %d", c, at, id)
		}
	}
}

func FuzzValidateBody(f *testing.F) {
	for _, s := range []string{"", " ", "hi", "é", "😀", "a\x00", "\xff", strings.Repeat("a", 10001), "\n\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		err := models.ValidateBody(body)
		n := utf8.RuneCountInString(body)
		switch models.ErrorCode(err) {
		case "":
			if !utf8.ValidString(body) || n < 1 || n > models.MaxBodyRunes || strings.TrimSpace(body) == "" {
				t.Fatalf("accepted %q (%d runes)", body, n)
			}
		case models.ETOOLARGE:
			if !utf8.ValidString(body) || n <= models.MaxBodyRunes {
				t.Fatalf("too_large for %q (%d runes)", body, n)
			}
		case models.EINVALID:
			if utf8.ValidString(body) && n > models.MaxBodyRunes {
				t.Fatalf("invalid instead of too_large for %d runes", n)
			}
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(models.EncodeCursor(time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC), 9))
	for _, s := range []string{"", "!!", "MS4y", "LTEuMQ", "MS4w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		at, id, err := models.DecodeCursor(c)
		if err != nil {
			if models.ErrorCode(err) != models.EINVALID {
				t.Fatalf("DecodeCursor(%q): %v; want invalid", c, err)
			}
			return
		}
		if id <= 0 {
			t.Fatalf("DecodeCursor(%q) accepted id %d", c, id)
		}
		at2, id2, err := models.DecodeCursor(models.EncodeCursor(at, id))
		if err != nil || !at2.Equal(at) || id2 != id {
			t.Fatalf("re-encode of (%v, %d) gave (%v, %d, %v)", at, id, at2, id2, err)
		}
	})
}
