package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
)

// metricsView is GET /api/v1/staff/metrics: the dashboard's numbers.
type metricsView struct {
	From          string             `json:"from"`
	To            string             `json:"to"`
	TimeZone      string             `json:"time_zone"`
	Scoped        bool               `json:"scoped"`
	Open          int64              `json:"open"`
	AwaitingAdmin int64              `json:"awaiting_admin"`
	AwaitingUser  int64              `json:"awaiting_user"`
	Unassigned    int64              `json:"unassigned"`
	Escalated     int64              `json:"escalated"`
	MessagesToday int64              `json:"messages_today"`
	MonthlyUsed   *int64             `json:"monthly_customer_messages,omitempty"`
	MonthlyCap    *int               `json:"max_customer_messages_per_month,omitempty"`
	Conversations *int64             `json:"conversations_started,omitempty"`
	FirstResponse inbox.Durations    `json:"first_response"`
	Resolution    inbox.Durations    `json:"resolution"`
	Load          []inbox.AgentLoad  `json:"load"`
	Days          []inbox.DayFigures `json:"days"`
	Step          string             `json:"step"`
	GeneratedAt   string             `json:"generated_at"`
}

// staffMetrics is GET /staff/metrics?from=YYYY-MM-DD&to=YYYY-MM-DD (both or
// neither; neither is the last 30 days), in the caller's scope.
func (a *API) staffMetrics(c *gin.Context) {
	q, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		writeError(c, errf("query string is malformed"))
		return
	}
	for name, vs := range q {
		if name != "from" && name != "to" {
			writeError(c, errf("unknown query parameter %s", strconv.Quote(truncate(name, 40))))
			return
		}
		if len(vs) > 1 {
			writeError(c, errf("query parameter %s is given more than once", name))
			return
		}
	}
	var p inbox.Period
	switch from, to := q.Get("from"), q.Get("to"); {
	case from == "" && to == "":
		p, err = a.svc.RecentDays(c.Request.Context(), 30)
	default:
		p, err = inbox.ParsePeriod(from, to)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	d, err := a.svc.Metrics(c.Request.Context(), actor(c), p)
	if err != nil {
		writeError(c, err)
		return
	}
	v := metricsView{From: d.Period.From, To: d.Period.To, TimeZone: d.StoreZone, Scoped: d.Scoped,
		Open: d.Open, AwaitingAdmin: d.AwaitingAdmin, AwaitingUser: d.AwaitingUser, Unassigned: d.Unassigned,
		Escalated: d.Escalated, MessagesToday: d.MessagesToday, FirstResponse: d.FirstResponse, Resolution: d.Resolution,
		Load: d.Load, Days: d.Days, Step: d.Step, GeneratedAt: d.GeneratedAt.UTC().Format(time.RFC3339)}
	if v.Load == nil {
		v.Load = []inbox.AgentLoad{}
	}
	if !d.Scoped {
		v.MonthlyUsed, v.MonthlyCap, v.Conversations = &d.MonthlyUsed, &d.MonthlyCap, &d.Conversations
	}
	c.JSON(http.StatusOK, v)
}
