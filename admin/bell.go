package admin

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/GoAdminGroup/go-admin/template/types"
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/tables"
	"github.com/parleyhq/parley/templates"
)

// Paths of the bell, its list and the heartbeat.
const (
	NotificationsPath = "/admin/notifications"
	PresencePath      = "/admin/presence"
	EmailPrefPath     = "/admin/profile/email"
)

// bellScript runs on every page of GoAdmin's layout: it puts the bell with
// the unread count into the navbar, and sends the heartbeat that keeps the
// staff member online (R19: no e-mail while a back-office page is open),
// whose answer is the unread count and the Inbox menu's badge (unread
// conversations awaiting staff, in the caller's scope). Every 30 s, well
// inside the presence TTL of 60 s.
const bellScript = `<script>
(function () {
  var menu = document.querySelector('.navbar-custom-menu > .nav');
  if (!menu || document.getElementById('parley-bell')) { return; }
  var li = document.createElement('li');
  li.id = 'parley-bell';
  var a = document.createElement('a');
  a.href = '` + NotificationsPath + `';
  a.className = 'no-pjax';
  a.title = 'Notifications';
  a.setAttribute('aria-label', 'Notifications');
  var icon = document.createElement('i');
  icon.className = 'fa fa-bell-o';
  var badge = document.createElement('span');
  badge.id = 'parley-bell-count';
  badge.className = 'label label-warning';
  badge.style.display = 'none';
  a.appendChild(icon);
  a.appendChild(badge);
  li.appendChild(a);
  menu.insertBefore(li, menu.firstChild);
  var inbox = document.querySelector('.sidebar-menu a[href$="/dashboard/conversation"]');
  var inboxBadge = null;
  if (inbox) {
    inboxBadge = document.createElement('span');
    inboxBadge.id = 'parley-inbox-count';
    inboxBadge.className = 'pull-right-container';
    inboxBadge.innerHTML = '<small class="label pull-right bg-red"></small>';
    inboxBadge.style.display = 'none';
    inbox.appendChild(inboxBadge);
  }
  function beat() {
    fetch('` + PresencePath + `', {method: 'POST', credentials: 'same-origin', headers: {'Accept': 'application/json'}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d || typeof d.unread !== 'number') { return; }
        badge.textContent = d.unread > 99 ? '99+' : String(d.unread);
        badge.style.display = d.unread === 0 ? 'none' : '';
        a.setAttribute('aria-label', 'Notifications: ' + d.unread + ' unread');
        document.title = (d.unread > 0 ? '(' + (d.unread > 99 ? '99+' : d.unread) + ') ' : '') + document.title.replace(/^\(\d+\+?\) /, '');
        if (inboxBadge && typeof d.awaiting === 'string') {
          inboxBadge.firstChild.textContent = d.awaiting;
          inboxBadge.style.display = d.awaiting === '0' ? 'none' : '';
          inbox.setAttribute('title', d.awaiting + ' unread awaiting an answer');
        }
      })
      .catch(function () {});
  }
  window.parleyBeat = beat; // live.js: at each event
  beat();
  setInterval(beat, 30000);
})();
</script>`

// presence is POST /admin/presence: the back office's heartbeat. It marks
// the staff member online and answers their unread count for the bell.
func (g *guard) presence(c *gin.Context) {
	a, _ := tables.ActorFrom(c.Request.Context())
	if err := g.svc.Heartbeat(c.Request.Context(), a); err != nil {
		g.log.Warn("presence heartbeat", "err", err) // best effort: Redis down means offline
	}
	n, err := g.svc.UnreadCount(c.Request.Context(), a)
	if err != nil {
		g.domainFail(c, err)
		return
	}
	waiting, more, err := g.svc.Awaiting(c.Request.Context(), a)
	if err != nil {
		g.domainFail(c, err)
		return
	}
	awaiting := strconv.Itoa(waiting)
	if more {
		awaiting += "+"
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"unread": n, "awaiting": awaiting})
	c.Abort()
}

// notifications is GET /admin/notifications: the bell's list; each line
// opens its thread, which reads it.
func (g *guard) notifications(c *gin.Context) (types.Panel, error) {
	a, _ := tables.ActorFrom(c.Request.Context())
	items, unread, err := g.svc.Notifications(c.Request.Context(), a, 50)
	if err != nil {
		g.log.Error("notifications", "err", err)
		c.Set(ctxStatus, http.StatusInternalServerError)
		return g.errorPanel("Your notifications could not be loaded. Please try again."), nil
	}
	page := templates.NotificationsPage{Unread: unread}
	loc := g.storeZone(c.Request.Context())
	for _, n := range items {
		what := "New message"
		if n.Kind == inbox.NotificationEscalation {
			what = "Escalated"
		}
		page.Items = append(page.Items, templates.NotificationItem{What: what, Subject: n.Subject,
			URL: "/admin/info/" + tables.ConversationTable + "/edit?__goadmin_edit_pk=" + strconv.FormatInt(n.ConversationID, 10),
			At:  inZone(n.CreatedAt, loc, time.DateTime), ConversationID: n.ConversationID, Read: n.ReadAt != nil})
	}
	html, err := templates.Notifications(page)
	if err != nil {
		g.log.Error("render notifications", "err", err)
		c.Set(ctxStatus, http.StatusInternalServerError)
		return g.errorPanel("Your notifications could not be shown. Please try again."), nil
	}
	return types.Panel{Title: "Notifications", Description: template.HTML(fmt.Sprintf("%d unread", unread)), Content: html}, nil
}

// setEmailPref is POST /admin/profile/email: the staff member turns their
// new-message e-mails on ("email_notifications=on") or off (absent).
func (g *guard) setEmailPref(c *gin.Context) (types.Panel, error) {
	a, _ := tables.ActorFrom(c.Request.Context())
	v := c.Request.PostForm["email_notifications"]
	if len(v) > 1 || (len(v) == 1 && v[0] != "on") {
		c.Set(ctxStatus, http.StatusBadRequest)
		return g.profilePanel(c, "", "Invalid e-mail preference."), nil
	}
	on := len(v) == 1
	if err := g.svc.SetEmailNotifications(c.Request.Context(), a, on); err != nil {
		g.log.Error("e-mail preference", "err", err)
		c.Set(ctxStatus, models.HTTPStatus(models.ErrorCode(err)))
		return g.profilePanel(c, "", "Your e-mail preference could not be saved."), nil
	}
	msg := "You no longer receive e-mails about new messages."
	if on {
		msg = "You receive e-mails about new messages while you are offline."
	}
	return g.profilePanel(c, msg, ""), nil
}
