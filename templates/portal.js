// Parley customer pages: progressive enhancement only. Every page works
// without this file; with it, Enter sends, older messages load in place, a
// rate-limit refusal counts down, and pages follow the store's replies live.
(function () {
  "use strict";
  function enterSends(area) {
    if (!area) return;
    area.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        if (area.value.trim() !== "" && area.form) {
          if (area.form.requestSubmit) area.form.requestSubmit(); else area.form.submit();
        }
      }
    });
  }
  function olderInPlace() {
    var link = document.getElementById("older");
    var list = document.getElementById("timeline");
    if (!link || !list) return;
    link.addEventListener("click", function (ev) {
      ev.preventDefault();
      link.setAttribute("aria-busy", "true");
      fetch(link.href, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.text();
      }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var items = doc.querySelectorAll("#timeline > li");
        var first = list.firstElementChild;
        for (var i = 0; i < items.length; i++) {
          if (!document.getElementById(items[i].id)) list.insertBefore(document.importNode(items[i], true), first);
        }
        var next = doc.getElementById("older");
        if (next) { link.href = next.href; link.removeAttribute("aria-busy"); }
        else { link.parentNode.remove(); }
        if (first) first.setAttribute("tabindex", "-1");
        var status = document.getElementById("status");
        if (status) status.textContent = items.length + " older messages loaded.";
      }).catch(function () { window.location.href = link.href; });
    });
  }
  function countdown() {
    var err = document.querySelector(".error[data-retry-after]");
    var wait = err ? parseInt(err.getAttribute("data-retry-after"), 10) : 0;
    if (!wait || wait <= 0) return;
    var buttons = document.querySelectorAll("form.send button[type=submit], #new-form button[type=submit]");
    buttons.forEach(function (b) { b.disabled = true; b.dataset.label = b.textContent; });
    var t = setInterval(function () {
      wait--;
      buttons.forEach(function (b) { b.textContent = wait > 0 ? b.dataset.label + " (" + wait + " s)" : b.dataset.label; });
      if (wait <= 0) { clearInterval(t); buttons.forEach(function (b) { b.disabled = false; }); }
    }, 1000);
  }
  function scrollToEnd() {
    var list = document.getElementById("timeline");
    if (list && list.lastElementChild && !location.search) list.lastElementChild.scrollIntoView({ block: "end" });
  }
  // Live (issue 9): one EventSource on the API's stream (the portal's
  // cookie signs it in). Events are signals; what changed is read from
  // the page itself: new messages and "Seen" on a conversation, the list
  // with its unread badges. "The store is typing" comes and goes.
  function live() {
    var timeline = document.getElementById("timeline");
    var list = document.querySelector("section[aria-labelledby=list-title]");
    var form = document.getElementById("send-form");
    if (!window.EventSource || !window.fetch || (!list && !(timeline && form))) return;
    var busy = false, again = false, typingTimer = null, lastTyping = 0;
    var pending = false;
    document.addEventListener("visibilitychange", function () { if (!document.hidden && pending) refresh(); });
    function refresh() {
      // A hidden tab waits: reading the page marks the thread read.
      if (document.hidden) { pending = true; return; }
      pending = false;
      if (busy) { again = true; return; }
      busy = true;
      fetch(location.href, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.text();
      }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        if (list) {
          var fresh = doc.querySelector("section[aria-labelledby=list-title]");
          if (fresh) list.innerHTML = fresh.innerHTML;
          return;
        }
        var items = doc.querySelectorAll("#timeline > li"), added = 0;
        for (var i = 0; i < items.length; i++) {
          if (!document.getElementById(items[i].id)) { timeline.appendChild(document.importNode(items[i], true)); added++; }
        }
        var seen = document.querySelector("p.seen"), nowSeen = doc.querySelector("p.seen");
        if (seen && !nowSeen) seen.parentNode.removeChild(seen);
        if (!seen && nowSeen) timeline.parentNode.insertBefore(document.importNode(nowSeen, true), timeline.nextSibling);
        var st = document.querySelector(".meta .status"), nst = doc.querySelector(".meta .status");
        if (st && nst) st.textContent = nst.textContent;
        if (added) {
          stopTyping();
          timeline.lastElementChild.scrollIntoView({ block: "end" });
          var status = document.getElementById("status");
          if (status) status.textContent = added === 1 ? "A new message." : added + " new messages.";
        }
      }).catch(function () {}).then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
    }
    var typingLine = null;
    function stopTyping() { if (typingLine) typingLine.hidden = true; }
    function storeTyping() {
      if (!typingLine) {
        typingLine = document.createElement("p");
        typingLine.className = "muted typing";
        typingLine.setAttribute("aria-live", "polite");
        typingLine.textContent = "The store is typing…";
        timeline.parentNode.insertBefore(typingLine, timeline.nextSibling);
      }
      typingLine.hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(stopTyping, 6000);
    }
    var convID = form ? form.getAttribute("action").split("/").pop() : null;
    function mine(ev) { return list || String(ev.conversation_id) === convID; }
    var es = new EventSource("/api/v1/events");
    ["message.created", "conversation.updated"].forEach(function (t) {
      es.addEventListener(t, function (m) {
        try { if (mine(JSON.parse(m.data)) && !location.search) refresh(); } catch (e) {}
      });
    });
    es.addEventListener("reset", function () { if (!location.search) refresh(); });
    es.addEventListener("typing", function (m) {
      try {
        var ev = JSON.parse(m.data);
        if (timeline && String(ev.conversation_id) === convID && ev.data && ev.data.side === "staff") storeTyping();
      } catch (e) {}
    });
    var area = document.getElementById("reply");
    if (area && form) {
      area.addEventListener("input", function () {
        var now = Date.now();
        if (now - lastTyping < 3000 || area.value.trim() === "") return;
        lastTyping = now;
        var csrf = form.querySelector("input[name=csrf]");
        fetch(form.getAttribute("action") + "/typing", { method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: "csrf=" + encodeURIComponent(csrf ? csrf.value : "") }).catch(function () {});
      });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    enterSends(document.getElementById("reply"));
    olderInPlace();
    countdown();
    scrollToEnd();
    live();
  });
})();
