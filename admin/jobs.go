package admin

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
)

// JobsPath is where the job monitor (asynqmon) lives: admins work with it,
// chat admins only look (its read-only mode, and the route table refuses
// them every POST and DELETE), agents get 403 — task payloads name
// conversations an agent may not see.
const JobsPath = "/admin/jobs"

// jobsMonitor serves asynqmon under JobsPath, in full or read-only mode by
// the caller's role, each with a Content-Security-Policy of its own that
// allows exactly its inline scripts (by hash) and nothing from elsewhere.
type jobsMonitor struct {
	full, readOnly       http.Handler
	fullCSP, readOnlyCSP string
}

func newJobsMonitor(opt asynq.RedisConnOpt) (*jobsMonitor, error) {
	m := &jobsMonitor{
		full:     asynqmon.New(asynqmon.Options{RootPath: JobsPath, RedisConnOpt: opt}),
		readOnly: asynqmon.New(asynqmon.Options{RootPath: JobsPath, RedisConnOpt: opt, ReadOnly: true}),
	}
	var err error
	if m.fullCSP, err = jobsCSP(m.full); err != nil {
		return nil, err
	}
	if m.readOnlyCSP, err = jobsCSP(m.readOnly); err != nil {
		return nil, err
	}
	return m, nil
}

var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// jobsCSP renders asynqmon's page once and allows its inline scripts by
// their hashes (they carry the root path and mode, fixed at start).
func jobsCSP(h http.Handler) (string, error) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, JobsPath, nil))
	if rec.Code != http.StatusOK {
		return "", fmt.Errorf("admin: job monitor page: status %d", rec.Code)
	}
	src := []string{"'self'"}
	for _, m := range inlineScript.FindAllStringSubmatch(rec.Body.String(), -1) {
		sum := sha256.Sum256([]byte(m[1]))
		src = append(src, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return "default-src 'self'; script-src " + strings.Join(src, " ") + "; style-src 'self' 'unsafe-inline'; " +
		"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; " +
		"form-action 'self'; frame-ancestors 'self'", nil
}

// serve answers a request the guard let through (route table: chat_admin
// and up; POST and DELETE admin and up).
func (m *jobsMonitor) serve(c *gin.Context) {
	a, ok := tables.ActorFrom(c.Request.Context())
	if !ok {
		c.AbortWithStatus(http.StatusUnauthorized)
		return
	}
	h, csp := m.readOnly, m.readOnlyCSP
	if i := slices.Index(models.StaffRoles, a.Role); i >= 0 && i <= slices.Index(models.StaffRoles, models.RoleAdmin) {
		h, csp = m.full, m.fullCSP
	}
	c.Header("Content-Security-Policy", csp)
	c.Header("Cache-Control", "no-store")
	h.ServeHTTP(c.Writer, c.Request)
	c.Abort()
}

func (m *jobsMonitor) register(r *gin.Engine) {
	r.GET(JobsPath, m.serve)
	r.GET(JobsPath+"/*rest", m.serve)
	r.POST(JobsPath+"/*rest", m.serve)
	r.DELETE(JobsPath+"/*rest", m.serve)
}
