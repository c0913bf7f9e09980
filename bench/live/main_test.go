package main

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// TestSSEReader reads the stream web/events.go writes, and refuses what
// it never writes.
func TestSSEReader(t *testing.T) {
	r := newSSEReader(strings.NewReader("event: reset\ndata: {}\n\n" +
		": ping\n\n" +
		"id: 1700000000000-0\nevent: message.created\ndata: {\"type\":\"message.created\",\"message_id\":7}\n\n"))
	want := []sseEvent{
		{Type: "reset", Data: "{}"},
		{ID: "1700000000000-0", Type: "message.created", Data: `{"type":"message.created","message_id":7}`},
	}
	for _, w := range want {
		e, err := r.Next()
		if err != nil || e != w {
			t.Fatalf("Next() = %+v, %v; want %+v", e, err, w)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("at the end: %v, want io.EOF", err)
	}
	if r.Comments != 1 {
		t.Errorf("comments %d, want 1", r.Comments)
	}

	for _, tc := range []struct{ name, in string }{
		{"unknown field", "retry: 10\n\n"},
		{"no field name", "data\n\n"},
		{"carriage return", "data: {}\r\n\n"},
		{"cut mid-event", "data: {}\n"},
		{"cut mid-line", "data: {"},
		{"line too long", "data: " + strings.Repeat("x", 4096) + "\n\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newSSEReader(strings.NewReader(tc.in)).Next()
			if err == nil || errors.Is(err, io.EOF) {
				t.Errorf("Next() = %v, want an error", err)
			}
		})
	}
}

// TestTrackerMatches: an event may come before or after its POST's
// answer; one on another customer's stream is counted as wrong.
func TestTrackerMatches(t *testing.T) {
	tr := newTracker([]int64{10, 20})
	ev := func(conv, msg string) sseEvent {
		return sseEvent{ID: "1-0", Type: "message.created", Data: `{"type":"message.created","conversation_id":` + conv + `,"message_id":` + msg + `}`}
	}
	t0 := time.Now()
	tr.event(0, ev("10", "1"), t0) // before the answer
	tr.posted(1, 0, t0, t0)
	tr.posted(2, 1, t0, t0)
	tr.event(1, ev("20", "2"), t0) // after it
	tr.event(1, ev("20", "2"), t0) // again
	tr.event(0, ev("20", "3"), t0) // another customer's conversation
	tr.posted(4, 1, t0, t0)        // never arrives
	if tr.pending() != 1 || tr.dup != 1 || tr.wrong != 1 || !tr.sends[1].beforeAnswer || tr.sends[2].beforeAnswer {
		t.Errorf("pending %d, dup %d, wrong %d, before answer %v %v", tr.pending(), tr.dup, tr.wrong, tr.sends[1].beforeAnswer, tr.sends[2].beforeAnswer)
	}
}

func TestParseGCTrace(t *testing.T) {
	in := "time=x level=INFO msg=request\n" +
		"gc 9 @29.352s 0%: 0.1+2+0.01 ms clock, 0.2+0/1/0+0.02 ms cpu, 49->53->50 MB, 55 MB goal, 5 MB stacks, 0 MB globals, 2 P\n" +
		"gc 10 @35.941s 0%: 0.1+2+0.01 ms clock, 0.2+0/1/0+0.02 ms cpu, 264->268->57 MB, 280 MB goal, 5 MB stacks, 0 MB globals, 2 P\n"
	if got := parseGCTrace(strings.NewReader(in)); len(got) != 2 || got[0] != 50 || got[1] != 57 {
		t.Errorf("live heaps %v, want [50 57]", got)
	}
}
