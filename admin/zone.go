package admin

import (
	"context"
	"time"
)

// storeZone is the store's time zone (settings' time_zone, UTC when unset
// or unreadable): the staff pages show times in it, the zone named, as
// the dashboard does.
func (g *guard) storeZone(ctx context.Context) *time.Location {
	st, err := g.svc.PageSettings(ctx)
	if err != nil {
		g.log.Warn("store time zone", "err", err)
		return time.UTC
	}
	return st.Location()
}

// inZone formats t in loc with the zone's abbreviation (layout + " MST").
func inZone(t time.Time, loc *time.Location, layout string) string {
	return t.In(loc).Format(layout + " MST")
}

// zoneLabel names a zone for a column heading: its IANA name.
func zoneLabel(loc *time.Location) string { return loc.String() }
