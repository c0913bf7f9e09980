// Parley chat widget loader: <script src="https://parley.example/widget.js" async></script>
// on any shop page adds a chat button and the Parley iframe. To sign the
// shop's customer in, call Parley.identify(token) with a freshly signed
// identity token; it is handed to the iframe by postMessage, never in a URL.
(function () {
  "use strict";
  if (window.Parley && window.Parley.loaded) return;
  var script = document.currentScript;
  var origin = new URL(script ? script.src : "/widget.js", location.href).origin;
  var frame = document.createElement("iframe");
  frame.src = origin + "/widget";
  frame.title = "Chat with the store";
  frame.setAttribute("hidden", "");
  frame.style.cssText = "position:fixed;right:16px;bottom:84px;width:min(380px,calc(100vw - 32px));height:min(560px,calc(100vh - 110px));border:1px solid #ccd3dd;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.2);background:#fff;z-index:2147483000";
  var button = document.createElement("button");
  button.type = "button";
  button.textContent = "Chat";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-label", "Open chat with the store");
  button.style.cssText = "position:fixed;right:16px;bottom:16px;min-width:56px;height:56px;padding:0 20px;border:0;border-radius:28px;background:#1f5fbf;color:#fff;font:600 16px system-ui,sans-serif;box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer;z-index:2147483001";
  var ready = false, pending = null;
  function deliver() {
    if (ready && pending) { frame.contentWindow.postMessage({ type: "parley:identity", token: pending }, origin); pending = null; }
  }
  window.addEventListener("message", function (ev) {
    if (ev.origin !== origin || ev.source !== frame.contentWindow) return;
    if (ev.data && ev.data.type === "parley:ready") { ready = true; deliver(); }
  });
  button.addEventListener("click", function () {
    var open = frame.hasAttribute("hidden");
    if (open) frame.removeAttribute("hidden"); else frame.setAttribute("hidden", "");
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.setAttribute("aria-label", open ? "Close chat" : "Open chat with the store");
    button.textContent = open ? "Close" : "Chat";
    if (open) frame.focus();
  });
  function mount() { document.body.appendChild(frame); document.body.appendChild(button); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
  window.Parley = { loaded: true, identify: function (token) { pending = String(token); deliver(); } };
})();
