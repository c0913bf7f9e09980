package main

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/parleyhq/parley/models"
)

// newHTTPServer is the server of `parley serve`: headers within
// HeaderTimeout, bodies paced by paceBodies, idle keep-alives closed.
func newHTTPServer(h http.Handler, l httpLimits) *http.Server {
	return &http.Server{
		Handler:           paceBodies(h, l),
		ReadHeaderTimeout: l.HeaderTimeout,
		IdleTimeout:       120 * time.Second,
	}
}

// paceBodies makes a slow body end its request: after BodyGrace the body
// must have arrived at BodyMinRate on average, and all of it within
// BodyTimeout. It moves the connection's read deadline ahead of the bytes
// received before each read, so a client trickling a byte a second is cut
// when its allowance runs out, while a steady 1 MB upload is never cut.
func paceBodies(h http.Handler, l httpLimits) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &pacedBody{ReadCloser: r.Body, rc: http.NewResponseController(w), start: time.Now(), l: l}
		}
		h.ServeHTTP(w, r)
	})
}

// errSlowBody is the read error of a body that came too slowly; the API
// reports it as it is (a refusal, not a failure).
var errSlowBody = models.Errorf(models.EINVALID, "request body arrived too slowly")

type pacedBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	start time.Time
	l     httpLimits
	n     int64
	done  bool
}

// deadline is when the bytes read so far stop being enough.
func (b *pacedBody) deadline() time.Time {
	allowed := b.l.BodyGrace + time.Duration(float64(b.n)/float64(b.l.BodyMinRate)*float64(time.Second))
	return b.start.Add(min(allowed, b.l.BodyTimeout))
}

func (b *pacedBody) Read(p []byte) (int, error) {
	if b.done {
		return b.ReadCloser.Read(p)
	}
	if err := b.rc.SetReadDeadline(b.deadline()); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return 0, err
	}
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if err == io.EOF {
		b.done = true
	}
	var ne net.Error
	if err != nil && (errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())) {
		err = errSlowBody
	}
	return n, err
}
