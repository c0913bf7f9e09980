// Parley widget (inside the /widget iframe). The session token lives in
// this variable only: no cookie, no storage, never in a URL. Everything
// shown is set with textContent, so names, subjects and bodies stay text.
(function () {
  "use strict";
  var root = document.getElementById("widget");
  if (!root) return;
  var api = root.getAttribute("data-api");
  var allowed = (root.getAttribute("data-origins") || "").split(" ").filter(Boolean);
  allowed.push(location.origin);
  var token = null, current = null, older = null, poll = null;
  var $ = function (id) { return document.getElementById(id); };

  function say(msg, isError) {
    var box = isError ? $("alert") : $("status");
    box.textContent = "";
    if (!msg) return;
    var p = document.createElement("p");
    p.className = isError ? "error" : "notice";
    p.textContent = msg;
    box.appendChild(p);
  }
  function call(method, path, body) {
    var h = { "Accept": "application/json" };
    if (token) h["Authorization"] = "Bearer " + token;
    var payload = body;
    if (body !== undefined && !(body instanceof FormData)) { h["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
    return fetch(api + path, { method: method, headers: h, body: payload, credentials: "omit" })
      .then(function (r) {
        return r.text().then(function (t) {
          var data = {};
          try { data = t ? JSON.parse(t) : {}; } catch (e) { data = { error: { message: r.status === 413 ? "That file is too large." : "Something went wrong." } }; }
          if (!r.ok) {
            var e = (data && data.error) || { message: "Something went wrong." };
            var msg = e.message || "Something went wrong.";
            if (e.code === "rate_limited") msg = "You are sending faster than this store allows. Please wait " + (e.retry_after || 1) + " seconds, then send again.";
            var err = new Error(msg); err.code = e.code; throw err;
          }
          return data;
        });
      });
  }
  function show(id) {
    ["w-start", "w-list", "w-thread"].forEach(function (s) { $(s).hidden = s !== id; });
  }
  function when(iso) {
    try { return new Date(iso).toLocaleString(); } catch (e) { return iso; }
  }
  function signedIn(t) {
    token = t;
    say("");
    loadList();
    stream();
  }
  // Live: the stream cannot carry the bearer header and the token never
  // goes in a URL, so each connection asks for a single-use ticket
  // (POST /events/ticket) and opens /events?ticket=…. A dropped stream is
  // reopened with a new ticket and the open thread read again.
  var es = null;
  function stream() {
    if (!window.EventSource || !token) return;
    call("POST", "/events/ticket", {}).then(function (d) {
      if (es) es.close();
      es = new EventSource(api + "/events?ticket=" + encodeURIComponent(d.ticket));
      var changed = function (m) {
        var ev = {};
        try { ev = JSON.parse(m.data); } catch (e) { return; }
        if (current !== null && (m.type === "reset" || ev.conversation_id === current)) {
          var id = current;
          call("GET", "/conversations/" + id).then(function (d) { if (current === id) renderThread(d, true); }).catch(function () {});
        }
        if (m.type === "typing" && ev.conversation_id === current && ev.data && ev.data.side === "staff") {
          $("w-typing").hidden = false;
          clearTimeout(stream.typing);
          stream.typing = setTimeout(function () { $("w-typing").hidden = true; }, 6000);
        }
        if (m.type === "message.created") $("w-typing").hidden = true;
        // The list in view: its unread marks follow (one reload per burst).
        if (current === null && !$("w-list").hidden && m.type !== "typing") {
          clearTimeout(stream.list);
          stream.list = setTimeout(function () { if (current === null) listPage(null).catch(function () {}); }, 300);
        }
      };
      ["message.created", "conversation.updated", "reset", "typing"].forEach(function (t) { es.addEventListener(t, changed); });
      es.onerror = function () {
        if (es.readyState !== EventSource.CLOSED) return; // the browser retries by itself… with a used ticket: it ends CLOSED
        es = null;
        setTimeout(function () {
          stream();
          if (current !== null) changed({ type: "reset", data: "{}" });
        }, 3000);
      };
    }).catch(function () { setTimeout(stream, 10000); });
  }
  // The list pages with the API's own keyset cursor (next_cursor of
  // GET /conversations, the one the messages page uses): "Older
  // conversations" appends the next 50 below the ones shown.
  var listNext = null;
  function loadList() {
    current = null;
    if (poll) { clearInterval(poll); poll = null; }
    listPage(null).then(function () { show("w-list"); }).catch(function (e) { say(e.message, true); });
  }
  function listPage(cursor) {
    var path = "/conversations?limit=50" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
    return call("GET", path).then(function (d) {
      var ul = $("w-convs");
      if (!cursor) ul.textContent = "";
      (d.items || []).forEach(function (c) {
        var li = document.createElement("li");
        if (!c.is_read_by_user) li.className = "unread";
        var a = document.createElement("a");
        a.href = "#";
        var s = document.createElement("span"); s.className = "subject"; s.textContent = c.subject; a.appendChild(s);
        if (!c.is_read_by_user) { var b = document.createElement("span"); b.className = "badge"; b.textContent = "New"; a.appendChild(b); }
        var m = document.createElement("span"); m.className = "meta"; m.textContent = c.status.replace(/_/g, " ").toLowerCase() + " · " + when(c.last_message_at); a.appendChild(m);
        var p = document.createElement("span"); p.className = "preview"; p.textContent = c.last_message_preview; a.appendChild(p);
        a.addEventListener("click", function (ev) { ev.preventDefault(); openThread(c.id); });
        li.appendChild(a);
        ul.appendChild(li);
      });
      listNext = d.next_cursor || null;
      $("w-more").hidden = !listNext;
    });
  }
  function messageItem(m) {
    var li = document.createElement("li");
    li.id = "w-m" + m.id;
    if (m.kind === "system") {
      li.className = "event";
      li.textContent = m.body + " · " + when(m.created_at);
      return li;
    }
    var mine = m.author_type !== "staff";
    li.className = "msg " + (mine ? "mine" : "theirs");
    var a = document.createElement("span"); a.className = "author"; a.textContent = mine ? "You" : m.author_name + " (store)";
    var p = document.createElement("p"); p.className = "body"; p.textContent = m.body;
    var t = document.createElement("time"); t.dateTime = m.created_at; t.textContent = when(m.created_at);
    li.appendChild(a);
    if (m.body) li.appendChild(p);
    (m.attachments || []).forEach(function (f) { li.appendChild(attachmentItem(f)); });
    li.appendChild(t);
    return li;
  }
  function sizeText(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1) + " MB";
    if (n >= 1024) return Math.round(n / 1024) + " KB";
    return n + " bytes";
  }
  // attachmentItem shows a file inline. The widget has no cookie, so the
  // file is fetched with the session's bearer token and shown from a blob:
  // URL; the name is text (textContent and attributes only).
  function attachmentItem(f) {
    var fig = document.createElement("figure");
    var kind = /^image\//.test(f.media_type) ? "image" : /^video\//.test(f.media_type) ? "video" : /^audio\//.test(f.media_type) ? "audio" : "file";
    fig.className = "parley-attachment parley-attachment-" + kind;
    var media = null;
    if (kind === "image") { media = document.createElement("img"); media.alt = f.filename; }
    else if (kind === "video" || kind === "audio") { media = document.createElement(kind); media.controls = true; media.setAttribute("aria-label", f.filename); }
    if (media) { media.className = "parley-attachment-media"; fig.appendChild(media); }
    var cap = document.createElement("figcaption");
    var link = document.createElement("a");
    link.href = "#"; link.textContent = f.filename; link.setAttribute("download", f.filename);
    var small = document.createElement("small");
    small.textContent = " " + sizeText(f.size_bytes) + (f.duration_ms ? " · " + Math.round(f.duration_ms / 1000) + " s" : "");
    cap.appendChild(link); cap.appendChild(small);
    fig.appendChild(cap);
    var path = f.url.indexOf(api) === 0 ? f.url.slice(api.length) : null;
    if (path !== null) {
      fetch(api + path, { headers: { "Authorization": "Bearer " + token }, credentials: "omit" })
        .then(function (r) { if (!r.ok) throw new Error("attachment " + r.status); return r.blob(); })
        .then(function (b) {
          var u = URL.createObjectURL(b);
          if (media) media.src = u;
          link.href = u;
        }).catch(function () { small.textContent += " (not available)"; });
    }
    return fig;
  }
  function renderThread(d, keepScroll) {
    $("w-thread-title").textContent = d.conversation.subject;
    $("w-status").textContent = d.conversation.status.replace(/_/g, " ").toLowerCase();
    var ol = $("w-timeline");
    d.messages.forEach(function (m) { if (!$("w-m" + m.id)) ol.appendChild(messageItem(m)); });
    // "Seen" under the guest's last message once the store has read it.
    var last = d.messages.length ? d.messages[d.messages.length - 1] : null;
    $("w-seen").hidden = !(d.conversation.seen_by_store && last && (last.author_type === "customer" || last.author_type === "guest"));
    if (older === null) { older = d.messages_next_cursor; $("w-older").hidden = !older; }
    if (!keepScroll && ol.lastElementChild) ol.lastElementChild.scrollIntoView({ block: "end" });
  }
  function openThread(id) {
    current = id; older = null;
    $("w-timeline").textContent = "";
    call("GET", "/conversations/" + id).then(function (d) {
      renderThread(d);
      show("w-thread");
      $("w-reply").focus();
      if (poll) clearInterval(poll);
      poll = setInterval(function () {
        if (current === id && !document.hidden) call("GET", "/conversations/" + id).then(function (d) { renderThread(d, true); }).catch(function () {});
      }, 30000); // a safety net: the stream brings changes
    }).catch(function (e) { say(e.message, true); });
  }
  $("w-older").addEventListener("click", function () {
    if (!older || !current) return;
    call("GET", "/conversations/" + current + "/messages?cursor=" + encodeURIComponent(older)).then(function (d) {
      var ol = $("w-timeline"), first = ol.firstElementChild;
      d.items.forEach(function (m) { if (!$("w-m" + m.id)) ol.insertBefore(messageItem(m), first); });
      older = d.next_cursor; $("w-older").hidden = !older;
    }).catch(function (e) { say(e.message, true); });
  });
  $("w-back").addEventListener("click", loadList);
  $("w-more").addEventListener("click", function () {
    if (listNext) listPage(listNext).catch(function (e) { say(e.message, true); });
  });
  $("w-guest").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var body = {};
    var n = $("w-name").value.trim(), e = $("w-email").value.trim();
    if (n) body.name = n;
    if (e) body.email = e;
    call("POST", "/auth/guest", body).then(function (d) { signedIn(d.token); }).catch(function (e) { say(e.message, true); });
  });
  $("w-new").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var req = { subject: $("w-subject").value, body: $("w-body").value, channel: "widget" };
    if (!$("w-consent").hidden) req.accept_privacy_consent = $("w-accept").checked;
    call("POST", "/conversations", req).then(function (d) {
      $("w-subject").value = ""; $("w-body").value = "";
      openThread(d.conversation.id);
    }).catch(function (e) {
      if (e.code === "forbidden" && /privacy/.test(e.message)) { $("w-consent").hidden = false; }
      say(e.message, true);
    });
  });
  function send() {
    var area = $("w-reply");
    if (!area.value.trim() || !current) return;
    call("POST", "/conversations/" + current + "/messages", { body: area.value }).then(function (d) {
      area.value = "";
      say("");
      if (d.conversation.id !== current) { openThread(d.conversation.id); return; }
      $("w-timeline").appendChild(messageItem(d.message));
      $("w-timeline").lastElementChild.scrollIntoView({ block: "end" });
    }).catch(function (e) { say(e.message, true); });
  }
  // A file from the thread's upload form goes to the same route as the
  // portal's (POST …/conversations/{id}/attachments, multipart); the server
  // sniffs, measures and refuses (R12), and its message is shown in place.
  $("w-attach").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var input = $("w-file");
    if (!current || !input.files.length) return;
    var fd = new FormData();
    for (var i = 0; i < input.files.length; i++) fd.append("file", input.files[i], input.files[i].name);
    var body = $("w-attach-body").value;
    if (body.trim()) fd.append("body", body);
    var button = $("w-attach").querySelector("button");
    button.disabled = true;
    say("Sending the file…");
    call("POST", "/conversations/" + current + "/attachments", fd).then(function (d) {
      input.value = ""; $("w-attach-body").value = "";
      say(""); say("", true);
      if (d.conversation.id !== current) { openThread(d.conversation.id); return; }
      if (!$("w-m" + d.message.id)) $("w-timeline").appendChild(messageItem(d.message));
      $("w-seen").hidden = true; // not read yet
      $("w-timeline").lastElementChild.scrollIntoView({ block: "end" });
    }).catch(function (e) { say(""); say(e.message, true); })
      .then(function () { button.disabled = false; });
  });
  $("w-send").addEventListener("submit", function (ev) { ev.preventDefault(); send(); });
  $("w-reply").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); send(); }
  });
  // The store sees "The customer is typing…": one report per 3 s at most.
  var lastTyping = 0;
  $("w-reply").addEventListener("input", function () {
    var now = Date.now();
    if (current === null || now - lastTyping < 3000 || $("w-reply").value.trim() === "") return;
    lastTyping = now;
    call("POST", "/conversations/" + current + "/typing", {}).catch(function () {});
  });
  // The shop signs its customer in: {type: "parley:identity", token} from
  // an allowed origin, sent by the page that framed us.
  window.addEventListener("message", function (ev) {
    if (allowed.indexOf(ev.origin) < 0 || ev.source !== window.parent) return;
    var d = ev.data;
    if (!d || d.type !== "parley:identity" || typeof d.token !== "string") return;
    call("POST", "/auth/identity", { token: d.token }).then(function (r) { signedIn(r.token); })
      .catch(function (e) { say(e.message, true); });
  });
  if (window.parent !== window) window.parent.postMessage({ type: "parley:ready" }, "*");
})();
