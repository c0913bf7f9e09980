// Parley: attachments in a reply box (R12). Progressive enhancement: a page
// places
//
//   <div data-parley-attach
//        data-upload-url="/admin/conversation/attachments"  where to POST (multipart)
//        data-conversation="123"                             the conversation id
//        data-conversation-field="id"                        form field for it (omit when the URL names it)
//        data-kind-select="#reply-kind"                      optional: a <select> or input giving reply|note
//        data-body-field="#reply-body"                       optional: a textarea whose text goes with the files
//        data-max-bytes="1048576" data-max-seconds="60"      the limits the server enforces
//        data-csrf-header="" data-csrf-token="">             optional extra header (API tokens)
//   </div>
//
// and <script src="/admin/attach.js" defer></script>. The box gets a file
// picker, a "Record voice note" button (where the browser has MediaRecorder),
// the chosen files, and a Send button. On success the page reloads (or, if
// the box has data-no-reload, fires a "parley:attached" event with the
// answer); a refusal shows the server's message. Every text is set with
// textContent: file names and messages are never parsed as HTML.
(function () {
  "use strict";

  var ACCEPT = "image/jpeg,image/png,image/gif,image/webp,video/mp4,video/webm,audio/webm,audio/ogg,audio/mpeg,audio/mp4,.m4a,.mp3,.ogg,.webm";
  var RECORD_TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/mp4"];

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) { e.textContent = text; }
    return e;
  }

  function sizeText(n) {
    if (n >= 1048576) { return (n / 1048576).toFixed(1) + " MB"; }
    if (n >= 1024) { return Math.round(n / 1024) + " KB"; }
    return n + " bytes";
  }

  function setup(box) {
    if (box.getAttribute("data-parley-ready")) { return; }
    box.setAttribute("data-parley-ready", "1");
    var maxBytes = parseInt(box.getAttribute("data-max-bytes") || "1048576", 10);
    var maxSeconds = parseInt(box.getAttribute("data-max-seconds") || "60", 10);
    var files = [];
    var uid = "parley-attach-" + Math.random().toString(36).slice(2);

    var label = el("label", { "for": uid, "class": "btn btn-default btn-sm parley-attach-pick" }, "Attach files");
    var input = el("input", { id: uid, type: "file", multiple: "", accept: ACCEPT, "class": "sr-only" });
    var record = el("button", { type: "button", "class": "btn btn-default btn-sm parley-attach-record" }, "Record voice note");
    var send = el("button", { type: "button", "class": "btn btn-primary btn-sm parley-attach-send", disabled: "" }, "Send files");
    var list = el("ul", { "class": "list-unstyled parley-attach-list", "aria-label": "Files to send" });
    var status = el("p", { "class": "help-block parley-attach-status", role: "status", "aria-live": "polite" });
    box.appendChild(label);
    box.appendChild(input);
    if (window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
      box.appendChild(document.createTextNode(" "));
      box.appendChild(record);
    }
    box.appendChild(document.createTextNode(" "));
    box.appendChild(send);
    box.appendChild(list);
    box.appendChild(status);

    function say(msg, isError) {
      status.textContent = msg || "";
      status.className = "help-block parley-attach-status" + (isError ? " text-danger" : "");
    }

    function redraw() {
      list.textContent = "";
      files.forEach(function (f, i) {
        var li = el("li", {}, f.name + " (" + sizeText(f.size) + ") ");
        var rm = el("button", { type: "button", "class": "btn btn-link btn-xs", "aria-label": "Remove " + f.name }, "Remove");
        rm.addEventListener("click", function () { files.splice(i, 1); redraw(); });
        li.appendChild(rm);
        list.appendChild(li);
      });
      if (files.length) { send.removeAttribute("disabled"); } else { send.setAttribute("disabled", ""); }
    }

    function add(f) {
      if (f.size > maxBytes) {
        say(f.name + " is " + sizeText(f.size) + "; the limit is " + sizeText(maxBytes) + ".", true);
        return;
      }
      if (files.length >= 4) {
        say("At most 4 files per message.", true);
        return;
      }
      files.push(f);
      say("");
      redraw();
    }

    input.addEventListener("change", function () {
      Array.prototype.forEach.call(input.files, add);
      input.value = "";
    });

    var recorder = null;
    var timer = null;
    record.addEventListener("click", function () {
      if (recorder) { recorder.stop(); return; }
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var type = RECORD_TYPES.filter(function (t) { return MediaRecorder.isTypeSupported(t); })[0];
        recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
        var chunks = [];
        var started = Date.now();
        recorder.addEventListener("dataavailable", function (e) { if (e.data && e.data.size) { chunks.push(e.data); } });
        recorder.addEventListener("stop", function () {
          clearTimeout(timer);
          stream.getTracks().forEach(function (t) { t.stop(); });
          var mime = (recorder.mimeType || type || "audio/webm").split(";")[0];
          var ext = mime === "audio/ogg" ? ".ogg" : mime === "audio/mp4" ? ".m4a" : ".webm";
          var secs = Math.round((Date.now() - started) / 1000);
          recorder = null;
          record.textContent = "Record voice note";
          record.removeAttribute("aria-pressed");
          var blob = new Blob(chunks, { type: mime });
          var file;
          try {
            file = new File([blob], "voice-note-" + secs + "s" + ext, { type: mime });
          } catch (err) { // old browsers without the File constructor
            file = blob;
            file.name = "voice-note-" + secs + "s" + ext;
          }
          add(file);
          say("Voice note recorded (" + secs + " s).");
        });
        recorder.start(1000);
        record.textContent = "Stop recording";
        record.setAttribute("aria-pressed", "true");
        say("Recording… at most " + maxSeconds + " seconds.");
        // Stop a little early: the server measures the file itself.
        timer = setTimeout(function () { if (recorder) { recorder.stop(); } }, (maxSeconds - 1) * 1000);
      }).catch(function () {
        say("The microphone is not available.", true);
      });
    });

    send.addEventListener("click", function () {
      if (!files.length) { return; }
      var fd = new FormData();
      var convField = box.getAttribute("data-conversation-field");
      if (convField) { fd.append(convField, box.getAttribute("data-conversation") || ""); }
      var kindSel = box.getAttribute("data-kind-select");
      var kindEl = kindSel ? document.querySelector(kindSel) : null;
      if (kindEl && kindEl.value) { fd.append("kind", kindEl.value); }
      var bodySel = box.getAttribute("data-body-field");
      var bodyEl = bodySel ? document.querySelector(bodySel) : null;
      if (bodyEl && bodyEl.value.trim()) { fd.append("body", bodyEl.value); }
      files.forEach(function (f) { fd.append("file", f, f.name); });
      var headers = { "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" };
      var h = box.getAttribute("data-csrf-header");
      if (h) { headers[h] = box.getAttribute("data-csrf-token") || ""; }
      send.setAttribute("disabled", "");
      say("Sending…");
      fetch(box.getAttribute("data-upload-url"), { method: "POST", body: fd, credentials: "same-origin", headers: headers })
        .then(function (res) {
          return res.json().catch(function () { return {}; }).then(function (body) { return { res: res, body: body }; });
        })
        .then(function (r) {
          if (r.res.status === 201) {
            files = [];
            redraw();
            if (bodyEl) { bodyEl.value = ""; }
            say("Sent.");
            if (box.hasAttribute("data-no-reload")) {
              box.dispatchEvent(new CustomEvent("parley:attached", { bubbles: true, detail: r.body }));
            } else {
              window.location.reload();
            }
            return;
          }
          var msg = (r.body && (r.body.msg || (r.body.error && r.body.error.message))) || ("The files were not sent (" + r.res.status + ").");
          var retry = r.res.headers.get("Retry-After");
          if (r.res.status === 429 && retry) { msg += " Try again in " + retry + " s."; }
          say(msg, true);
          redraw();
        })
        .catch(function () {
          say("The files were not sent: the connection failed.", true);
          redraw();
        });
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-parley-attach]"), setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  // GoAdmin swaps pages with pjax: set up boxes that arrive later too.
  document.addEventListener("pjax:end", init);
})();
