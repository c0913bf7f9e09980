package models

import (
	"errors"
	"fmt"
)

// Code classifies a domain error. Each transport maps codes to its own
// status values in one function (web.writeError, the CLI's exit message).
type Code string

// The closed set of error codes.
const (
	EINVALID      Code = "invalid"
	EUNAUTHORIZED Code = "unauthorized"
	EFORBIDDEN    Code = "forbidden"
	ENOTFOUND     Code = "not_found"
	ECONFLICT     Code = "conflict"
	ETOOLARGE     Code = "too_large"
	ERATELIMITED  Code = "rate_limited"
	EUNAVAILABLE  Code = "unavailable" // a dependency (database, Redis) is down: retry later
	EINTERNAL     Code = "internal"
)

// HTTPStatus is the one table of domain codes to HTTP statuses, shared by
// both HTTP doors (the JSON API and the back office) so they answer alike.
// Unknown codes and EINTERNAL are 500.
func HTTPStatus(c Code) int {
	switch c {
	case EINVALID:
		return 400
	case EUNAUTHORIZED:
		return 401
	case EFORBIDDEN:
		return 403
	case ENOTFOUND:
		return 404
	case ECONFLICT:
		return 409
	case ETOOLARGE:
		return 413
	case ERATELIMITED:
		return 429
	case EUNAVAILABLE:
		return 503
	}
	return 500
}

// Error is a domain error with a code safe to show to the caller.
type Error struct {
	Code       Code
	Message    string
	IDs        []int64 // the ids concerned, when several are
	RetryAfter int     // seconds, with ERATELIMITED
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf builds a domain error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first domain error in err's chain, or
// EINTERNAL for anything else (nil gives "").
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// AsError returns the domain error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Standard messages that must not vary by cause.
const (
	// MsgUnauthorized is the one message for every failed authentication,
	// so a caller cannot tell a wrong password from an unknown account.
	MsgUnauthorized = "invalid credentials or session"
	// MsgBlocked is the neutral refusal given to blocked customers (R13).
	MsgBlocked = "you cannot send messages at this time"
)

// NotFound is the answer for anything unknown or outside the caller's scope (R6a).
func NotFound(what string, id int64) *Error {
	return Errorf(ENOTFOUND, "%s %d not found", what, id)
}
