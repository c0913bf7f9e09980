package admin

import (
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynq"

	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/templates"
)

// jobInspector is what the dashboard's failure card reads of the job
// queue (asynq.Inspector).
type jobInspector interface {
	Queues() ([]string, error)
	GetQueueInfo(queue string) (*asynq.QueueInfo, error)
	History(queue string, n int) ([]*asynq.DailyStats, error)
}

// atLeast reports whether a staff role is role or above it.
func atLeast(have, role string) bool {
	i := slices.Index(models.StaffRoles, have)
	return i >= 0 && i <= slices.Index(models.StaffRoles, role)
}

// dashboardFailures is the failure card for chat administrators and up
// (nil for agents): Asynq's retrying, given-up and failed tasks per queue,
// and the e-mails given up or waiting for a retry. A queue that cannot be
// read shows as a problem in the card, never fails the dashboard.
func (g *guard) dashboardFailures(c *gin.Context, a models.Actor) *templates.DashboardFailures {
	if !a.IsStaff() || !atLeast(a.Role, models.RoleChatAdmin) {
		return nil
	}
	f := &templates.DashboardFailures{JobsLink: JobsPath}
	if atLeast(a.Role, models.RoleAdmin) {
		f.EmailLink = MailboxPath
	}
	if insp := g.jobs; insp != nil {
		f.Jobs = true
		if err := jobFailures(insp, f); err != nil {
			g.log.Error("dashboard: job queue", "err", err)
			f.JobsProblem = "The job queue could not be read (is Redis up?)."
		}
	}
	e, err := g.svc.EmailFailureCounts(c.Request.Context(), a)
	if err != nil {
		g.log.Error("dashboard: failed e-mails", "err", err)
	}
	f.EmailGaveUp24h, f.EmailGaveUp7d, f.EmailRetrying = e.GaveUp24h, e.GaveUp7d, e.Retrying
	return f
}

func jobFailures(insp jobInspector, f *templates.DashboardFailures) error {
	queues, err := insp.Queues()
	if err != nil {
		return err
	}
	slices.Sort(queues)
	for _, q := range queues {
		info, err := insp.GetQueueInfo(q)
		if err != nil {
			return err
		}
		row := templates.DashboardQueue{Name: q, Retrying: info.Retry, Archived: info.Archived, FailedToday: info.Failed}
		days, err := insp.History(q, 7)
		if err != nil {
			return err
		}
		for _, d := range days {
			row.Failed7d += d.Failed
		}
		f.Retrying += row.Retrying
		f.Archived += row.Archived
		f.FailedToday += row.FailedToday
		f.Failed7d += row.Failed7d
		if row.Retrying+row.Archived+row.Failed7d > 0 {
			f.Queues = append(f.Queues, row)
		}
	}
	return nil
}
