package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// Idempotency-Key on the POSTs that create a message (issue 5, item 11).
const (
	idempotencyHeader = "Idempotency-Key"
	replayedHeader    = "Idempotent-Replayed"
	maxKeyLength      = 128
)

// renderPosted makes the body of a 201 answer to a created message. The
// handler and the stored answer of an Idempotency-Key use the same
// function, so a replay is byte for byte the original.
type renderPosted func(models.Conversation, models.Message) ([]byte, error)

func customerPosted(conv models.Conversation, m models.Message) ([]byte, error) {
	return json.Marshal(posted[customerConversation]{Conversation: customerView(conv), Message: messageView(m, false)})
}

func staffPosted(conv models.Conversation, m models.Message) ([]byte, error) {
	return json.Marshal(posted[staffConversation]{Conversation: staffView(conv), Message: messageView(m, true)})
}

// writePosted answers 201 with the created message.
func writePosted(c *gin.Context, render renderPosted, conv models.Conversation, m models.Message) {
	body, err := render(conv, m)
	if err != nil {
		writeError(c, err)
		return
	}
	c.Data(http.StatusCreated, "application/json; charset=utf-8", body)
}

// idempotent runs a creating POST at most once per Idempotency-Key. The
// key is scoped to the actor, the method and the path; the request is
// identified by the SHA-256 of its body. A repeat answers the recorded
// status and body with Idempotent-Replayed: true, before the handler, so
// it costs no rate-limit quota. Requests without the header run as usual.
func (a *API) idempotent(render renderPosted) gin.HandlerFunc {
	return func(c *gin.Context) {
		keys := c.Request.Header.Values(idempotencyHeader)
		if len(keys) == 0 {
			c.Next()
			return
		}
		if raw := c.Param("id"); raw != "" {
			if _, ok := models.ParseID(raw); !ok {
				c.Next() // names no conversation: the handler answers 404
				return
			}
		}
		key := keys[0]
		if len(keys) > 1 || !validKey(key) {
			writeError(c, errf("%s must be one value of 1 to %d visible ASCII characters", idempotencyHeader, maxKeyLength))
			return
		}
		body, err := readBody(c)
		if err != nil {
			writeError(c, err)
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(body)
		me := actor(c)
		scope := string(me.Kind) + ":" + strconv.FormatInt(me.ID, 10) + " " + c.Request.Method + " " + c.Request.URL.EscapedPath()
		ctx, replay, release, err := a.svc.Claim(c.Request.Context(), inbox.Idempotent{
			Scope: scope, Key: key, Hash: hex.EncodeToString(sum[:]), Status: http.StatusCreated, Render: render})
		if err != nil {
			writeError(c, err)
			return
		}
		if replay != nil {
			c.Header(replayedHeader, "true")
			c.Data(replay.Status, "application/json; charset=utf-8", replay.Body)
			c.Abort()
			return
		}
		defer release()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

func validKey(k string) bool {
	if k == "" || len(k) > maxKeyLength {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// readBody reads the whole (size-capped) request body.
func readBody(c *gin.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, models.Errorf(models.ETOOLARGE, "request body is larger than %d bytes", tooLarge.Limit)
		}
		if e := models.AsError(err); e != nil {
			return nil, e // the server's own reason (a body too slow)
		}
		return nil, models.Errorf(models.EINVALID, "cannot read request body")
	}
	return body, nil
}
