package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
)

// errorBody is every API error: {"error":{"code","message"}}, with ids when
// several are concerned and retry_after (seconds) on 429 and 503.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code       string  `json:"code"`
	Message    string  `json:"message"`
	IDs        []int64 `json:"ids,omitempty"`
	RetryAfter int     `json:"retry_after,omitempty"`
}

// UnavailableRetryAfter is the Retry-After (seconds) of a 503: a dependency
// is down and is usually back within seconds (a restart, a failover).
const UnavailableRetryAfter = 5

// writeError renders err and aborts the request. Domain errors show their
// code and message with the status of models.HTTPStatus; anything else is
// shown as "internal error". The error is attached to the gin context
// (c.Errors): the access log reports it once, 4xx at INFO, 5xx at ERROR.
func writeError(c *gin.Context, err error) {
	_ = c.Error(err)
	e := models.AsError(models.Translate(err))
	if e == nil || models.HTTPStatus(e.Code) == http.StatusInternalServerError {
		writeErrorStatus(c, http.StatusInternalServerError, string(models.EINTERNAL), "internal error")
		return
	}
	d := errorDetail{Code: string(e.Code), Message: e.Message, IDs: e.IDs}
	switch e.Code {
	case models.ERATELIMITED:
		d.RetryAfter = max(e.RetryAfter, 1)
		c.Header("Retry-After", strconv.Itoa(d.RetryAfter))
	case models.EUNAVAILABLE:
		d.RetryAfter = max(e.RetryAfter, UnavailableRetryAfter)
		c.Header("Retry-After", strconv.Itoa(d.RetryAfter))
	case models.EUNAUTHORIZED:
		c.Header("WWW-Authenticate", `Bearer realm="parley"`)
	case models.ECONFLICT:
		if e.RetryAfter > 0 { // a request still in progress
			d.RetryAfter = e.RetryAfter
			c.Header("Retry-After", strconv.Itoa(d.RetryAfter))
		}
	}
	c.AbortWithStatusJSON(models.HTTPStatus(e.Code), errorBody{Error: d})
}

func writeErrorStatus(c *gin.Context, status int, code, message string) {
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{Code: code, Message: message}})
}
