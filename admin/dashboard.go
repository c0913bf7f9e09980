package admin

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	gatemplate "github.com/GoAdminGroup/go-admin/template"
	"github.com/GoAdminGroup/go-admin/template/chartjs"
	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
	"github.com/parleyhq/parley/templates"
)

// dashboardPeriods are the periods the dashboard offers, in days.
var dashboardPeriods = []int{7, 30, 90, 365}

// useCharts registers GoAdmin's Chart.js component, so its script is part
// of the layout's assets (once per process: GoAdmin keeps components in a
// global registry).
func useCharts() {
	if !slices.Contains(gatemplate.GetComponentAsset(), chartjs.AssetsList[0]) {
		gatemplate.AddComp(chartjs.NewChart())
	}
}

// dashboard is GET /admin/dashboard: the inbox's figures in the caller's
// scope over a period (?days=7|30|90|365, or ?from=&to= dates), each number
// a link to the list behind it.
func (g *guard) dashboard(c *gin.Context) (types.Panel, error) {
	a, _ := tables.ActorFrom(c.Request.Context())
	q := c.Request.URL.Query()
	days := 30
	var p inbox.Period
	var problem string
	switch {
	case q.Get("from") != "" || q.Get("to") != "":
		var err error
		if p, err = inbox.ParsePeriod(q.Get("from"), q.Get("to")); err != nil {
			problem, days = models.AsError(err).Message, 0
			p = inbox.Period{}
		} else {
			days = 0
		}
	case q.Get("days") != "":
		n, err := strconv.Atoi(q.Get("days"))
		if err != nil || !slices.Contains(dashboardPeriods, n) {
			problem = "Choose a period of 7, 30, 90 or 365 days."
		} else {
			days = n
		}
	}
	if days > 0 {
		var err error
		if p, err = g.svc.RecentDays(c.Request.Context(), days); err != nil {
			return g.failedPanel(c, "dashboard period", err, "The dashboard could not be loaded. Please try again."), nil
		}
	}
	d, err := g.svc.Metrics(c.Request.Context(), a, p)
	if err != nil {
		return g.failedPanel(c, "dashboard", err, "The dashboard could not be loaded. Please try again."), nil
	}
	if problem != "" {
		c.Set(ctxStatus, http.StatusBadRequest)
	}
	page, err := dashboardPage(d, days, problem)
	if err != nil {
		return g.failedPanel(c, "dashboard page", err, "The dashboard could not be shown. Please try again."), nil
	}
	page.Failures = g.dashboardFailures(c, a)
	html, err := templates.Dashboard(page)
	if err != nil {
		return g.failedPanel(c, "render dashboard", err, "The dashboard could not be shown. Please try again."), nil
	}
	return types.Panel{Title: "Dashboard", Description: template.HTML(template.HTMLEscapeString(page.Scope)), Content: html}, nil
}

// failedPanel logs an internal failure and shows Parley's error panel.
func (g *guard) failedPanel(c *gin.Context, what string, err error, msg string) types.Panel {
	if e := models.AsError(err); e != nil && e.Code != models.EINTERNAL {
		c.Set(ctxStatus, models.HTTPStatus(e.Code))
		return g.errorPanel(e.Message)
	}
	g.log.Error(what, "err", err)
	c.Set(ctxStatus, http.StatusInternalServerError)
	return g.errorPanel(msg)
}

// listLink is the conversation list filtered by params.
func listLink(params ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		v.Add(params[i], params[i+1])
	}
	return "/admin/info/" + tables.ConversationTable + "?" + v.Encode()
}

func dashboardPage(d inbox.Dashboard, days int, problem string) (templates.DashboardPage, error) {
	scope := "The whole store"
	if d.Scoped {
		scope = "Your conversations and the unassigned ones"
	}
	page := templates.DashboardPage{
		Scope: scope, Problem: problem, Days: days, Periods: dashboardPeriods, From: d.Period.From, To: d.Period.To,
		Zone: d.StoreZone,
		Tiles: []templates.DashboardTile{
			{Label: "Open", Help: "New, no staff reply yet", Value: d.Open, Link: listLink(tables.FilterStatus, string(models.StatusOpen)), Color: "bg-aqua"},
			{Label: "Awaiting admin", Help: "The customer spoke last", Value: d.AwaitingAdmin, Link: listLink(tables.FilterStatus, string(models.StatusAwaitingAdmin)), Color: "bg-yellow"},
			{Label: "Unassigned", Help: "Still being worked on, nobody has it", Value: d.Unassigned, Link: listLink(tables.FilterAssigned, "none"), Color: "bg-red"},
			{Label: "Escalated", Help: "Handed to admins", Value: d.Escalated, Link: listLink(tables.FilterStatus, string(models.StatusEscalated)), Color: "bg-purple"},
			{Label: "Messages today", Help: "Replies both ways since midnight", Value: d.MessagesToday, Link: listLink(), Color: "bg-green"},
		},
		FirstResponse: templates.DurationFigures{Count: d.FirstResponse.Count,
			Median: inbox.HumanDuration(d.FirstResponse.Median), P90: inbox.HumanDuration(d.FirstResponse.P90)},
		Resolution: templates.DurationFigures{Count: d.Resolution.Count,
			Median: inbox.HumanDuration(d.Resolution.Median), P90: inbox.HumanDuration(d.Resolution.P90)},
		Conversations: d.Conversations,
		ShowStore:     !d.Scoped,
		MonthlyUsed:   d.MonthlyUsed,
		MonthlyCap:    d.MonthlyCap,
		Step:          d.Step,
	}
	if d.MonthlyCap > 0 {
		page.MonthlyPercent = min(100, int(d.MonthlyUsed*100/int64(d.MonthlyCap)))
	}
	for _, l := range d.Load {
		name := l.Name
		if name == "" {
			name = "#" + strconv.FormatInt(l.StaffID, 10)
		}
		page.Load = append(page.Load, templates.DashboardLoad{Name: name, Open: l.Open,
			Link: listLink(tables.FilterAssigned, strconv.FormatInt(l.StaffID, 10))})
	}
	chart := struct {
		Days          []string `json:"days"`
		Conversations []int64  `json:"conversations"`
		FirstResponse []int64  `json:"first_response_minutes"`
	}{}
	for _, f := range d.Days {
		chart.Days = append(chart.Days, f.Day)
		chart.Conversations = append(chart.Conversations, f.Conversations)
		chart.FirstResponse = append(chart.FirstResponse, f.FirstResponseMedian/60)
	}
	b, err := json.Marshal(chart)
	if err != nil {
		return page, err
	}
	page.ChartJSON = template.JS(b)
	return page, nil
}
