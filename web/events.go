package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/models"
)

// keepAlive is how often an idle stream sends a comment, and refreshes
// its person's presence (inbox.Heartbeat; the mark lasts a minute).
const keepAlive = 20 * time.Second

// WithEvents gives the API the node's event bus: GET /api/v1/events and
// /api/v1/staff/events answer 503 without one.
func (a *API) WithEvents(bus *live.Bus) *API {
	a.bus = bus
	return a
}

// CloseStreams ends every open event stream (server shutdown: an open
// stream would hold http.Server.Shutdown forever). The browsers reconnect
// to another node with their Last-Event-ID.
func (a *API) CloseStreams() {
	a.closeOnce.Do(func() { close(a.closing) })
}

// streamAuth resolves a stream's caller: the bearer header, else the
// portal's session cookie (a browser's EventSource sends no header). A
// token never comes in the URL.
func (a *API) streamAuth(want side) gin.HandlerFunc {
	return func(c *gin.Context) {
		token, ok := bearer(c.GetHeader("Authorization"))
		if !ok && want == customerSide {
			if ck, err := c.Request.Cookie(sessionCookie); err == nil && ck.Value != "" {
				token, ok = ck.Value, true
			}
		}
		if !ok {
			writeError(c, unauthorized())
			return
		}
		if a.admit(c, token, want) {
			c.Next()
		}
	}
}

// events is GET /api/v1/events and /api/v1/staff/events: one Server-Sent
// Events stream of what the caller may read (inbox.Service.MaySee), each
// event with its id. A reconnect's Last-Event-ID resumes without a gap
// while the stream window holds what came after it; otherwise the stream
// starts with a "reset" event and the page refetches. Idle streams get a
// comment every 20 s, which also keeps the caller's presence alive.
func (a *API) events(c *gin.Context) {
	if a.bus == nil {
		writeErrorStatus(c, http.StatusServiceUnavailable, "unavailable", "live events are not enabled on this node")
		return
	}
	last := c.GetHeader("Last-Event-ID")
	if last != "" {
		if _, err := live.ParseID(last); err != nil {
			writeError(c, models.Errorf(models.EINVALID, "Last-Event-ID: not an event id this server sent"))
			return
		}
	}
	ctx, who := c.Request.Context(), actor(c)
	mine := func(e inbox.Event) bool { return a.svc.MaySee(who, e) }
	sub, replay, err := a.bus.Subscribe(ctx, last, mine)
	reset := errors.Is(err, live.ErrReset)
	if reset {
		sub, replay, err = a.bus.Subscribe(ctx, "", mine)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	defer a.bus.Unsubscribe(sub)
	_ = a.svc.Heartbeat(ctx, who) // best effort, as the heartbeat route

	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // no proxy buffering
	c.Status(http.StatusOK)
	w := c.Writer
	if reset {
		fmt.Fprint(w, "event: reset\ndata: {}\n\n")
	}
	for _, d := range replay {
		if err := writeEvent(w, d); err != nil {
			return
		}
	}
	w.Flush()
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case d := <-sub.C:
			if err := writeEvent(w, d); err != nil {
				return
			}
			w.Flush()
		case <-tick.C:
			_ = a.svc.Heartbeat(ctx, who)
			fmt.Fprint(w, ": ping\n\n")
			w.Flush()
		case <-sub.Lagged():
			// Fell behind: the page refetches, then resumes live.
			fmt.Fprint(w, "event: reset\ndata: {}\n\n")
			w.Flush()
			return
		case <-a.closing:
			return
		case <-ctx.Done():
			return
		}
	}
}

func writeEvent(w gin.ResponseWriter, d live.Delivery) error {
	body, err := json.Marshal(d.Event.Signal())
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", d.ID, d.Event.Type, body)
	return err
}
