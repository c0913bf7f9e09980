package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
)

// MaxRequestBody caps every API request body.
const MaxRequestBody = 256 << 10

const (
	actorKey = "parley.actor"
	tokenKey = "parley.token"
)

// noStore keeps API answers (tokens, private messages) out of caches.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// limitBody caps the request body; decode turns the overflow into too_large.
// Uploads (…/attachments) get MaxUploadBody.
func limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		limit := int64(MaxRequestBody)
		if isUpload(c) {
			limit = MaxUploadBody
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}

// recoverJSON turns a panic into a logged 500 with the usual error body.
func recoverJSON(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			slog.ErrorContext(c.Request.Context(), "api panic", "method", c.Request.Method, "path", c.Request.URL.Path, "panic", v)
			if !c.Writer.Written() {
				writeError(c, fmt.Errorf("panic: %v", v))
			}
			c.Abort()
		}
	}()
	c.Next()
}

// side is which half of the API a token is good for.
type side int

const (
	customerSide side = iota // customers and guests
	staffSide
)

// authenticate resolves the bearer token to an actor of the given side.
// Every failure, including a token of the other side, is the same 401.
func (a *API) authenticate(want side) gin.HandlerFunc {
	return func(c *gin.Context) {
		token, ok := bearer(c.GetHeader("Authorization"))
		if !ok {
			writeError(c, unauthorized())
			return
		}
		if !a.admit(c, token, want) {
			return
		}
		c.Set(tokenKey, token)
		c.Next()
	}
}

// admit resolves token to an actor of the given side and sets it on the
// request; otherwise it answers the error (every failure, a token of the
// other side included, is the same 401) and says no.
func (a *API) admit(c *gin.Context, token string, want side) bool {
	actor, err := a.acc.Authenticate(c.Request.Context(), token, c.ClientIP())
	if err != nil {
		writeError(c, err)
		return false
	}
	onSide := actor.IsCustomer()
	if want == staffSide {
		onSide = actor.IsStaff()
	}
	if !onSide {
		writeError(c, unauthorized())
		return false
	}
	actor.IP = c.ClientIP()
	c.Set(actorKey, actor)
	return true
}

func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func unauthorized() error { return models.Errorf(models.EUNAUTHORIZED, models.MsgUnauthorized) }

// actor is the authenticated caller (set by authenticate).
func actor(c *gin.Context) models.Actor {
	return c.MustGet(actorKey).(models.Actor)
}
