package inbox

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/parleyhq/parley/models"
)

// countShards spreads a day's count of new conversations over this many
// rows, so concurrent starts do not queue on one row.
const countShards = 16

// firstResponse stamps, on the locked conversation c before it is saved
// (SaveConversation writes the stamp in the same UPDATE), its first public
// staff reply m, and reports whether m is that reply. Conversations started
// by staff (R5) are stamped at their start: no customer waited.
func firstResponse(a models.Actor, c *models.Conversation, m models.Message) bool {
	if !a.IsStaff() || !m.Public || c.FirstResponseAt != nil {
		return false
	}
	at := m.CreatedAt
	c.FirstResponseAt = &at
	return true
}

// countFirstResponse counts a first response's wait in the day's histogram
// under the replier.
func (s *Service) countFirstResponse(ctx context.Context, tx *models.Tx, a models.Actor, c models.Conversation) error {
	at := *c.FirstResponseAt
	return s.countDuration(ctx, tx, models.MetricFirstResponse, a.ID, at, at.Sub(c.CreatedAt))
}

// resolved stamps a conversation's first RESOLVED or CLOSED and, the first
// time, counts its age in the day's histogram under its assignee.
func (s *Service) resolved(ctx context.Context, tx *models.Tx, c models.Conversation) error {
	if c.Status != models.StatusResolved && c.Status != models.StatusClosed {
		return nil
	}
	now := s.now()
	first, err := tx.StampResolved(ctx, c.ID, now)
	if err != nil || !first {
		return err
	}
	var who int64
	if c.AssignedTo != nil {
		who = *c.AssignedTo
	}
	return s.countDuration(ctx, tx, models.MetricResolution, who, now, now.Sub(c.CreatedAt))
}

// started counts a conversation a customer started (or a follow-up their
// message opened) in the day's count; staff outreach (R5) is stamped as
// answered instead.
func (s *Service) started(ctx context.Context, tx *models.Tx, a models.Actor, c models.Conversation) error {
	if a.IsStaff() {
		_, err := tx.StampFirstResponse(ctx, c.ID, c.CreatedAt)
		return err
	}
	loc, err := s.location(ctx, tx)
	if err != nil {
		return err
	}
	return tx.CountMetric(ctx, models.Day(c.CreatedAt, loc), models.MetricConversations, 0, rand.IntN(countShards))
}

func (s *Service) countDuration(ctx context.Context, tx *models.Tx, metric string, staffID int64, at time.Time, d time.Duration) error {
	loc, err := s.location(ctx, tx)
	if err != nil {
		return err
	}
	return tx.CountMetric(ctx, models.Day(at, loc), metric, staffID, models.DurationBucket(d))
}

func (s *Service) location(ctx context.Context, tx *models.Tx) (*time.Location, error) {
	set, err := tx.Settings(ctx)
	if err != nil {
		return nil, err
	}
	return set.Location(), nil
}

// MaxMetricsDays bounds a dashboard period.
const MaxMetricsDays = 366

// Period is a run of whole days in the store's time zone, From to To
// inclusive ("2006-01-02").
type Period struct{ From, To string }

// LastDays is the period of the n days up to and including today.
func LastDays(now time.Time, loc *time.Location, n int) Period {
	today := now.In(loc)
	return Period{From: today.AddDate(0, 0, -(n - 1)).Format(time.DateOnly), To: today.Format(time.DateOnly)}
}

// RecentDays is the period of the n days up to and including today in the
// store's time zone.
func (s *Service) RecentDays(ctx context.Context, n int) (Period, error) {
	if n < 1 || n > MaxMetricsDays {
		return Period{}, models.Errorf(models.EINVALID, "a period is 1 to %d days", MaxMetricsDays)
	}
	set, err := s.store.Settings(ctx)
	if err != nil {
		return Period{}, err
	}
	return LastDays(s.now(), set.Location(), n), nil
}

// ParsePeriod checks a period given as two dates: both plain dates, From
// not after To, at most MaxMetricsDays long.
func ParsePeriod(from, to string) (Period, error) {
	f, err1 := time.Parse(time.DateOnly, from)
	t, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil {
		return Period{}, models.Errorf(models.EINVALID, "from and to must be dates such as 2026-01-31")
	}
	if t.Before(f) {
		return Period{}, models.Errorf(models.EINVALID, "from must not be after to")
	}
	if days := int(t.Sub(f).Hours()/24) + 1; days > MaxMetricsDays {
		return Period{}, models.Errorf(models.EINVALID, "a period is at most %d days; this one is %d", MaxMetricsDays, days)
	}
	return Period{From: from, To: to}, nil
}

// Days lists the period's days in order.
func (p Period) Days() []string {
	f, _ := time.Parse(time.DateOnly, p.From)
	t, _ := time.Parse(time.DateOnly, p.To)
	var out []string
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}

// Durations summarises a histogram of durations.
type Durations struct {
	Count         int64         `json:"count"`
	Median        time.Duration `json:"-"`
	P90           time.Duration `json:"-"`
	MedianSeconds int64         `json:"median_seconds"`
	P90Seconds    int64         `json:"p90_seconds"`
}

// AgentLoad is one staff member's open assigned conversations.
type AgentLoad struct {
	StaffID int64  `json:"staff_id"`
	Name    string `json:"name"`
	Open    int64  `json:"open"`
}

// DayFigures are one step's figures for the charts: a day's, or a week's
// (Day is then the week's first day in the period: its Monday, or the
// period's first day).
type DayFigures struct {
	Day                 string `json:"day"`
	Conversations       int64  `json:"conversations"`
	FirstResponseMedian int64  `json:"first_response_median_seconds"`
}

// Dashboard is what the dashboard and GET /api/v1/staff/metrics show, in
// the caller's scope: an agent sees the conversations they may see and
// their own timings; chat admins and up see the whole store.
type Dashboard struct {
	Period         Period
	Scoped         bool // an agent's view
	Open           int64
	AwaitingAdmin  int64
	AwaitingUser   int64
	Unassigned     int64
	Escalated      int64
	MessagesToday  int64
	MonthlyUsed    int64
	MonthlyCap     int // -1 = unlimited
	FirstResponse  Durations
	Resolution     Durations
	Conversations  int64 // started by customers in the period
	Load           []AgentLoad
	Days           []DayFigures // one per step of the charts
	Step           string       // "day", or "week" for periods over MaxDailySeriesDays
	GeneratedAt    time.Time
	StoreZone      string
	StoreTodayFrom time.Time
}

// Metrics computes the dashboard over a period (zero: the last 30 days).
func (s *Service) Metrics(ctx context.Context, a models.Actor, p Period) (Dashboard, error) {
	if !a.IsStaff() {
		return Dashboard{}, models.Errorf(models.EFORBIDDEN, "only staff see the dashboard")
	}
	set, err := s.store.Settings(ctx)
	if err != nil {
		return Dashboard{}, err
	}
	loc := set.Location()
	now := s.now()
	if p == (Period{}) {
		p = LastDays(now, loc, 30)
	}
	d := Dashboard{Period: p, MonthlyCap: set.MaxCustomerMessagesPerMonth, GeneratedAt: now, StoreZone: loc.String()}
	// R6: the counts cover what the caller may read; the timings of a
	// caller who may not read everything are their own.
	where, args := s.pol.Scope(a)
	sc := models.Scope{Where: where, Args: args}
	var me *int64
	if where != "1=1" {
		d.Scoped = true
		id := a.ID
		me = &id
	}
	live, err := s.store.CountLive(ctx, sc)
	if err != nil {
		return d, err
	}
	d.Open = live.ByStatus[models.StatusOpen]
	d.AwaitingAdmin = live.ByStatus[models.StatusAwaitingAdmin]
	d.AwaitingUser = live.ByStatus[models.StatusAwaitingUser]
	d.Escalated = live.ByStatus[models.StatusEscalated]
	d.Unassigned = live.Unassigned
	names, err := s.StaffNames(ctx, a)
	if err != nil {
		return d, err
	}
	for id, n := range live.Load {
		d.Load = append(d.Load, AgentLoad{StaffID: id, Name: names[id], Open: n})
	}
	slices.SortFunc(d.Load, func(x, y AgentLoad) int {
		if x.Open != y.Open {
			return int(y.Open - x.Open)
		}
		return int(x.StaffID - y.StaffID)
	})
	y, mo, dd := now.In(loc).Date()
	d.StoreTodayFrom = time.Date(y, mo, dd, 0, 0, 0, 0, loc)
	if d.MessagesToday, err = s.store.CountMessagesBetween(ctx, d.StoreTodayFrom.UTC(), d.StoreTodayFrom.AddDate(0, 0, 1).UTC(), sc); err != nil {
		return d, err
	}
	used, err := s.store.MonthlyCustomerMessages(ctx, models.MonthOf(now, loc))
	if err != nil {
		return d, err
	}
	d.MonthlyUsed = int64(used)

	// The charts: per day, or per week over long periods.
	days := p.Days()
	weekly := len(days) > MaxDailySeriesDays
	d.Step = "day"
	if weekly {
		d.Step = "week"
	}
	step := map[string]*DayFigures{}
	for i, day := range days {
		if t, _ := time.Parse(time.DateOnly, day); !weekly || i == 0 || t.Weekday() == time.Monday {
			d.Days = append(d.Days, DayFigures{Day: day})
		}
	}
	for i := range d.Days {
		step[d.Days[i].Day] = &d.Days[i]
	}
	// First response: its chart's steps add up to the period's histogram,
	// so one read serves both.
	fr, err := s.store.MetricSteps(ctx, models.MetricFirstResponse, p.From, p.To, me, weekly)
	if err != nil {
		return d, err
	}
	hists := make([][]models.BucketCount, 0, len(fr))
	for _, st := range fr {
		hists = append(hists, st.Buckets)
		if f, ok := step[st.Start]; ok {
			f.FirstResponseMedian = summarize(st.Buckets).MedianSeconds
		}
	}
	d.FirstResponse = summarize(models.MergeHistograms(hists...))
	// Resolution: the period's histogram is the sum of the same steps (the
	// steps' shape keeps a short period to one range read in index order).
	res, err := s.store.MetricSteps(ctx, models.MetricResolution, p.From, p.To, me, weekly)
	if err != nil {
		return d, err
	}
	hists = hists[:0]
	for _, st := range res {
		hists = append(hists, st.Buckets)
	}
	d.Resolution = summarize(models.MergeHistograms(hists...))
	if !d.Scoped { // new conversations are the store's, not an agent's
		conv, err := s.store.MetricSteps(ctx, models.MetricConversations, p.From, p.To, nil, weekly)
		if err != nil {
			return d, err
		}
		for _, st := range conv {
			for _, b := range st.Buckets {
				d.Conversations += b.N
				if f, ok := step[st.Start]; ok {
					f.Conversations += b.N
				}
			}
		}
	}
	return d, nil
}

// MaxDailySeriesDays is the longest period charted per day; longer ones
// are charted per week.
const MaxDailySeriesDays = 31

// summarize reads the median and p90 off a histogram in bucket order.
func summarize(hist []models.BucketCount) Durations {
	var out Durations
	for _, c := range hist {
		out.Count += c.N
	}
	if out.Count == 0 {
		return out
	}
	at := func(q float64) time.Duration {
		rank := int64(q*float64(out.Count-1)) + 1 // the rank-th smallest, 1-based
		var seen int64
		for _, c := range hist {
			seen += c.N
			if seen >= rank {
				return models.BucketDuration(c.Bucket)
			}
		}
		return models.BucketDuration(hist[len(hist)-1].Bucket)
	}
	out.Median, out.P90 = at(0.5), at(0.9)
	out.MedianSeconds, out.P90Seconds = int64(out.Median.Seconds()), int64(out.P90.Seconds())
	return out
}

// String formats a duration for people: "42s", "7m", "3h 20m", "2d 4h".
func HumanDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}
