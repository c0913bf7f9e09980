// Package live shares events between nodes and hands them to the streams
// a node holds (DESIGN §6, issue 9). Every event goes into one capped Redis
// stream: each node reads it from where it last read and gives each event
// to its subscribers whose filter accepts it, and a dropped browser stream
// resumes from the id it last received (Last-Event-ID) as long as the
// stream still holds what came after it.
package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// DefaultWindow is how long the stream keeps events for resuming.
const DefaultWindow = 10 * time.Minute

// Delivery is an event with its stream id (the SSE id: clients send it
// back as Last-Event-ID).
type Delivery struct {
	ID    string
	Event inbox.Event
}

// Bus is inbox.Publisher on a Redis stream, and the node's reader of it.
type Bus struct {
	rdb    redis.UniversalClient
	key    string
	Window time.Duration
	Now    func() time.Time
	// Buffer is each subscriber's queue; a subscriber that falls this far
	// behind is cut off with Lagged (its page refetches) rather than
	// slowing the others.
	Buffer int
	// KeepAlive is how often Serve's idle streams send a comment, refresh
	// their reader's presence and check their session.
	KeepAlive time.Duration

	mu sync.Mutex
	// Subscribers: a customer's are indexed by their customer id (a
	// customer reads only their own conversations and notifications, R6,
	// so an event is offered only to its customer's streams); the others
	// (staff) are offered every event.
	subs       map[*Sub]struct{}
	byCustomer map[int64]map[*Sub]struct{}
	last       string // the id this node has read up to

	closing   chan struct{} // closed by CloseStreams
	closeOnce sync.Once
}

// New builds a bus on rdb; prefix is prepended to its key (empty in
// production, a test's own prefix in tests).
func New(rdb redis.UniversalClient, prefix string) *Bus {
	return &Bus{rdb: rdb, key: prefix + "parley:events", Window: DefaultWindow, Now: time.Now, Buffer: 64, KeepAlive: DefaultKeepAlive, subs: map[*Sub]struct{}{}, byCustomer: map[int64]map[*Sub]struct{}{}, closing: make(chan struct{})}
}

// Publish adds e to the stream and trims what is older than the window
// (exactly: a resume must find out when its id was trimmed).
func (b *Bus) Publish(ctx context.Context, e inbox.Event) error {
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	minID := strconv.FormatInt(b.Now().Add(-b.Window).UnixMilli(), 10)
	if err := b.rdb.XAdd(ctx, &redis.XAddArgs{Stream: b.key, MinID: minID, Values: []any{"e", body}}).Err(); err != nil {
		return fmt.Errorf("publish %s: %w", e.Type, err)
	}
	return nil
}

// Sub is one stream's subscription.
type Sub struct {
	C        chan Delivery // events the filter accepted, in stream order
	filter   func(inbox.Event) bool
	after    [2]uint64 // replayed up to here: live events at or before it are skipped (zero: none)
	customer int64     // a customer's subscription (ForCustomer), else 0
	lagged   chan struct{}
	once     sync.Once
}

// SubOption narrows a subscription.
type SubOption func(*Sub)

// ForCustomer marks a customer's (or guest's) subscription: it is offered
// only the events of that customer's conversations and notifications —
// the only ones its filter could accept (R6) — instead of every event.
func ForCustomer(id int64) SubOption { return func(s *Sub) { s.customer = id } }

func (b *Bus) add(s *Sub) {
	if s.customer == 0 {
		b.subs[s] = struct{}{}
		return
	}
	set := b.byCustomer[s.customer]
	if set == nil {
		set = map[*Sub]struct{}{}
		b.byCustomer[s.customer] = set
	}
	set[s] = struct{}{}
}

func (b *Bus) remove(s *Sub) {
	delete(b.subs, s)
	if set := b.byCustomer[s.customer]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(b.byCustomer, s.customer)
		}
	}
}

// Lagged is closed when the subscriber fell behind and was cut off.
func (s *Sub) Lagged() <-chan struct{} { return s.lagged }

// ErrReset says a Last-Event-ID is outside what the stream still holds:
// the client refetches instead of resuming.
var ErrReset = errors.New("live: the events after that id are no longer kept")

// MaxReplay is the most stream entries a resume reads back (anyone's,
// before filtering): a client further behind gets ErrReset and refetches,
// which costs it less than the replay would cost the node.
const MaxReplay = 2000

// Subscribe registers a subscriber with filter. With lastID (a stream id
// the client last received) it first answers the accepted events after it
// — or ErrReset when the stream no longer holds all of them, or holds more
// than MaxReplay — and the subscription continues from there without a gap
// or a repeat. The replay is read without holding up the node's reader:
// the subscriber is registered at the reader's position first, so what the
// reader hands out meanwhile queues behind the replay.
func (b *Bus) Subscribe(ctx context.Context, lastID string, filter func(inbox.Event) bool, opts ...SubOption) (*Sub, []Delivery, error) {
	if lastID != "" {
		if _, err := ParseID(lastID); err != nil {
			return nil, nil, err
		}
	}
	s := &Sub{C: make(chan Delivery, b.Buffer), filter: filter, lagged: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	b.mu.Lock()
	upTo := b.last // the replay ends here; the reader delivers what follows
	after := upTo
	if lastID != "" && less(after, lastID) {
		after = lastID // another node's stream got ahead of this node's reader
	}
	s.after, _ = ParseID(after)
	b.add(s)
	b.mu.Unlock()
	if lastID == "" || (upTo != "" && !less(lastID, upTo)) {
		return s, nil, nil
	}
	if upTo == "" {
		upTo = "+" // no reader yet (Start not called): everything is replay
	}
	out, err := b.replay(ctx, lastID, upTo, filter)
	if err != nil {
		b.Unsubscribe(s)
		return nil, nil, err
	}
	return s, out, nil
}

// replay reads the accepted events after lastID up to upTo (inclusive).
func (b *Bus) replay(ctx context.Context, lastID, upTo string, filter func(inbox.Event) bool) ([]Delivery, error) {
	first, err := b.rdb.XRangeN(ctx, b.key, "-", "+", 1).Result()
	if err != nil {
		return nil, err
	}
	if len(first) == 0 || less(lastID, first[0].ID) {
		return nil, ErrReset
	}
	msgs, err := b.rdb.XRangeN(ctx, b.key, "("+lastID, upTo, MaxReplay+1).Result()
	if err != nil {
		return nil, err
	}
	if len(msgs) > MaxReplay {
		return nil, ErrReset
	}
	var out []Delivery
	for _, m := range msgs {
		e, ok := decode(m)
		if ok && filter(e) {
			out = append(out, Delivery{ID: m.ID, Event: e})
		}
	}
	return out, nil
}

// Unsubscribe ends a subscription.
func (b *Bus) Unsubscribe(s *Sub) {
	b.mu.Lock()
	b.remove(s)
	b.mu.Unlock()
}

// Start takes the node's position in the stream (its newest entry: what
// was published before is no subscriber's here) and reads it in the
// background until ctx ends; wait returns when the reader has stopped.
// Subscribers that come after Start returns miss nothing published after
// they subscribed.
func (b *Bus) Start(ctx context.Context) (wait func(), err error) {
	pos := "0-0" // an empty stream: all its entries will be new ("$" would miss those added between two reads)
	m, err := b.rdb.XRevRangeN(ctx, b.key, "+", "-", 1).Result()
	if err != nil {
		return nil, fmt.Errorf("live: read the event stream: %w", err)
	}
	if len(m) == 1 {
		pos = m[0].ID
	}
	b.mu.Lock()
	b.last = pos
	b.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.run(ctx)
	}()
	return func() { <-done }, nil
}

// run reads the stream until ctx ends (within a second: a read blocks
// at most that long), handing each event to the
// subscribers; a Redis error is retried after a short wait (events
// published meanwhile are read then, as long as the window holds them).
func (b *Bus) run(ctx context.Context) {
	for ctx.Err() == nil {
		b.mu.Lock()
		from := b.last
		b.mu.Unlock()
		res, err := b.rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{b.key, from}, Block: time.Second, Count: 500}).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(500 * time.Millisecond):
			}
			continue
		}
		for _, st := range res {
			for _, m := range st.Messages {
				b.deliver(m)
			}
		}
	}
}

func (b *Bus) deliver(m redis.XMessage) {
	e, ok := decode(m)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last = m.ID
	if !ok {
		return
	}
	id, _ := ParseID(m.ID)
	offer := func(s *Sub) {
		if !lessID(s.after, id) {
			return // already replayed
		}
		if !s.filter(e) {
			return
		}
		select {
		case s.C <- Delivery{ID: m.ID, Event: e}:
		default:
			b.remove(s)
			s.once.Do(func() { close(s.lagged) })
		}
	}
	for s := range b.subs {
		offer(s)
	}
	if e.CustomerID != 0 {
		for s := range b.byCustomer[e.CustomerID] {
			offer(s)
		}
	}
	if (e.RecipientKind == models.ActorCustomer || e.RecipientKind == models.ActorGuest) && e.RecipientID != e.CustomerID {
		for s := range b.byCustomer[e.RecipientID] {
			offer(s)
		}
	}
}

func decode(m redis.XMessage) (inbox.Event, bool) {
	var e inbox.Event
	body, ok := m.Values["e"].(string)
	if !ok || json.Unmarshal([]byte(body), &e) != nil {
		return e, false
	}
	return e, true
}

// ParseID checks a stream id as a client sends it back (Last-Event-ID):
// two plain decimal numbers joined by "-", nothing else.
func ParseID(id string) ([2]uint64, error) {
	var out [2]uint64
	ms, seq, ok := strings.Cut(id, "-")
	if !ok || !plain(ms) || !plain(seq) {
		return out, fmt.Errorf("live: %q is not an event id", id)
	}
	var err error
	if out[0], err = strconv.ParseUint(ms, 10, 64); err != nil {
		return out, fmt.Errorf("live: %q is not an event id", id)
	}
	if out[1], err = strconv.ParseUint(seq, 10, 64); err != nil {
		return out, fmt.Errorf("live: %q is not an event id", id)
	}
	return out, nil
}

// formatID prints a parsed id.
func formatID(p [2]uint64) string {
	return strconv.FormatUint(p[0], 10) + "-" + strconv.FormatUint(p[1], 10)
}

func plain(s string) bool {
	if s == "" || len(s) > 20 || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// less orders two stream ids ("" is before every id).
func less(a, b string) bool {
	pa, ea := ParseID(a)
	pb, eb := ParseID(b)
	switch {
	case ea != nil:
		return eb == nil
	case eb != nil:
		return false
	}
	return lessID(pa, pb)
}

// lessID orders two parsed stream ids.
func lessID(a, b [2]uint64) bool {
	return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1])
}
