package web

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
)

// errorBody is every API error: {"error":{"code","message"}}, with ids when
// several are concerned and retry_after (seconds) on 429.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code       string  `json:"code"`
	Message    string  `json:"message"`
	IDs        []int64 `json:"ids,omitempty"`
	RetryAfter int     `json:"retry_after,omitempty"`
}

// statusOf is the one mapping of domain error codes to HTTP statuses.
var statusOf = map[models.Code]int{
	models.EINVALID:      http.StatusBadRequest,
	models.EUNAUTHORIZED: http.StatusUnauthorized,
	models.EFORBIDDEN:    http.StatusForbidden,
	models.ENOTFOUND:     http.StatusNotFound,
	models.ECONFLICT:     http.StatusConflict,
	models.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	models.ERATELIMITED:  http.StatusTooManyRequests,
}

// writeError renders err and aborts the request. Domain errors show their
// code and message; anything else is logged and shown as "internal error".
func writeError(c *gin.Context, err error) {
	e := models.AsError(err)
	status, known := 0, false
	if e != nil {
		status, known = statusOf[e.Code]
	}
	if !known {
		slog.ErrorContext(c.Request.Context(), "api error", "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
		writeErrorStatus(c, http.StatusInternalServerError, string(models.EINTERNAL), "internal error")
		return
	}
	d := errorDetail{Code: string(e.Code), Message: e.Message, IDs: e.IDs}
	switch e.Code {
	case models.ERATELIMITED:
		d.RetryAfter = max(e.RetryAfter, 1)
		c.Header("Retry-After", strconv.Itoa(d.RetryAfter))
	case models.EUNAUTHORIZED:
		c.Header("WWW-Authenticate", `Bearer realm="parley"`)
	}
	c.AbortWithStatusJSON(status, errorBody{Error: d})
}

func writeErrorStatus(c *gin.Context, status int, code, message string) {
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{Code: code, Message: message}})
}
