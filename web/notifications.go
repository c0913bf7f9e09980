package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/models"
)

// MaxNotifications bounds one notifications list.
const MaxNotifications = 100

// notificationView is one line of GET …/notifications.
type notificationView struct {
	ID             int64         `json:"id"`
	Kind           string        `json:"kind"`
	ConversationID int64         `json:"conversation_id"`
	MessageID      int64         `json:"message_id"`
	Subject        string        `json:"subject"`
	Status         models.Status `json:"status"`
	Read           bool          `json:"read"`
	CreatedAt      time.Time     `json:"created_at"`
}

type notificationList struct {
	Unread int                `json:"unread"`
	Items  []notificationView `json:"items"`
}

// parseLimit reads ?limit= (1..MaxNotifications, plain decimal; default 20);
// any other parameter is refused.
func parseLimit(raw string) (int, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return 0, models.Errorf(models.EINVALID, "malformed query string")
	}
	limit := 20
	for k, v := range q {
		if k != "limit" || len(v) != 1 {
			return 0, models.Errorf(models.EINVALID, "unknown or repeated query parameter %q (only limit)", k)
		}
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > MaxNotifications || strconv.Itoa(n) != v[0] {
			return 0, models.Errorf(models.EINVALID, "limit must be a whole number from 1 to %d", MaxNotifications)
		}
		limit = n
	}
	return limit, nil
}

// notifications is GET /api/v1/staff/notifications (and the customer
// side's /api/v1/notifications): the caller's newest notifications and
// unread count.
func (a *API) notifications(c *gin.Context) {
	limit, err := parseLimit(c.Request.URL.RawQuery)
	if err != nil {
		writeError(c, err)
		return
	}
	items, unread, err := a.svc.Notifications(c.Request.Context(), actor(c), limit)
	if err != nil {
		writeError(c, err)
		return
	}
	out := notificationList{Unread: unread, Items: make([]notificationView, 0, len(items))}
	for _, n := range items {
		out.Items = append(out.Items, notificationView{ID: n.ID, Kind: n.Kind, ConversationID: n.ConversationID,
			MessageID: n.MessageID, Subject: n.Subject, Status: n.Status, Read: n.ReadAt != nil, CreatedAt: n.CreatedAt})
	}
	c.JSON(http.StatusOK, out)
}

// customerConversations is GET /api/v1/conversations: the list with each
// conversation's unread notification count (the customer's badges).
func (a *API) customerConversations(c *gin.Context) {
	me := actor(c)
	f, err := parseFilter(c.Request.URL.RawQuery, false, me.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	p, err := a.svc.List(c.Request.Context(), me, f)
	if err != nil {
		writeError(c, err)
		return
	}
	unread, err := a.svc.UnreadByConversation(c.Request.Context(), me)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf(p, func(conv models.Conversation) customerConversation {
		v := customerView(conv)
		v.Unread = unread[conv.ID]
		return v
	}))
}
