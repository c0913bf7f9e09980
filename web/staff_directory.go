package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
)

// The staff API's plain tables: GET customers?q= (the customer directory),
// GET blocks and DELETE blocks/{id}, GET audit. Lists page by cursor (the
// last id shown); "next_cursor" is null at the end.

// directoryQuery reads a query string strictly: only the keys allowed, each
// at most once, valid UTF-8, at most 2,000 bytes.
func directoryQuery(raw string, allowed ...string) (url.Values, error) {
	if len(raw) > 2000 {
		return nil, errf("query string too long")
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return nil, errf("malformed query string")
	}
	for k, vs := range v {
		known := false
		for _, a := range allowed {
			known = known || k == a
		}
		if !known {
			return nil, errf("unknown query parameter %q (want %s)", k, strings.Join(allowed, ", "))
		}
		if len(vs) > 1 {
			return nil, errf("query parameter %q given more than once", k)
		}
		if !utf8.ValidString(vs[0]) {
			return nil, errf("query parameter %q is not valid UTF-8", k)
		}
	}
	return v, nil
}

// cursorParam reads "cursor": a plain decimal id, or none.
func cursorParam(v url.Values) (int64, error) {
	s := v.Get("cursor")
	if s == "" {
		return 0, nil
	}
	id, ok := models.ParseID(s)
	if !ok {
		return 0, errf("cursor must be a positive decimal id")
	}
	return id, nil
}

// nextCursor is the cursor of the page after a full one.
func nextCursor(n int, lastID int64) *string {
	if n < models.DirectoryPageSize {
		return nil
	}
	s := strconv.FormatInt(lastID, 10)
	return &s
}

type directoryCustomer struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	IsGuest   bool      `json:"is_guest"`
	CreatedAt time.Time `json:"created_at"`
}

// staffCustomers is GET /staff/customers?q=&cursor=: with q, the first
// matches by name or e-mail prefix or order number (no next page); without,
// every customer newest first.
func (a *API) staffCustomers(c *gin.Context) {
	v, err := directoryQuery(c.Request.URL.RawQuery, "q", "cursor")
	if err != nil {
		writeError(c, err)
		return
	}
	before, err := cursorParam(v)
	if err != nil {
		writeError(c, err)
		return
	}
	list, err := a.svc.CustomerSearch(c.Request.Context(), actor(c), v.Get("q"), before)
	if err != nil {
		writeError(c, err)
		return
	}
	out := make([]directoryCustomer, 0, len(list))
	for _, cu := range list {
		out = append(out, directoryCustomer{ID: cu.ID, Email: cu.Email, Name: cu.Name, IsGuest: cu.IsGuest, CreatedAt: cu.CreatedAt})
	}
	var next *string
	if strings.TrimSpace(v.Get("q")) == "" && len(list) > 0 {
		next = nextCursor(len(list), list[len(list)-1].ID)
	}
	c.JSON(http.StatusOK, gin.H{"customers": out, "next_cursor": next})
}

type directoryBlock struct {
	ID            int64     `json:"id"`
	CustomerID    *int64    `json:"customer_id"`
	CustomerName  string    `json:"customer_name"`
	CustomerEmail string    `json:"customer_email"`
	Email         string    `json:"email"`
	IP            string    `json:"ip"`
	Reason        string    `json:"reason"`
	CreatedBy     int64     `json:"created_by"`
	CreatedByName string    `json:"created_by_name"`
	CreatedAt     time.Time `json:"created_at"`
}

// staffBlocks is GET /staff/blocks?cursor=.
func (a *API) staffBlocks(c *gin.Context) {
	v, err := directoryQuery(c.Request.URL.RawQuery, "cursor")
	if err != nil {
		writeError(c, err)
		return
	}
	before, err := cursorParam(v)
	if err != nil {
		writeError(c, err)
		return
	}
	list, err := a.svc.Blocks(c.Request.Context(), actor(c), before)
	if err != nil {
		writeError(c, err)
		return
	}
	out := make([]directoryBlock, 0, len(list))
	var last int64
	for _, b := range list {
		out = append(out, directoryBlock{ID: b.ID, CustomerID: b.CustomerID, CustomerName: b.CustomerName, CustomerEmail: b.CustomerEmail,
			Email: b.Email, IP: b.IP, Reason: b.Reason, CreatedBy: b.CreatedBy, CreatedByName: b.CreatedByName, CreatedAt: b.CreatedAt})
		last = b.ID
	}
	c.JSON(http.StatusOK, gin.H{"blocks": out, "next_cursor": nextCursor(len(list), last)})
}

// staffUnblock is DELETE /staff/blocks/{id} (R13, audited by the service).
func (a *API) staffUnblock(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		writeError(c, err)
		return
	}
	if err := a.svc.Unblock(c.Request.Context(), actor(c), id); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type directoryAudit struct {
	ID          int64           `json:"id"`
	ActorType   string          `json:"actor_type"`
	ActorID     int64           `json:"actor_id"`
	Actor       string          `json:"actor"`
	Action      string          `json:"action"`
	SubjectType string          `json:"target_type"`
	SubjectID   int64           `json:"target_id"`
	Before      json.RawMessage `json:"before"`
	After       json.RawMessage `json:"after"`
	CreatedAt   time.Time       `json:"created_at"`
}

// rawJSON passes stored JSON through, or null when there is none.
func rawJSON(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

// parseAuditFilter reads GET audit's query: actor, action, target (a type,
// or type:id), from and to (RFC 3339 or YYYY-MM-DD, UTC; to exclusive),
// cursor.
func parseAuditFilter(raw string) (models.AuditFilter, error) {
	var f models.AuditFilter
	v, err := directoryQuery(raw, "actor", "action", "target", "from", "to", "cursor")
	if err != nil {
		return f, err
	}
	if f.Before, err = cursorParam(v); err != nil {
		return f, err
	}
	f.Actor, f.Action = strings.TrimSpace(v.Get("actor")), strings.TrimSpace(v.Get("action"))
	if t := strings.TrimSpace(v.Get("target")); t != "" {
		typ, id, hasID := strings.Cut(t, ":")
		f.SubjectType = typ
		if hasID {
			n, ok := models.ParseID(id)
			if !ok {
				return f, errf("target must be a type or type:id (e.g. conversation:42)")
			}
			f.SubjectID = n
		}
	}
	for _, p := range []struct {
		key string
		dst *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		s := strings.TrimSpace(v.Get(p.key))
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t, err = time.Parse("2006-01-02", s)
		}
		if err != nil || t.Year() < 1970 || t.Year() > 9999 {
			return f, errf("%s must be a date (YYYY-MM-DD) or an RFC 3339 time", p.key)
		}
		*p.dst = t.UTC()
	}
	return f, nil
}

// staffAudit is GET /staff/audit?actor=&action=&target=&from=&to=&cursor=.
func (a *API) staffAudit(c *gin.Context) {
	f, err := parseAuditFilter(c.Request.URL.RawQuery)
	if err != nil {
		writeError(c, err)
		return
	}
	list, err := a.svc.Audit(c.Request.Context(), actor(c), f)
	if err != nil {
		writeError(c, err)
		return
	}
	out := make([]directoryAudit, 0, len(list))
	var last int64
	for _, e := range list {
		out = append(out, directoryAudit{ID: e.ID, ActorType: string(e.ActorType), ActorID: e.ActorID, Actor: e.ActorName, Action: e.Action,
			SubjectType: e.SubjectType, SubjectID: e.SubjectID, Before: rawJSON(e.Before), After: rawJSON(e.After), CreatedAt: e.CreatedAt})
		last = e.ID
	}
	c.JSON(http.StatusOK, gin.H{"entries": out, "next_cursor": nextCursor(len(list), last)})
}
