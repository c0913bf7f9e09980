// Package templates holds Parley's own HTML pages of the back office,
// rendered inside GoAdmin's layout (menu, session and theme stay GoAdmin's).
// Each page has a typed struct and a constant template name; templates are
// html/template, so every value is escaped.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
)

//go:embed *.html
var files embed.FS

// Template names.
const (
	ProfileTemplate = "profile.html"
	ErrorTemplate   = "error.html"
	// LoginTemplate is the back office's sign-in page, a whole page that
	// GoAdmin executes itself with its login data (.Title, .UrlPrefix).
	LoginTemplate = "login.html"
)

var pages = template.Must(template.ParseFS(files, "*.html"))

// ProfilePage is the staff member's own profile: who they are and the form
// to change their password.
type ProfilePage struct {
	Name, Username, Role, Email string
	// PasswordAction is where the change-password form posts.
	PasswordAction string
	// Notice is a success message, Error a refusal's message; at most one.
	Notice, Error string
	// EmailNotifications is the new-message e-mail preference; EmailAction
	// is where its form posts (R19).
	EmailNotifications bool
	EmailAction        string
}

// ErrorPage is Parley's own error panel inside GoAdmin's layout.
type ErrorPage struct {
	Title, Message string
}

// Login is the parsed template set holding LoginTemplate.
func Login() *template.Template { return pages }

// Profile renders the profile page.
func Profile(p ProfilePage) (template.HTML, error) { return render(ProfileTemplate, p) }

// Error renders an error panel.
func Error(p ErrorPage) (template.HTML, error) { return render(ErrorTemplate, p) }

func render(name string, data any) (template.HTML, error) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return template.HTML(b.String()), nil
}

// DashboardTemplate is the back office's dashboard.
const DashboardTemplate = "dashboard.html"

// DashboardPage is the dashboard: live tiles, timings over a period, the
// monthly cap, per-agent load and the charts' data (per day or per week).
type DashboardPage struct {
	Scope, Problem string
	Days           int // the chosen period in days; 0 for a from–to period
	Periods        []int
	From, To, Zone string
	Tiles          []DashboardTile
	FirstResponse  DurationFigures
	Resolution     DurationFigures
	Conversations  int64
	ShowStore      bool // store-wide figures (new conversations, the monthly cap)
	MonthlyUsed    int64
	MonthlyCap     int // -1 unlimited
	MonthlyPercent int
	Load           []DashboardLoad
	Step           string             // the charts' step: "day", or "week" over long periods
	ChartJSON      template.JS        // {"days":[…],"conversations":[…],"first_response_minutes":[…]}; days are each step's first day
	Failures       *DashboardFailures // chat administrators and up; nil hides the card
}

// DashboardFailures is the dashboard's card of job and e-mail failures:
// Asynq's failed and retrying tasks per queue (its inspector), and
// e-mails given up or waiting for a retry.
type DashboardFailures struct {
	Jobs        bool   // a job queue is configured
	JobsProblem string // the queue could not be read
	Queues      []DashboardQueue
	// Totals over the queues.
	Retrying, Archived, FailedToday, Failed7d int
	EmailGaveUp24h, EmailGaveUp7d             int64
	EmailRetrying                             int64
	JobsLink                                  string
	EmailLink                                 string // the list of failed e-mails (admins; empty for others)
}

// DashboardQueue is one Asynq queue with something failing.
type DashboardQueue struct {
	Name                                      string
	Retrying, Archived, FailedToday, Failed7d int
}

// DashboardTile is one live number and the list behind it.
type DashboardTile struct {
	Label, Help, Link, Color string
	Value                    int64
}

// DurationFigures summarise durations for people.
type DurationFigures struct {
	Count       int64
	Median, P90 string
}

// DashboardLoad is one staff member's open assigned conversations.
type DashboardLoad struct {
	Name, Link string
	Open       int64
}

// Dashboard renders the dashboard.
func Dashboard(p DashboardPage) (template.HTML, error) { return render(DashboardTemplate, p) }
