package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// decode reads the JSON object body into dst strictly (decodeBytes):
// unknown or case-variant fields, duplicates, wrong types, invalid UTF-8,
// trailing data and oversized bodies are refused with a clear message.
func decode(c *gin.Context, dst any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeBytes(body, dst)
}

// jsonError explains a decoding error to the caller.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var de *models.Error
	switch {
	case errors.As(err, &de):
		return de
	case errors.As(err, &syntax):
		return models.Errorf(models.EINVALID, "request body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return models.Errorf(models.EINVALID, "request body is not valid JSON (unexpected end)")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return models.Errorf(models.EINVALID, "request body must be a JSON object")
		}
		return models.Errorf(models.EINVALID, "field %q must be %s, not %s", typ.Field, kindName(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return models.Errorf(models.EINVALID, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return models.Errorf(models.EINVALID, "request body is not valid JSON")
}

func kindName(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"):
		return "an integer"
	case k == "string":
		return "a string"
	case k == "bool":
		return "true or false"
	case k == "slice":
		return "an array"
	case k == "struct", k == "map":
		return "an object"
	}
	return "a " + k
}

// nullableID is a PATCH field that tells absent (Set false) from null
// (Set true, ID nil) from a value.
type nullableID struct {
	Set bool
	ID  *int64
}

// UnmarshalJSON is only called when the field is present, null included.
func (n *nullableID) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.ID = nil
		return nil
	}
	var id int64
	if err := json.Unmarshal(b, &id); err != nil || id <= 0 {
		return models.Errorf(models.EINVALID, "assigned_to must be a staff id or null")
	}
	n.ID = &id
	return nil
}

// pathID reads the :id path parameter. Anything but a positive integer
// cannot name a conversation, so it is not_found like an unknown id.
func pathID(c *gin.Context) (int64, error) {
	raw := c.Param("id")
	id, ok := models.ParseID(raw)
	if !ok {
		return 0, models.Errorf(models.ENOTFOUND, "conversation %s not found", strconv.Quote(truncate(raw, 40)))
	}
	return id, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// errf is a shorthand for an invalid-request error.
func errf(format string, args ...any) error {
	return models.Errorf(models.EINVALID, "%s", fmt.Sprintf(format, args...))
}

// lastSeen is a send's stale-reply guard when the request carried one.
func lastSeen(id *int64) []inbox.SendOption {
	if id == nil {
		return nil
	}
	return []inbox.SendOption{inbox.LastSeen(*id)}
}
