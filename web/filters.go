package web

import (
	"net/url"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// parseFilter reads a list's raw query string with the list parameters of
// models.ParseConversationQuery (the back-office list reads the same). me
// is the staff caller's id (assigned_to=me); customer lists (staff false)
// accept only status, unread, limit, cursor and before, and never see
// ESCALATED (models.Conversation.PublicStatus). The API is strict: an empty
// value is refused rather than read as "no filter". Every bad value is an
// invalid error naming the parameter.
func parseFilter(rawQuery string, staff bool, me int64) (models.ConversationFilter, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return models.ConversationFilter{}, errf("query string is malformed")
	}
	for name, vs := range q {
		for _, v := range vs {
			if v == "" {
				return models.ConversationFilter{}, errf("query parameter %s is empty", truncate(name, 40))
			}
		}
	}
	f, err := models.ParseConversationQuery(q, models.QueryOptions{Staff: staff, Me: me, MaxLimit: inbox.MaxPageSize})
	if err != nil {
		return f, err
	}
	if f.Limit == 0 {
		f.Limit = inbox.DefaultPageSize
	}
	return f, nil
}
