package main

import (
	"encoding/json"
	"sync"
	"time"
)

// tracker matches staff replies with the message.created events their
// customers' streams receive. An event may arrive before its POST's
// answer (the server publishes before it answers), so either side can
// come first.
type tracker struct {
	convs []int64 // each stream's customer's one conversation

	mu        sync.Mutex
	sends     map[int64]*reply  // by message id
	early     map[int64]arrival // events whose POST has not answered yet
	types     map[string]int    // events received, by type
	wrong     int               // an event about another customer's conversation or reply
	dup       int               // a reply's event received twice
	malformed int               // an event whose data is not a signal
	ended     map[string]int    // streams that ended during the run, by error
}

// reply is one accepted staff reply.
type reply struct {
	cust            int
	start, answered time.Time
	arrived         time.Time // zero until its event is received
	beforeAnswer    bool      // the event came before the POST's answer
}

type arrival struct {
	stream int
	at     time.Time
}

// signal is the data of an event (inbox.Signal).
type signal struct {
	Type           string `json:"type"`
	ConversationID int64  `json:"conversation_id"`
	MessageID      int64  `json:"message_id"`
}

func newTracker(convs []int64) *tracker {
	return &tracker{convs: convs, sends: map[int64]*reply{}, early: map[int64]arrival{}, types: map[string]int{},
		ended: map[string]int{}}
}

// event records event e received on stream i at at.
func (t *tracker) event(i int, e sseEvent, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.types[e.Type]++
	if e.Type == "reset" {
		return
	}
	var s signal
	if err := json.Unmarshal([]byte(e.Data), &s); err != nil || s.Type != e.Type || e.ID == "" {
		t.malformed++
		return
	}
	if s.ConversationID != t.convs[i] {
		t.wrong++
		return
	}
	if e.Type != "message.created" {
		return
	}
	r := t.sends[s.MessageID]
	if r == nil {
		if _, ok := t.early[s.MessageID]; ok {
			t.dup++
			return
		}
		t.early[s.MessageID] = arrival{i, at}
		return
	}
	t.arrive(r, arrival{i, at})
}

// posted records an accepted reply to customer cust's conversation; one
// to a customer without a stream is not followed.
func (t *tracker) posted(id int64, cust int, start, answered time.Time) {
	if cust >= len(t.convs) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	r := &reply{cust: cust, start: start, answered: answered}
	t.sends[id] = r
	if a, ok := t.early[id]; ok {
		delete(t.early, id)
		r.beforeAnswer = true
		t.arrive(r, a)
	}
}

func (t *tracker) arrive(r *reply, a arrival) {
	switch {
	case a.stream != r.cust:
		t.wrong++
	case !r.arrived.IsZero():
		t.dup++
	default:
		r.arrived = a.at
	}
}

// streamEnded records a stream that ended while it should have stayed open.
func (t *tracker) streamEnded(err error) {
	t.mu.Lock()
	t.ended[err.Error()]++
	t.mu.Unlock()
}

// pending is how many accepted replies have not reached their stream yet.
func (t *tracker) pending() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, r := range t.sends {
		if r.arrived.IsZero() {
			n++
		}
	}
	return n
}
