package admin

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
)

// maxAdminBody bounds an /admin request body (a reply is at most 10,000
// characters).
const maxAdminBody = 1 << 20

// badKeys rejects the parameters GoAdmin turns into SQL or into another
// table: any key with _goadmin_join_ (hole 2), and __prefix /
// __goadmin_op_id, which shadow the route's own (hole 13); and a return
// address that is not a local list or thread path (hole 5: GoAdmin reads
// it from the query string too, before the form).
func badKeys(v url.Values) string {
	for k := range v {
		lk := strings.ToLower(k)
		if strings.Contains(lk, "_goadmin_join_") || strings.Contains(lk, "__prefix") || strings.Contains(lk, "__goadmin_op_id") {
			return "parameter not allowed"
		}
	}
	if !validPrevious(v[previousKey]) {
		return "invalid return address"
	}
	return ""
}

// badQuery checks the raw query as well as its parsed keys, so no odd
// encoding slips a key past the check.
func badQuery(raw string) string {
	un, err := url.QueryUnescape(raw)
	if err != nil {
		return "invalid query"
	}
	lu := strings.ToLower(un)
	if strings.Contains(lu, "_goadmin_join_") || strings.Contains(lu, "__prefix") || strings.Contains(lu, "__goadmin_op_id") {
		return "parameter not allowed"
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "invalid query"
	}
	return badKeys(q)
}

// badForm checks a parsed body's keys like the query's.
func badForm(r *http.Request) string {
	if msg := badKeys(r.PostForm); msg != "" {
		return msg
	}
	if r.MultipartForm != nil {
		return badKeys(r.MultipartForm.Value)
	}
	return ""
}

// parseBody reads a bounded form body (urlencoded or multipart).
func parseBody(c *gin.Context) error {
	r := c.Request
	r.Body = http.MaxBytesReader(c.Writer, r.Body, maxAdminBody)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if mt == "multipart/form-data" {
		err = r.ParseMultipartForm(maxAdminBody)
	} else {
		err = r.ParseForm()
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return models.Errorf(models.ETOOLARGE, "the request is larger than %d bytes", maxAdminBody)
	case err != nil:
		return models.Errorf(models.EINVALID, "invalid form")
	}
	return nil
}

// list whitelists the list's sort parameters and clamps paging
// (holes 1, 3), then serves the page (list.go); the table's own data
// function whitelists them again.
func (g *guard) list(c *gin.Context, a models.Actor) {
	r := c.Request
	q := r.URL.Query()
	if v, ok := q["__sort"]; ok {
		if _, known := tables.SortKey(v[0]); len(v) != 1 || !known {
			g.fail(c, http.StatusBadRequest, "cannot sort by that column")
			return
		}
	}
	if v, ok := q["__sort_type"]; ok && (len(v) != 1 || !tables.IsSortType(v[0])) {
		g.fail(c, http.StatusBadRequest, "sort order must be asc or desc")
		return
	}
	// Filter values are the list's to read: it shows what is wrong with one
	// in the page (models.ParseConversationQuery), never a bare error.
	changed := false
	if v, ok := q["__pageSize"]; ok {
		n, _ := strconv.Atoi(v[0])
		q.Set("__pageSize", strconv.Itoa(tables.ClampPageSize(n)))
		changed = true
	}
	if v, ok := q["__page"]; ok {
		n, _ := strconv.Atoi(v[0])
		q.Set("__page", strconv.Itoa(tables.ClampPage(n)))
		changed = true
	}
	if changed {
		r.URL.RawQuery = q.Encode()
	}
	g.listPage(c, a)
}

// rowID reads one id from a single-valued parameter.
func rowID(v []string) (int64, bool) {
	if len(v) != 1 {
		return 0, false
	}
	return models.ParseID(v[0])
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
