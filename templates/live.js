// Parley back office, live layer (issue 9). Every page loads it once; it
// outlives GoAdmin's pjax navigation, so it looks at the page each time it
// acts. One EventSource per tab on /admin/events (the session cookie
// authenticates it; the browser resumes with Last-Event-ID). Events are
// signals: what they change is fetched from the pages themselves, so what
// is shown is always what the server renders for this staff member.
//
//   - the bell, the Inbox badge and the tab title: a heartbeat right away
//     (window.parleyBeat, the bell's script);
//   - a pop-up naming the conversation of a notification;
//   - the conversation list: reloaded in place with its filter, unless the
//     agent is using it (rows selected, a field focused): then its Refresh
//     button says there is news;
//   - a conversation page: new messages appended, status and assignee
//     updated; the reply form's stale-reply guard follows what is shown
//     while the reply box is empty, and stays put once the agent writes;
//     who else views it and who types; the customer's online dot.
(function () {
  "use strict";
  if (window.parleyLive || !window.EventSource || !window.fetch) { return; }
  window.parleyLive = true;

  var VIEW_EVERY = 10000, VIEWER_TTL = 25000, TYPING_TTL = 6000, TYPING_EVERY = 3000, LIST_EVERY = 2000;
  var viewers = {}, typers = {}, viewingID = null, viewTimer = null, lastTyping = 0, lastSaid = 0, say = null;
  var listTimer = null, listDue = 0, listPending = false, threadBusy = false, threadAgain = false;

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function post(url, fields) {
    var body = new URLSearchParams(fields).toString();
    return fetch(url, {method: "POST", credentials: "same-origin", keepalive: true,
      headers: {"Content-Type": "application/x-www-form-urlencoded", "X-Requested-With": "XMLHttpRequest", "Accept": "application/json"},
      body: body}).catch(function () {});
  }
  function beat() { if (window.parleyBeat) { window.parleyBeat(); } }
  function thread() { return $(".parley-thread"); }
  function threadID() { var t = thread(); return t ? t.getAttribute("data-id") : null; }
  function me() { var t = thread(); return t ? t.getAttribute("data-viewer") : null; }

  // --- pop-up -----------------------------------------------------------
  function popup(ev) {
    var d = ev.data || {};
    if (String(ev.conversation_id) === threadID()) { return; }
    var box = $("#parley-toasts");
    if (!box) {
      box = document.createElement("div");
      box.id = "parley-toasts";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      box.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2000;max-width:min(360px,calc(100vw - 32px))";
      document.body.appendChild(box);
    }
    var a = document.createElement("a");
    a.className = "parley-toast alert alert-info";
    a.style.cssText = "display:block;margin-top:8px;box-shadow:0 2px 8px rgba(0,0,0,.2);overflow-wrap:anywhere;text-decoration:none";
    a.href = "/admin/info/conversation/edit?__goadmin_edit_pk=" + encodeURIComponent(ev.conversation_id);
    var what = document.createElement("strong");
    what.textContent = d.kind === "escalation" ? "Escalated" : "New message";
    var subject = document.createElement("span");
    subject.className = "parley-toast-subject";
    subject.textContent = d.subject || "a conversation";
    a.appendChild(what);
    a.appendChild(document.createTextNode(" — "));
    a.appendChild(subject);
    box.appendChild(a);
    while (box.children.length > 3) { box.removeChild(box.firstChild); }
    setTimeout(function () { if (a.parentNode) { a.parentNode.removeChild(a); } }, 10000);
  }

  // --- the list ---------------------------------------------------------
  function listBusy() {
    if ($(".grid-row-checkbox:checked")) { return true; }
    var f = document.activeElement;
    if (f && f !== document.body && $("#pjax-container") && $("#pjax-container").contains(f) && /INPUT|SELECT|TEXTAREA/.test(f.tagName)) { return true; }
    return !!$(".conv-list .dropdown.open, .modal.in");
  }
  function listChanged() {
    if (!$(".conv-list")) { return; }
    listPending = true;
    if (listTimer) { return; }
    listTimer = setTimeout(reloadList, Math.max(200, listDue - Date.now()));
  }
  function reloadList() {
    listTimer = null;
    if (!listPending || !$(".conv-list")) { return; }
    if (document.hidden) { return; } // visibilitychange comes back here
    var refresh = $(".conv-list .grid-refresh");
    if (listBusy() || !(window.jQuery && jQuery.pjax)) {
      if (refresh && !refresh.getAttribute("data-news")) {
        refresh.setAttribute("data-news", "1");
        refresh.className += " btn-warning";
        refresh.lastChild.textContent = " New activity — Refresh";
      }
      return;
    }
    listPending = false;
    listDue = Date.now() + LIST_EVERY;
    jQuery.pjax.reload("#pjax-container", {scrollTo: false, timeout: 8000});
  }

  // --- a conversation page ----------------------------------------------
  function lastSeenInput() { return $(".thread-reply form input[name=last_seen_message_id]"); }
  function newestReply() {
    var id = 0;
    $$(".conv-history .conv-reply[data-msg]").forEach(function (m) { id = Math.max(id, parseInt(m.getAttribute("data-msg"), 10) || 0); });
    return id;
  }
  function drafting() {
    var box = $(".thread-reply textarea[name=reply_body]");
    return !!(box && box.value.trim() !== "");
  }
  function notice(text) {
    var t = thread();
    if (!t) { return; }
    var n = $(".thread-live-notice", t);
    if (!n) {
      n = document.createElement("div");
      n.className = "thread-live-notice alert alert-warning";
      n.setAttribute("role", "alert");
      var h = $(".conv-history", t);
      if (h && h.parentNode) { h.parentNode.appendChild(n); }
    }
    n.textContent = text;
    n.hidden = false;
  }
  function refreshThread() {
    if (threadBusy) { threadAgain = true; return; }
    var id = threadID();
    if (!id) { return; }
    threadBusy = true;
    var url = location.href;
    fetch(url, {credentials: "same-origin", headers: {"Accept": "text/html"}}).then(function (r) {
      return r.text().then(function (html) { return {ok: r.ok, html: html}; });
    }).then(function (res) {
      if (threadID() !== id || location.href !== url) { return; }
      var doc = new DOMParser().parseFromString(res.html, "text/html");
      var fresh = $(".parley-thread", doc);
      if (!res.ok || !fresh) {
        notice("This conversation changed and is no longer shown to you (it may have been assigned to someone else or deleted). Reload the page.");
        return;
      }
      var h = $(".conv-history"), nh = $(".conv-history", fresh);
      var nearEnd = h.scrollHeight - h.scrollTop - h.clientHeight < 80;
      var added = [];
      $$("[data-msg]", nh).forEach(function (m) {
        if (!h.querySelector('[data-msg="' + m.getAttribute("data-msg") + '"]')) {
          var node = document.importNode(m, true);
          h.appendChild(node);
          added.push(node);
        }
      });
      if (added.length) {
        typers = {}; // whoever was typing has sent
        showSignals();
        $$(":scope > p.text-muted", h).forEach(function (p) { p.parentNode.removeChild(p); });
        if (nearEnd) { h.scrollTop = h.scrollHeight; }
      }
      [".thread-status", ".thread-assignee", ".thread-subject"].forEach(function (sel) {
        var old = $(sel), now = $(sel, fresh);
        if (old && now && old.outerHTML !== now.outerHTML) { old.parentNode.replaceChild(document.importNode(now, true), old); }
      });
      var seen = lastSeenInput(), newest = newestReply();
      var newReply = added.some(function (m) { return m.classList.contains("conv-reply"); });
      if (seen && newest > 0) {
        if (!drafting()) {
          seen.value = String(newest);
        } else if (newReply && String(newest) !== seen.value) {
          var who = added.filter(function (m) { return m.classList.contains("conv-reply"); }).pop();
          var name = who ? $(".conv-head strong", who) : null;
          notice((name ? name.textContent : "Someone") + " wrote in this conversation while you were writing. Read it before you send: sending now asks you to confirm.");
        }
      }
      var acts = $(".thread-actions"), nacts = $(".thread-actions", fresh);
      var focusIn = acts && acts.contains(document.activeElement);
      if (acts && nacts && acts.innerHTML.replace(/\s+/g, " ") !== nacts.innerHTML.replace(/\s+/g, " ") && !drafting() && !focusIn && window.jQuery && jQuery.pjax) {
        jQuery.pjax.reload("#pjax-container", {scrollTo: false, timeout: 8000});
        return;
      }
      if (nh.getAttribute("data-unread") === "true" && !document.hidden) {
        post("/admin/conversation/read", {id: id}); // the customer's "seen"
      }
    }).catch(function () {}).then(function () {
      threadBusy = false;
      if (threadAgain) { threadAgain = false; refreshThread(); }
    });
  }
  function showSignals() {
    var t = thread();
    if (!t) { return; }
    var now = Date.now(), names = [], typing = [];
    Object.keys(viewers).forEach(function (k) { if (viewers[k].until > now) { names.push(viewers[k].name); } else { delete viewers[k]; } });
    Object.keys(typers).forEach(function (k) { if (typers[k].until > now) { typing.push(typers[k].name); } else { delete typers[k]; } });
    var v = $(".thread-viewers", t);
    if (!v) {
      v = document.createElement("p");
      v.className = "thread-viewers text-muted small";
      v.setAttribute("aria-live", "polite");
      var meta = $(".thread-meta", t);
      if (meta && meta.parentNode) { meta.parentNode.insertBefore(v, meta.nextSibling); }
    }
    v.textContent = names.length ? "Also viewing: " + names.join(", ") : "";
    v.hidden = !names.length;
    var ty = $(".thread-typing", t);
    if (!ty) {
      ty = document.createElement("p");
      ty.className = "thread-typing text-muted small";
      ty.setAttribute("aria-live", "polite");
      var h = $(".conv-history", t);
      if (h && h.parentNode) { h.parentNode.appendChild(ty); }
    }
    ty.textContent = typing.length ? typing.join(", ") + (typing.length > 1 ? " are typing…" : " is typing…") : "";
    ty.hidden = !typing.length;
  }
  function viewing() {
    var id = threadID();
    if (id !== viewingID) {
      if (viewingID) { post("/admin/conversation/viewing", {id: viewingID, state: "left"}); }
      viewers = {}; typers = {};
      viewingID = id;
      if (viewTimer) { clearInterval(viewTimer); viewTimer = null; }
      if (id) {
        say = function () {
          if (document.hidden || threadID() !== id) { return; }
          lastSaid = Date.now();
          post("/admin/conversation/viewing", {id: id, state: "viewing"});
        };
        say();
        viewTimer = setInterval(say, VIEW_EVERY);
      }
    }
    showSignals();
  }
  document.addEventListener("input", function (ev) {
    var box = ev.target;
    if (!box || box.name !== "reply_body" || !threadID()) { return; }
    var now = Date.now();
    if (now - lastTyping < TYPING_EVERY || box.value.trim() === "") { return; }
    lastTyping = now;
    var kind = $(".thread-reply input[name=reply_kind]:checked");
    post("/admin/conversation/typing", {id: threadID(), kind: kind && kind.value === "note" ? "note" : "reply"});
  });
  window.addEventListener("pagehide", function () {
    if (viewingID) { post("/admin/conversation/viewing", {id: viewingID, state: "left"}); viewingID = null; }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { return; }
    beat();
    if (listPending) { reloadList(); }
    if (threadID()) { refreshThread(); }
  });
  setInterval(viewing, 1000);
  viewing();

  function online(customer, on) {
    var c = '"' + String(parseInt(customer, 10)) + '"';
    $$('.customer-panel[data-customer=' + c + '] .customer-online, .conv-online[data-customer=' + c + ']').forEach(function (dot) {
      dot.hidden = !on;
    });
  }

  // --- the stream -------------------------------------------------------
  var es = new EventSource("/admin/events");
  function on(type, f) {
    es.addEventListener(type, function (m) {
      var ev;
      try { ev = JSON.parse(m.data); } catch (e) { return; }
      f(ev);
    });
  }
  function changed(ev) {
    listChanged();
    if (String(ev.conversation_id) === threadID()) { refreshThread(); }
  }
  on("message.created", function (ev) { changed(ev); beat(); });
  on("conversation.updated", function (ev) { changed(ev); beat(); });
  on("notification.created", function (ev) { popup(ev); beat(); });
  on("reset", function () { listChanged(); if (threadID()) { refreshThread(); } beat(); });
  on("typing", function (ev) {
    var d = ev.data || {};
    if (String(ev.conversation_id) !== threadID()) { return; }
    if (d.side === "staff" && String(d.staff_id) === me()) { return; }
    var key = d.side === "staff" ? "s" + d.staff_id : "customer";
    typers[key] = {name: d.side === "staff" ? d.name : "The customer", until: Date.now() + TYPING_TTL};
    showSignals();
  });
  on("presence", function (ev) {
    var d = ev.data || {};
    if (d.customer_id) { online(d.customer_id, d.online === true); return; }
    if (String(ev.conversation_id) !== threadID() || String(d.staff_id) === me()) { return; }
    if (d.state === "left") {
      delete viewers[d.staff_id];
    } else {
      // Someone new: tell them we are here too, without waiting for our
      // next report.
      if (!viewers[d.staff_id] && say && Date.now() - lastSaid > 2500) { say(); }
      viewers[d.staff_id] = {name: d.name, until: Date.now() + VIEWER_TTL};
    }
    showSignals();
  });
})();
