/* Destek chat widget loader. Embed:
 *   <script>window.Destek=window.Destek||function(){(Destek.q=Destek.q||[]).push(arguments)};</script>
 *   <script src="https://HOST/widget.js" data-inbox="PUBLIC_TOKEN" async></script>
 * Then Destek.setUser({...}), Destek.open(), ... (or Destek("setUser", {...}) before it loads).
 * It adds a launcher button and opens the chat in an iframe served by HOST. Loader and iframe talk
 * with postMessage; each side only accepts messages from the other's exact window and origin (the chat
 * also checks that the origin the loader announces is its real parent, and one of the inbox's allowed
 * domains when it has any).
 * The contact token is kept here too, in this site's own localStorage: browsers that block storage in
 * third-party iframes would otherwise forget an anonymous visitor's chat on every reload.
 */
(function () {
  "use strict";
  var w = window, d = document;
  if (w.Destek && w.Destek._loaded) return;
  var script = d.currentScript || (function () {
    var all = d.querySelectorAll("script[data-inbox]");
    return all[all.length - 1];
  })();
  if (!script) return;
  var inbox = script.getAttribute("data-inbox");
  var base = new URL(script.src, d.baseURI);
  var origin = base.origin;
  var queued = (w.Destek && w.Destek.q) || [];
  var listeners = {};
  var state = { open: false, ready: false, unread: 0, locale: script.getAttribute("data-locale") || null };
  var outbox = [];
  var frame, launcher, badge, box, icon;
  var TOKEN_KEY = "destek:" + inbox + ":token";

  function storedToken() {
    try { return w.localStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }
  function storeToken(token) {
    try {
      if (token) w.localStorage.setItem(TOKEN_KEY, token); else w.localStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* storage blocked here too: the chat keeps it in memory */ }
  }

  function emit(type, data) {
    (listeners[type] || []).slice().forEach(function (fn) {
      try { fn(data); } catch (e) { setTimeout(function () { throw e; }); }
    });
  }

  function post(msg) {
    msg.destek = 1;
    if (state.ready && frame && frame.contentWindow) frame.contentWindow.postMessage(msg, origin);
    else outbox.push(msg);
  }

  function readable(hex) {
    // White or near-black on the brand colour, whichever contrasts more (WCAG relative luminance).
    var c = [1, 3, 5].map(function (i) {
      var v = parseInt(hex.substr(i, 2), 16) / 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    var l = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    return (1.05 / (l + 0.05)) >= ((l + 0.05) / 0.0611) ? "#ffffff" : "#111827";
  }

  var css =
    ".dstk-launcher{position:fixed;bottom:20px;z-index:2147483000;width:60px;height:60px;border-radius:50%;" +
    "border:0;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;align-items:center;" +
    "justify-content:center;padding:0;transition:transform .15s}" +
    ".dstk-launcher:hover{transform:scale(1.06)}" +
    ".dstk-launcher:focus-visible{outline:3px solid #111827;outline-offset:3px;box-shadow:0 0 0 6px #fff}" +
    ".dstk-launcher svg{width:28px;height:28px;fill:currentColor}" +
    ".dstk-badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;border-radius:11px;" +
    "background:#dc2626;color:#fff;font:700 12px/22px system-ui,sans-serif;text-align:center;padding:0 6px;" +
    "box-sizing:border-box}" +
    ".dstk-box{position:fixed;bottom:92px;z-index:2147483000;width:400px;height:640px;" +
    "max-height:calc(100vh - 112px);border-radius:14px;overflow:hidden;box-shadow:0 10px 40px rgba(0,0,0,.3);" +
    "background:#fff;display:none}" +
    ".dstk-box.dstk-open{display:block}" +
    ".dstk-box iframe{border:0;width:100%;height:100%;display:block}" +
    "@media (max-width:520px){.dstk-box{inset:0;width:100%;height:100%;max-height:none;border-radius:0;" +
    "bottom:0}.dstk-box.dstk-open~.dstk-launcher,.dstk-launcher.dstk-hide{display:none}}" +
    "@media (prefers-reduced-motion:reduce){.dstk-launcher{transition:none}.dstk-launcher:hover{transform:none}}";

  var CHAT = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
  var CLOSE = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4L12 13.4 6.4 19 5 17.6l5.6-5.6L5 6.4z"/></svg>';

  function build(config) {
    var style = d.createElement("style");
    style.textContent = css;
    d.head.appendChild(style);
    var side = config.position === "left" ? "left" : "right";
    box = d.createElement("div");
    box.className = "dstk-box";
    box.style[side] = "20px";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-label", config.name || "Chat");
    frame = d.createElement("iframe");
    frame.title = config.name || "Chat";
    frame.setAttribute("allow", "clipboard-read; clipboard-write");
    var q = "?embed=1&origin=" + encodeURIComponent(location.origin);
    if (state.locale) q += "&locale=" + encodeURIComponent(state.locale);
    frame.src = origin + "/widget/" + encodeURIComponent(inbox) + q;
    box.appendChild(frame);
    launcher = d.createElement("button");
    launcher.type = "button";
    launcher.className = "dstk-launcher";
    launcher.style[side] = "20px";
    launcher.style.background = config.color;
    launcher.style.color = readable(config.color);
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", config.label || "Open chat");
    launcher.setAttribute("data-destek", "launcher");
    icon = d.createElement("span");
    icon.innerHTML = CHAT; // a constant icon, never user data
    launcher.appendChild(icon);
    badge = d.createElement("span");
    badge.className = "dstk-badge";
    badge.hidden = true;
    badge.setAttribute("data-destek", "badge");
    launcher.appendChild(badge);
    launcher.addEventListener("click", function () { state.open ? api.close() : api.open(); });
    d.body.appendChild(box);
    d.body.appendChild(launcher);
  }

  function setUnread(n) {
    state.unread = n;
    if (!badge) return;
    badge.hidden = !n || state.open;
    badge.textContent = n > 9 ? "9+" : String(n);
    launcher.setAttribute("aria-label", (n ? n + " · " : "") + (state.labelOpen || "Open chat"));
  }

  w.addEventListener("message", function (event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== origin) return;
    var msg = event.data;
    if (!msg || msg.destek !== 1 || typeof msg.type !== "string") return;
    if (msg.type === "ready") {
      state.ready = true;
      if (msg.labels) {
        state.labelOpen = msg.labels.open;
        state.labelClose = msg.labels.close;
        launcher.setAttribute("aria-label", state.open ? msg.labels.close : msg.labels.open);
      }
      // First the token this site keeps, so the chat starts as the same visitor; then what was queued.
      post({ type: "init", token: storedToken() });
      var pending = outbox;
      outbox = [];
      pending.forEach(post);
      if (state.open) post({ type: "open" });
    } else if (msg.type === "unread") {
      setUnread(msg.count | 0);
      emit("unread", { count: msg.count | 0 });
    } else if (msg.type === "message") {
      emit("message", msg.message);
    } else if (msg.type === "token") {
      storeToken(typeof msg.token === "string" ? msg.token : null);
    } else if (msg.type === "close") {
      api.close();
    } else if (msg.type === "error") {
      emit("error", msg.error);
    }
  });

  var api = function () {
    var args = Array.prototype.slice.call(arguments);
    var fn = api[args[0]];
    if (typeof fn === "function") return fn.apply(api, args.slice(1));
  };
  api._loaded = true;
  api.setUser = function (user) { post({ type: "setUser", user: user || null }); };
  api.logout = function () { post({ type: "setUser", user: null }); };
  api.setAttributes = function (attributes) { post({ type: "setAttributes", attributes: attributes || {} }); };
  api.setLocale = function (locale) { state.locale = locale; post({ type: "setLocale", locale: locale }); };
  api.open = function () {
    if (!box) { state.open = true; return; }
    state.open = true;
    box.classList.add("dstk-open");
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", state.labelClose || "Close chat");
    launcher.classList.add("dstk-hide");
    icon.innerHTML = CLOSE;
    badge.hidden = true;
    post({ type: "open" });
    emit("open", {});
  };
  api.close = function () {
    var was = state.open;
    state.open = false;
    if (!box) return;
    box.classList.remove("dstk-open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.classList.remove("dstk-hide");
    icon.innerHTML = CHAT;
    setUnread(state.unread);
    post({ type: "close" });
    if (was) { emit("close", {}); launcher.focus(); }
  };
  api.toggle = function () { state.open ? api.close() : api.open(); };
  api.on = function (type, fn) { (listeners[type] = listeners[type] || []).push(fn); };
  api.off = function (type, fn) { listeners[type] = (listeners[type] || []).filter(function (f) { return f !== fn; }); };
  w.Destek = api;

  function start(config) {
    build(config);
    var wantOpen = state.open;
    state.open = false;
    if (wantOpen) api.open();
  }

  queued.forEach(function (args) { api.apply(null, args); });

  var url = origin + "/api/v1/public/inboxes/" + encodeURIComponent(inbox) + (state.locale ? "?locale=" + encodeURIComponent(state.locale) : "");
  fetch(url, { credentials: "omit" })
    .then(function (r) {
      if (!r.ok) throw new Error("Destek: inbox " + inbox + " answered " + r.status);
      return r.json();
    })
    .then(function (config) {
      if (d.body) start(config);
      else d.addEventListener("DOMContentLoaded", function () { start(config); });
    })
    .catch(function (e) { if (w.console) console.warn(e.message || e); });
})();
