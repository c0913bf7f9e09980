package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// DefaultKeepAlive is how often an idle stream sends a comment and
// refreshes its person's presence (the mark lasts a minute).
const DefaultKeepAlive = 20 * time.Second

// ErrBadLastEventID is a Last-Event-ID this server never sent.
var ErrBadLastEventID = errors.New("Last-Event-ID: not an event id this server sent")

// Reader is one browser tab's or client's stream, as the page that serves
// it describes it.
type Reader struct {
	// MaySee decides which events the reader receives (inbox.Service.MaySee).
	MaySee func(inbox.Event) bool
	// Staff readers receive the staff-only part of an event's data.
	Staff bool
	// Customer is a customer's or guest's id (ForCustomer), else 0.
	Customer int64
	// Beat keeps the reader's presence alive: called when the stream
	// opens and at every keep-alive.
	Beat func()
	// Closed is called once the stream has ended.
	Closed func()
	// Alive, when set, is asked at every keep-alive whether the session
	// that opened the stream still holds (signed out, revoked, expired:
	// the stream ends within KeepAlive).
	Alive func(context.Context) bool
}

// Serve answers r with the Server-Sent Events stream of what rd may see:
// each event with its id, after a reconnect's Last-Event-ID the events
// since (without a gap or a repeat while the bus still holds them, else a
// "reset" event first: the page refetches), a comment every b.KeepAlive,
// and a "reset" when the reader falls so far behind that it was cut off.
// It returns when the client leaves, the bus closes its streams or the
// reader lags. A Last-Event-ID that is not an id is ErrBadLastEventID
// before anything is written (the caller answers it in its own format).
func (b *Bus) Serve(w http.ResponseWriter, r *http.Request, rd Reader) error {
	last := r.Header.Get("Last-Event-ID")
	if last != "" {
		if _, err := ParseID(last); err != nil {
			return ErrBadLastEventID
		}
	}
	ctx := r.Context()
	var opts []SubOption
	if rd.Customer != 0 {
		opts = append(opts, ForCustomer(rd.Customer))
	}
	sub, replay, err := b.Subscribe(ctx, last, rd.MaySee, opts...)
	reset := errors.Is(err, ErrReset)
	if reset {
		sub, replay, err = b.Subscribe(ctx, "", rd.MaySee, opts...)
	}
	if err != nil {
		return err
	}
	defer b.Unsubscribe(sub)
	if rd.Closed != nil {
		defer rd.Closed()
	}
	beat := func() {
		if rd.Beat != nil {
			rd.Beat()
		}
	}
	beat()

	flush := func() {}
	if f, ok := w.(http.Flusher); ok {
		flush = f.Flush
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // no proxy buffering
	w.WriteHeader(http.StatusOK)
	if reset {
		fmt.Fprint(w, "event: reset\ndata: {}\n\n")
	}
	for _, d := range replay {
		if err := writeEvent(w, d, rd.Staff); err != nil {
			return nil
		}
	}
	flush()
	tick := time.NewTicker(b.KeepAlive)
	defer tick.Stop()
	for {
		select {
		case d := <-sub.C:
			if err := writeEvent(w, d, rd.Staff); err != nil {
				return nil
			}
			flush()
		case <-tick.C:
			if rd.Alive != nil && !rd.Alive(context.WithoutCancel(ctx)) {
				return nil
			}
			beat()
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return nil
			}
			flush()
		case <-sub.Lagged():
			// Fell behind: the page refetches, then resumes live.
			fmt.Fprint(w, "event: reset\ndata: {}\n\n")
			flush()
			return nil
		case <-b.closing:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}

// CloseStreams ends every stream this bus serves (server shutdown: an
// open stream would hold http.Server.Shutdown forever). The browsers
// reconnect to another node with their Last-Event-ID.
func (b *Bus) CloseStreams() {
	b.closeOnce.Do(func() { close(b.closing) })
}

func writeEvent(w http.ResponseWriter, d Delivery, staff bool) error {
	body, err := json.Marshal(d.Event.Signal(staff))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", d.ID, d.Event.Type, body)
	return err
}

// ReaderOf is the stream reader of actor who, for the API's streams and
// the back office's: what they may see, and their presence.
func ReaderOf(svc *inbox.Service, who models.Actor) Reader {
	ctx := context.Background()
	first := true
	rd := Reader{
		MaySee: func(e inbox.Event) bool { return svc.MaySee(who, e) },
		Staff:  who.IsStaff(),
		Beat: func() {
			if first {
				first = false
				if on, err := svc.Online(ctx, who.Kind, who.ID); err == nil && !on {
					defer svc.CameOnline(ctx, who)
				}
			}
			_ = svc.Heartbeat(ctx, who) // best effort, as the heartbeat route
		},
	}
	if who.IsCustomer() { // staff's own presence is not published
		rd.Customer = who.ID
		rd.Closed = func() {
			time.AfterFunc(inbox.PresenceTTL+5*time.Second, func() { svc.WentOffline(ctx, who) })
		}
	}
	return rd
}
