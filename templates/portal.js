// Parley customer pages: progressive enhancement only. Every page works
// without this file; with it, Enter sends, older messages load in place and
// a rate-limit refusal counts down.
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
  document.addEventListener("DOMContentLoaded", function () {
    enterSends(document.getElementById("reply"));
    olderInPlace();
    countdown();
    scrollToEnd();
  });
})();
