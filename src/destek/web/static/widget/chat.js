/* Destek chat page: the widget's iframe, or a full page in an app's WebView.
 *
 * Customer and agent text is only ever put in the page with textContent: never as HTML.
 * The contact token lives in localStorage when the browser allows it, else in memory; no cookies.
 * Live updates come over /api/v1/public/ws, resumed from the last seq after a drop; messages written
 * while offline are retried with the same client_message_id, so the server stores each once.
 */
(function () {
  "use strict";
  var d = document, w = window;
  var cfg = JSON.parse(d.getElementById("destek-config").textContent);
  var API = "/api/v1/public/inboxes/" + encodeURIComponent(cfg.inbox);
  var params = new URLSearchParams(location.search);
  // The page that embeds us (the loader's host page): its origin as the server accepted it, and only if the
  // browser agrees that it is our actual parent. Nothing is posted to, or accepted from, any other page.
  var parentOrigin = (function () {
    var claimed = cfg.embed ? cfg.parent_origin : null;
    if (!claimed || w.parent === w) return null;
    var actual = null;
    try {
      if (location.ancestorOrigins && location.ancestorOrigins.length) actual = location.ancestorOrigins[0];
      else if (d.referrer) actual = new URL(d.referrer).origin;
    } catch (e) { actual = null; }
    if (actual !== claimed) {
      if (w.console) console.warn("Destek: not talking to the parent page: it is " + actual + ", not " + claimed);
      return null;
    }
    return claimed;
  })();
  var $ = function (id) { return d.getElementById(id); };

  // --- text in the user's language ------------------------------------------------------------
  var locale = cfg.locale;
  function t(s, vars) {
    var c = cfg.catalogs[locale];
    var out = (c && c[s]) || s;
    if (vars) Object.keys(vars).forEach(function (k) { out = out.split("{" + k + "}").join(vars[k]); });
    return out;
  }
  function supported(tag) {
    if (!tag) return null;
    var base = String(tag).replace("_", "-").split("-")[0].toLowerCase();
    return base === "en" || cfg.catalogs[base] ? base : null;
  }
  var STATIC = [
    ["close", "aria-label", "Close chat"], ["log", "aria-label", "Messages"],
    ["earlier", "text", "Show earlier messages"], ["prechat-intro", "text", "Before we start, tell us how to reach you."],
    ["lbl-name", "text", "Your name"], ["lbl-email", "text", "Your email"],
    ["attach-label", "title", "Attach a file"], ["attach-text", "text", "Attach a file"],
    ["text-label", "text", "Write a message"], ["text", "placeholder", "Write a message…"],
    ["send", "aria-label", "Send"], ["new-conversation", "text", "New conversation"],
    ["faq-toggle-text", "text", "Help articles"], ["faq-title", "text", "Help articles"],
    ["faq-label", "text", "Search our help articles"], ["faq-q", "placeholder", "Search our help articles"],
    ["faq-empty", "text", "No articles found. Write to us below."], ["new-messages", "text", "New messages ↓"]
  ];
  function applyLocale() {
    d.documentElement.lang = locale;
    STATIC.forEach(function (s) {
      var el = $(s[0]);
      if (!el) return;
      if (s[1] === "text") el.textContent = t(s[2]); else el.setAttribute(s[1], t(s[2]));
    });
  }

  // --- storage: localStorage when allowed (third-party iframes may refuse it), else memory -------
  var store = (function () {
    try {
      var k = "destek:probe";
      w.localStorage.setItem(k, "1");
      w.localStorage.removeItem(k);
      return w.localStorage;
    } catch (e) {
      var mem = {};
      return {
        getItem: function (k) { return Object.prototype.hasOwnProperty.call(mem, k) ? mem[k] : null; },
        setItem: function (k, v) { mem[k] = String(v); },
        removeItem: function (k) { delete mem[k]; }
      };
    }
  })();
  var TOKEN_KEY = "destek:" + cfg.inbox + ":token";

  // --- state -----------------------------------------------------------------------------------
  var S = {
    token: store.getItem(TOKEN_KEY),
    contact: null,
    user: null, // from setUser / the URL: {id, hash, name, email, phone}
    attributes: {},
    device: {},
    inbox: null, // the public inbox config
    convs: {}, // id -> {id, status, created_at, agent_last_read_at, contact_last_read_at, msgs: {}, rating, more}
    older: [], // conversation summaries not loaded yet, newest first
    pending: [], // messages on their way: {cmid, conv, content, attachment_ids, files, state, error, created_at}
    newMode: false, // the next message starts a new conversation
    batch: 0, // counts "new conversation"s: what was sent since shares one new conversation
    seq: null,
    ws: null,
    online: true,
    open: !cfg.embed,
    refused: null,
    unread: 0,
    drafts: {} // rating drafts by conversation id
  };

  // --- events out: the loader (postMessage), React Native, iOS WKWebView, Android, Flutter --------
  function postToParent(msg) {
    if (parentOrigin && w.parent !== w) w.parent.postMessage(msg, parentOrigin);
  }
  function emit(type, data) {
    var msg = { destek: 1, type: type };
    if (data) Object.keys(data).forEach(function (k) { msg[k] = data[k]; });
    postToParent(msg);
    var text = JSON.stringify(msg);
    try {
      if (w.ReactNativeWebView && w.ReactNativeWebView.postMessage) w.ReactNativeWebView.postMessage(text);
      if (w.webkit && w.webkit.messageHandlers && w.webkit.messageHandlers.destek) w.webkit.messageHandlers.destek.postMessage(msg);
      if (w.DestekAndroid && w.DestekAndroid.postMessage) w.DestekAndroid.postMessage(text);
      if (w.DestekFlutter && w.DestekFlutter.postMessage) w.DestekFlutter.postMessage(text);
    } catch (e) { /* a bridge that throws must not break the chat */ }
  }

  // --- HTTP ----------------------------------------------------------------------------------------
  function ApiError(status, body) {
    this.status = status;
    this.body = body;
    this.message = (body && body.error && body.error.message) || ("HTTP " + status);
  }
  function call(method, path, body) {
    var headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (S.token) headers.Authorization = "Bearer " + S.token;
    return fetch(API + path, {
      method: method, headers: headers, credentials: "omit",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      if (r.status === 204) return null;
      return r.json().catch(function () { return null; }).then(function (json) {
        if (!r.ok) throw new ApiError(r.status, json);
        return json;
      });
    });
  }
  function uuid() {
    if (w.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  // --- identity --------------------------------------------------------------------------------
  var chain = Promise.resolve();
  function serial(fn) { chain = chain.then(fn, fn); return chain; }

  function deviceInfo() {
    var info = { platform: "web" };
    try { info.timezone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { /* old browser */ }
    info.browser = navigator.userAgent.slice(0, 128);
    Object.keys(S.device).forEach(function (k) { info[k] = S.device[k]; });
    return info;
  }

  function saveToken(token) {
    var changed = token !== S.token;
    S.token = token;
    if (token) store.setItem(TOKEN_KEY, token); else store.removeItem(TOKEN_KEY);
    // The loader keeps a copy in the host page's own storage, for browsers that block ours (verified
    // parent only: see emit()).
    if (changed && parentOrigin) postToParent({ destek: 1, type: "token", token: token || null });
    if (changed) registerPush();
  }

  // The app's push token (FCM or APNs), registered for whoever the contact is now, so a reply the
  // customer has not read reaches the phone (docs/widget.md, "Push notifications").
  function registerPush() {
    var p = S.push;
    if (!p || !S.token) return;
    var token = S.token;
    call("PUT", "/devices", { provider: p.provider, token: p.token }).catch(function (e) {
      if (token === S.token) report(e);
    });
  }

  function identify(extra) {
    var u = S.user;
    var body = { device: deviceInfo() };
    if (S.localeExplicit) body.locale = locale; // else the contact keeps the language it has
    if (Object.keys(S.attributes).length) body.attributes = S.attributes;
    if (u) {
      body.identifier = String(u.id);
      if (u.hash) body.identifier_hash = u.hash;
      if (u.name) body.name = u.name;
      if (u.email) body.email = u.email;
      if (u.phone) body.phone = u.phone;
    }
    if (extra) Object.keys(extra).forEach(function (k) { if (extra[k]) body[k] = extra[k]; });
    return call("POST", "/contacts", body).then(function (out) {
      var changed = !S.contact || S.contact.id !== out.contact.id;
      saveToken(out.token);
      S.contact = out.contact;
      adoptLocale(out.contact);
      S.refused = null;
      showRefusal();
      if (changed) return reset();
    }, function (e) {
      if (e.status === 401 && u) {
        // A wrong or missing identity hash: say so, and never fall back to someone else's chat.
        saveToken(null);
        S.contact = null;
        S.refused = u.hash ? t("We could not verify your account, so the chat is not available. Please sign in again.")
          : t("This chat needs you to be signed in to the app. Please sign in and try again.");
        S.convs = {}; S.pending = []; S.older = [];
        forgetCreations();
        closeSocket();
        showRefusal();
        render();
        emit("error", { error: { code: "identity_refused", message: e.message } });
        return;
      }
      throw e;
    });
  }

  function setUser(user) {
    return serial(function () {
      if (user && (user.id === undefined || user.id === null || user.id === "")) user = null;
      if (!user && !S.user) return;
      var was = S.user;
      S.user = user ? { id: String(user.id), hash: user.hash || user.user_hash || null, name: user.name, email: user.email, phone: user.phone } : null;
      if (!user) {
        // Log out: a new anonymous visitor, nothing of the user's chat stays on screen.
        saveToken(null);
        S.contact = null;
        S.refused = null;
        S.convs = {}; S.pending = []; S.older = [];
        forgetCreations();
        closeSocket();
        showRefusal();
        render();
        return;
      }
      if (was && was.id === S.user.id && was.hash === S.user.hash && S.contact) return;
      return identify();
    });
  }

  function setAttributes(attrs) {
    return serial(function () {
      Object.keys(attrs || {}).forEach(function (k) { S.attributes[k] = attrs[k]; });
      if (S.token && S.contact) return call("PATCH", "/contact", { attributes: attrs }).catch(report);
    });
  }

  function setLocale(tag, fromContact) {
    var found = supported(tag);
    if (!fromContact) S.localeExplicit = true;
    if (!found || found === locale) return;
    locale = found;
    applyLocale();
    loadConfig();
    render();
    if (!fromContact && S.token && S.contact) call("PATCH", "/contact", { locale: found }).catch(report);
  }

  // Without a language chosen by the app or the URL, speak the contact's (known from earlier visits);
  // a contact without one gets the browser's, so agents know it too.
  function adoptLocale(contact) {
    if (S.localeExplicit) return;
    if (supported(contact.locale)) setLocale(contact.locale, true);
    else if (!contact.locale) call("PATCH", "/contact", { locale: locale }).catch(report);
  }

  function ensureContact() {
    return serial(function () {
      if (S.refused) throw new Error(S.refused);
      var told = prechatValues();
      if (S.token && S.contact) {
        // A returning visitor who answers the pre-chat form now: store what they told us.
        if (!Object.keys(told).length) return;
        return call("PATCH", "/contact", told).then(function (c) { S.contact = c; });
      }
      return identify(told);
    });
  }

  // --- loading ---------------------------------------------------------------------------------
  var convSerial = 0;
  function conv(c) {
    var found = S.convs[c.id];
    // n tells this object from an earlier one for the same conversation (after a reset): see draw().
    if (!found) found = S.convs[c.id] = { id: c.id, msgs: {}, rating: undefined, more: false, n: ++convSerial };
    ["status", "created_at", "agent_last_read_at", "contact_last_read_at", "last_activity_at", "merged_into_id"].forEach(function (k) {
      if (c[k] !== undefined) found[k] = c[k];
    });
    return found;
  }

  function reset() {
    S.convs = {}; S.older = []; S.seq = null; S.newMode = false; S.loaded = false;
    creations = {}; // another contact now: what is still to be sent starts that contact's conversation
    closeSocket();
    return loadHistory().then(connect);
  }

  function loadMessages(c, before) {
    var q = "?limit=50" + (before ? "&before=" + before : "");
    return call("GET", "/conversations/" + c.id + "/messages" + q).then(function (list) {
      list.forEach(addMessage);
      c.more = list.length === 50;
      if (c.status === "resolved" && c.rating === undefined) return loadRating(c);
    });
  }

  function loadRating(c) {
    return call("GET", "/conversations/" + c.id + "/rating").then(function (r) { c.rating = r; });
  }

  function loadHistory() {
    if (!S.token) { render(); return Promise.resolve(); }
    return call("GET", "/conversations").then(function (list) {
      // Newest activity first; show the three most recent, the rest behind "Show earlier messages".
      list.sort(function (a, b) { return byTime(b, a); });
      var shown = list.slice(0, 3);
      S.older = list.slice(3);
      shown.forEach(conv);
      return Promise.all(shown.map(function (c) { return loadMessages(S.convs[c.id]); }));
    }).then(function () { S.loaded = true; render(true); countUnread(); }, function (e) {
      if (e.status === 401) { saveToken(null); S.contact = null; render(); return; }
      report(e);
    });
  }

  function loadEarlier() {
    var loaded = sortedConvs();
    var oldest = loaded[0];
    var p;
    if (oldest && oldest.more) {
      var first = sortedMsgs(oldest)[0];
      p = loadMessages(oldest, first && first.id);
    } else if (S.older.length) {
      var next = conv(S.older.shift());
      p = loadMessages(next);
    } else return;
    var log = $("log");
    keepPlace = log.scrollHeight - log.scrollTop; // drawn above what the customer reads: it stays in place
    p.then(function () { render(); }).catch(report);
  }

  function backAt(when) {
    var soon = when - Date.now() < 6 * 864e5; // within the week: the day's name is enough
    var parts = { weekday: "long", hour: "2-digit", minute: "2-digit" };
    if (!soon) { parts.day = "numeric"; parts.month = "long"; }
    try { return new Intl.DateTimeFormat(locale, parts).format(when); } catch (e) { return when.toLocaleString(); }
  }

  function loadConfig() {
    return fetch(API + "?locale=" + encodeURIComponent(locale), { credentials: "omit" })
      .then(function (r) { return r.json(); })
      .then(function (inbox) {
        if (inbox && inbox.error) throw new ApiError(403, inbox);
        S.inbox = inbox;
        var notice = inbox.reply_notice || {
          minutes: t("Typically replies in a few minutes"),
          hours: t("Typically replies in a few hours"),
          day: t("Typically replies within a day")
        }[inbox.reply_time];
        // Out of the team's business hours: when it is back, in the customer's own time zone.
        if (inbox.open_now === false) {
          notice = inbox.opens_at
            ? t("We are away now. We are back {when}.", { when: backAt(new Date(inbox.opens_at)) })
            : t("We are away now. Leave a message and we will answer.");
        }
        $("notice").hidden = !notice;
        $("notice").textContent = notice || "";
        render();
      }).catch(report);
  }

  // --- the model ---------------------------------------------------------------------------------
  function addMessage(m) {
    if (m.private) return; // the API never sends notes; never show one anyway
    var c = S.convs[m.conversation_id];
    if (!c) {
      c = conv({ id: m.conversation_id, status: "open", created_at: m.created_at });
      call("GET", "/conversations/" + m.conversation_id).then(function (full) { conv(full); render(); }).catch(report);
    }
    var isNew = !c.msgs[m.id];
    c.msgs[m.id] = m;
    if (m.client_message_id) {
      S.pending = S.pending.filter(function (p) { return p.cmid !== m.client_message_id; });
    }
    return isNew;
  }

  function ms(iso) { return iso ? Date.parse(iso) : 0; }
  function byTime(a, b) { return ms(a.created_at) - ms(b.created_at) || a.id - b.id; }
  function sortedConvs() {
    return Object.keys(S.convs).map(function (k) { return S.convs[k]; }).sort(byTime);
  }
  function sortedMsgs(c) {
    return Object.keys(c.msgs).map(function (k) { return c.msgs[k]; }).sort(byTime);
  }
  // Where the next message goes: the newest conversation that was not merged into another one.
  function latest() {
    var all = sortedConvs().filter(function (c) { return !c.merged_into_id; });
    return all[all.length - 1] || null;
  }

  function visible() { return S.open && d.visibilityState === "visible"; }

  function countUnread() {
    var n = 0;
    sortedConvs().forEach(function (c) {
      sortedMsgs(c).forEach(function (m) {
        if (m.direction === "out" && ms(m.created_at) > ms(c.contact_last_read_at)) n++;
      });
    });
    if (visible() && n) { markRead(); n = 0; }
    if (n !== S.unread) { S.unread = n; emit("unread", { count: n }); }
  }

  function markRead() {
    sortedConvs().forEach(function (c) {
      var last = sortedMsgs(c).filter(function (m) { return m.direction === "out"; }).pop();
      if (last && ms(last.created_at) > ms(c.contact_last_read_at)) {
        c.contact_last_read_at = last.created_at;
        call("POST", "/conversations/" + c.id + "/read").catch(report);
      }
    });
  }

  // --- sending ---------------------------------------------------------------------------------
  // Everything sent before a new conversation exists (a text, several files at once) goes into one
  // conversation: the first to need it starts it, the others wait for that same request. A "batch" is
  // the run of messages between two "new conversation"s (S.batch counts them).
  var creations = {}; // batch -> promise of the conversation started for it
  function conversationFor(batch, message) {
    var running = creations[batch];
    if (running) return running.then(function (c) { return { conv: c, message: null }; });
    var started = call("POST", "/conversations", message ? { message: message } : {}).then(function (out) {
      if (batch === S.batch) S.newMode = false;
      var c = conv(out.conversation);
      connect();
      return { conv: c, message: out.message || null };
    });
    var only = creations[batch] = started.then(function (r) { return r.conv; });
    // A failed start is tried again by the next message (the same client_message_id keeps it once).
    only.catch(function () { if (creations[batch] === only) delete creations[batch]; });
    return started;
  }
  function forgetCreations() { creations = {}; S.batch++; } // logged out: nothing carries over

  function send(content, attachmentIds, files, into) {
    if (S.refused) return;
    var target = into || (S.newMode ? null : latest());
    var p = {
      batch: S.batch,
      cmid: uuid(), conv: target ? target.id : null, content: content || "",
      attachment_ids: attachmentIds || [], files: files || [], state: "sending",
      created_at: new Date().toISOString(), tries: 0
    };
    S.pending.push(p);
    if (!target) S.newMode = true;
    render(true);
    typingStopped();
    deliver(p);
  }

  function deliver(p) {
    p.state = "sending";
    p.tries++;
    var body = { content: p.content, client_message_id: p.cmid, attachment_ids: p.attachment_ids };
    function post() {
      return call("POST", "/conversations/" + p.conv + "/messages", body).then(function (m) {
        var c = S.convs[p.conv];
        if (c && c.status === "resolved") c.status = "open"; // writing again reopens it
        addMessage(m);
        emit("message", { message: m });
      });
    }
    ensureContact().then(function () {
      if (p.conv === null) {
        return conversationFor(p.batch, body).then(function (r) {
          p.conv = r.conv.id;
          if (r.message) { addMessage(r.message); emit("message", { message: r.message }); return; }
          return post(); // it was started by another message of the batch (a file): write into it
        });
      }
      return post();
    }).then(function () { render(true); }, function (e) {
      if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) {
        if (e.status === 401 && !S.refused) {
          // The token expired or the user was verified since: identify again, then retry once more.
          saveToken(null); S.contact = null;
          if (p.tries < 3) return deliver(p);
        }
        p.state = "failed";
        p.error = e.message;
      } else {
        p.state = "waiting"; // offline or a server hiccup: retried with the same client_message_id
        scheduleRetry();
      }
      render();
    });
  }

  var retryTimer = null, retryDelay = 1000;
  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () {
      retryTimer = null;
      retryDelay = Math.min(retryDelay * 2, 30000);
      retryPending();
    }, retryDelay);
  }
  function retryPending() {
    S.pending.forEach(function (p) { if (p.state === "waiting") deliver(p); });
  }

  // --- attachments: choose or paste, uploaded with progress (XHR), then sent ----------------------
  function upload(file) {
    var tray = $("uploads");
    var row = d.createElement("div");
    row.className = "upload";
    row.setAttribute("data-upload", "");
    var name = d.createElement("span");
    name.className = "name";
    name.textContent = file.name || t("Screenshot");
    var bar = d.createElement("progress");
    bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", t("Uploading {name}", { name: name.textContent }));
    row.appendChild(name); row.appendChild(bar);
    tray.appendChild(row);
    var target = S.newMode ? null : latest(), batch = S.batch;
    ensureContact().then(function () {
      if (target) return target;
      // A file can only be uploaded into a conversation: start one (empty) first, shared with the
      // other files and any text of this batch.
      return conversationFor(batch).then(function (r) { return r.conv; });
    }).then(function (c) {
      return new Promise(function (resolve, reject) {
        var xhr = new XMLHttpRequest();
        xhr.open("POST", API + "/conversations/" + c.id + "/attachments");
        xhr.setRequestHeader("Authorization", "Bearer " + S.token);
        xhr.upload.onprogress = function (ev) { if (ev.lengthComputable) bar.value = Math.round(ev.loaded * 100 / ev.total); };
        xhr.onload = function () {
          var json = null;
          try { json = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
          if (xhr.status === 201) resolve({ conv: c, file: json });
          else reject(new ApiError(xhr.status, json));
        };
        xhr.onerror = function () { reject(new ApiError(0, null)); };
        var form = new FormData();
        form.append("file", file, file.name || "screenshot.png");
        xhr.send(form);
      });
    }).then(function (done) {
      bar.value = 100;
      tray.removeChild(row);
      send("", [done.file.id], [done.file], done.conv);
    }, function (e) {
      row.classList.add("failed");
      bar.remove();
      var why = d.createElement("span");
      why.textContent = e.status === 413 ? t("This file is too large.") : e.status === 415 ? t("This type of file cannot be sent.") : t("Upload failed.");
      row.appendChild(why);
      var x = d.createElement("button");
      x.type = "button"; x.textContent = "×"; x.setAttribute("aria-label", t("Dismiss"));
      x.onclick = function () { row.remove(); };
      row.appendChild(x);
    });
  }

  // --- typing ----------------------------------------------------------------------------------
  var typingSentAt = 0, typingIdle = null;
  function typingStarted() {
    var c = latest();
    if (!c || !S.token || S.newMode) return;
    clearTimeout(typingIdle);
    typingIdle = setTimeout(typingStopped, 4000);
    if (Date.now() - typingSentAt > 3000) {
      typingSentAt = Date.now();
      call("POST", "/conversations/" + c.id + "/typing", { typing: true }).catch(function () {});
    }
  }
  function typingStopped() {
    clearTimeout(typingIdle);
    if (!typingSentAt) return;
    typingSentAt = 0;
    var c = latest();
    if (c && S.token) call("POST", "/conversations/" + c.id + "/typing", { typing: false }).catch(function () {});
  }
  var theirTyping = null;
  function showTyping(frame) {
    var el = $("typing");
    clearTimeout(theirTyping);
    if (frame.typing && frame.sender && frame.sender.type !== "contact") {
      el.textContent = t("{name} is typing…", { name: frame.sender.name || t("Support") });
      el.hidden = false;
      theirTyping = setTimeout(function () { el.hidden = true; }, 8000);
      if (pinned) jump();
    } else el.hidden = true;
  }

  // --- live updates ------------------------------------------------------------------------------
  var wsDelay = 1000, wsTimer = null, watchdog = null, statusTimer = null;
  function connect() {
    if (!S.token || S.ws || S.refused) return;
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/v1/public/ws";
    var ws;
    try { ws = new WebSocket(url); } catch (e) { return reconnectLater(); }
    S.ws = ws;
    var heartbeat = 25;
    function alive() {
      clearTimeout(watchdog);
      watchdog = setTimeout(function () { try { ws.close(); } catch (e) { /* closed */ } }, heartbeat * 2000 + 5000);
    }
    ws.onopen = function () {
      ws.send(JSON.stringify({ type: "subscribe", inbox: cfg.inbox, token: S.token, since: S.seq }));
      alive();
    };
    ws.onmessage = function (ev) {
      alive();
      var f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      if (f.type === "subscribed") {
        heartbeat = f.heartbeat || heartbeat;
        var fresh = S.seq === null;
        if (fresh) {
          S.seq = f.seq;
          // Anything that happened between the first load and this subscription: fetch it again.
          loadGap();
        }
      } else if (f.type === "event") {
        S.seq = f.seq;
        apply(f.event);
      } else if (f.type === "caught_up") {
        S.seq = f.seq;
        wsDelay = 1000;
        setStatus(null);
        retryDelay = 1000;
        retryPending();
      } else if (f.type === "resync") {
        S.seq = f.seq;
        loadHistory();
      } else if (f.type === "typing") {
        showTyping(f);
      }
    };
    ws.onclose = function (ev) {
      clearTimeout(watchdog);
      if (S.ws !== ws) return;
      S.ws = null;
      if (ev.code === 4001) {
        // The token no longer speaks for this contact (e.g. the user got verified): identify again.
        saveToken(null); S.contact = null;
        if (S.user) serial(function () { return identify(); });
        return;
      }
      reconnectLater();
    };
  }
  function reconnectLater() {
    clearTimeout(statusTimer);
    statusTimer = setTimeout(function () { if (!S.ws || S.ws.readyState !== 1) setStatus(t("Reconnecting…")); }, 1500);
    clearTimeout(wsTimer);
    wsTimer = setTimeout(connect, wsDelay);
    wsDelay = Math.min(wsDelay * 2, 30000);
  }
  function closeSocket() {
    var ws = S.ws;
    S.ws = null;
    clearTimeout(wsTimer); clearTimeout(watchdog);
    if (ws) try { ws.close(); } catch (e) { /* closed */ }
  }
  function loadGap() {
    sortedConvs().forEach(function (c) {
      var last = sortedMsgs(c).pop();
      call("GET", "/conversations/" + c.id + "/messages?limit=100" + (last ? "&after=" + last.id : ""))
        .then(function (list) { render(list.filter(addMessage).length ? "new" : false); countUnread(); }).catch(report);
    });
  }

  function apply(e) {
    if (e.type === "message.created" || e.type === "message.updated") {
      var fresh = addMessage(e.message);
      render(fresh && e.type === "message.created" ? "new" : false);
      if (fresh && e.type === "message.created" && e.message.direction === "out") {
        emit("message", { message: e.message });
        // Screen readers hear the new answer once (the log itself is not a live region).
        $("announce").textContent = (e.message.sender && e.message.sender.name ? e.message.sender.name + ": " : "") +
          (e.message.content || (e.message.attachments || []).map(function (f) { return f.filename; }).join(", "));
        $("typing").hidden = true;
      }
      countUnread();
    } else if (e.type === "conversation.created") {
      conv(e.conversation); render();
    } else if (e.type === "conversation.updated") {
      var c = conv(e.conversation);
      if (c.status === "resolved" && c.rating === undefined) loadRating(c).then(function () { render(); }).catch(report);
      render();
    } else if (e.type === "conversation.read") {
      var r = S.convs[e.conversation_id];
      if (!r) return;
      var at = e.read_at;
      if (e.reader_type === "agent") r.agent_last_read_at = at; else r.contact_last_read_at = at;
      render();
      countUnread();
    } else if (e.type === "conversation.rated") {
      var rc = S.convs[e.rating.conversation_id];
      if (rc) { rc.rating = e.rating; render(); }
    }
  }

  // --- rendering -------------------------------------------------------------------------------
  function el(tag, cls, text) {
    var n = d.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = text;
    return n;
  }
  function time(iso) {
    try { return new Date(iso).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" }); } catch (e) { return ""; }
  }
  // http(s) URLs in a message's text become links; what ends a sentence after one ("." "," ")" …) is not part
  // of it. Built as text nodes and <a> elements: the text is never parsed as HTML.
  var URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"]+/gi, TRAILING = ".,;:!?'\"*…»”’";
  function trimUrl(u) {
    function count(ch) { return u.split(ch).length - 1; }
    for (;;) {
      var last = u.slice(-1);
      if (last && TRAILING.indexOf(last) >= 0) u = u.slice(0, -1);
      else if (last === ")" && count("(") < count(")")) u = u.slice(0, -1);
      else if (last === "]" && count("[") < count("]")) u = u.slice(0, -1);
      else return u;
    }
  }
  function linkify(box, text) {
    var from = 0, found;
    URL_IN_TEXT.lastIndex = 0;
    while ((found = URL_IN_TEXT.exec(text))) {
      var url = trimUrl(found[0]), href = null;
      try {
        var parsed = new URL(url);
        if ((parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname) href = parsed.href;
      } catch (e) { href = null; }
      if (!href) continue;
      if (found.index > from) box.appendChild(d.createTextNode(text.slice(from, found.index)));
      var a = el("a", null, url);
      a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer";
      box.appendChild(a);
      from = found.index + url.length;
    }
    if (from < text.length) box.appendChild(d.createTextNode(text.slice(from)));
    return box;
  }
  function safeUrl(u) { return typeof u === "string" && u.charAt(0) === "/" && u.charAt(1) !== "/" ? u : "#"; }

  // --- keyed rendering: one DOM node per thing on screen, kept from draw to draw ------------------
  // A draw lists what should be on screen, in order, as specs {k: key, s: signature, make: fn(old)}. A node
  // whose signature did not change is left alone (a customer's text selection, the focus or a running
  // animation in it survive); a changed one is updated (make gets the old node) or replaced; new ones are
  // inserted where they belong, and nodes no longer listed are removed.
  var syncs = 0;
  function sync(parent, list, from, into, added) {
    var tok = ++syncs, nodes = list.map(function (x) {
      var old = from[x.k] || (x.alt && from[x.alt]), node = old;
      if (!old || x.s === undefined || old._s !== x.s) {
        node = x.make(old);
        if (!old && added) added.push(node);
        if (old && node !== old && old.parentNode) old.parentNode.replaceChild(node, old);
        node._s = x.s;
      }
      node._tok = tok;
      into[x.k] = node;
      return node;
    });
    for (var n = parent.firstChild, next; n; n = next) {
      next = n.nextSibling;
      if (n._tok !== tok) parent.removeChild(n);
    }
    var at = parent.firstChild;
    nodes.forEach(function (node) {
      if (node === at) at = at.nextSibling;
      else {
        if (node.parentNode && node.classList) node.classList.remove("new"); // moved: no replayed animation
        parent.insertBefore(node, at);
      }
    });
  }
  function spec(k, s, make) { return { k: k, s: s, make: make }; }

  function files(list) {
    var box = el("div", "files");
    list.forEach(function (f) {
      if (/^image\//.test(f.content_type)) {
        var a = el("a");
        a.href = safeUrl(f.url); a.target = "_blank"; a.rel = "noopener";
        var img = el("img");
        img.src = safeUrl(f.url); img.alt = f.filename; img.loading = "lazy";
        if (f.width && f.height) { img.width = Math.min(220, f.width); }
        a.appendChild(img);
        box.appendChild(a);
      } else {
        var link = el("a", "file", f.filename);
        link.href = safeUrl(f.url); link.setAttribute("download", f.filename);
        box.appendChild(link);
      }
    });
    return box;
  }

  // A message's row: its parts (name, text, files, quick replies, status) are kept and updated one by one,
  // so "Sent" turning "Read" touches the status line only. New rows get the "new" class: the only ones
  // that play the entry animation.
  function bubble(key, m, opts, cls) {
    var mine = m.direction === "in", parts = [];
    if (!mine && opts.showName) {
      var who = m.sender && m.sender.name ? m.sender.name : t("Support");
      parts.push(spec("w", who, function () { return el("div", "who", who); }));
    }
    if (m.content) {
      var title = m.created_at ? new Date(m.created_at).toLocaleString(locale) : "";
      parts.push(spec("b", m.content + "\n" + title, function (old) {
        var b = old && old.textContent === m.content ? old : linkify(el("div", "bubble"), m.content);
        if (title) b.title = title; else b.removeAttribute("title");
        return b;
      }));
    }
    if (m.attachments && m.attachments.length) {
      parts.push(spec("f", JSON.stringify(m.attachments.map(function (f) {
        return [f.url, f.filename, f.content_type, f.width, f.height];
      })), function () { return files(m.attachments); }));
    }
    if (!mine && m.content_type === "quick_replies" && m.content_attributes && Array.isArray(m.content_attributes.quick_replies)) {
      var replies = m.content_attributes.quick_replies, off = !opts.lastOfConversation || !!S.refused;
      parts.push(spec("q", JSON.stringify([off, replies.map(function (r) { return r.title; })]), function () {
        var q = el("div", "quick");
        q.setAttribute("role", "group");
        replies.forEach(function (r) {
          var b = el("button", null, r.title);
          b.type = "button";
          b.disabled = off;
          b.onclick = function () { send(r.title); };
          q.appendChild(b);
        });
        return q;
      }));
    }
    if (opts.meta) {
      parts.push(spec("m", opts.status + "\n" + opts.meta, function () {
        var meta = el("div", "meta", opts.meta);
        meta.setAttribute("data-status", opts.status || "");
        return meta;
      }));
      if (opts.retry) {
        parts.push(spec("r", "", function () {
          var again = el("button", "btn secondary", t("Try again"));
          again.type = "button";
          again.onclick = opts.retry;
          return again;
        }));
      }
    }
    cls = "msg " + (mine ? "in" : "out") + (cls || "");
    var id = String(m.id || m.cmid);
    var row = spec(key, [cls, id].concat(parts.map(function (x) { return x.k + x.s; })).join("\n"), function (row) {
      if (!row) {
        row = el("div", "new");
        row.addEventListener("animationend", function () { row.classList.remove("new"); });
      }
      row.className = cls + (row.classList.contains("new") ? " new" : "");
      row.setAttribute("data-message", id);
      var into = {};
      sync(row, parts, row._parts || {}, into);
      row._parts = into;
      return row;
    });
    // The optimistic bubble of a message this page sent becomes the message's row when the server has it.
    if (m.client_message_id) row.alt = "p" + m.client_message_id;
    return row;
  }

  function stars(n) { return "★★★★★".slice(0, n) + "☆☆☆☆☆".slice(0, 5 - n); }

  function ratingCard(c) {
    var box = el("section", "rating");
    box.setAttribute("data-rating", c.id);
    var draft = S.drafts[c.id];
    var given = c.rating;
    var editable = given && new Date(given.editable_until) > new Date();
    if (given && !draft) {
      box.appendChild(el("p", "thanks", t("Thank you! You rated this conversation {stars}.", { stars: stars(given.score) })));
      if (given.comment) box.appendChild(el("p", null, given.comment));
      if (editable) {
        var change = el("button", "btn secondary", t("Change rating"));
        change.type = "button";
        change.onclick = function () { S.drafts[c.id] = { score: given.score, comment: given.comment }; render(); };
        box.appendChild(change);
      }
      return box;
    }
    draft = draft || (S.drafts[c.id] = { score: 0, comment: "" });
    var h = el("h2", null, t("How was our help?"));
    h.id = "rate-title-" + c.id;
    box.appendChild(h);
    var group = el("div", "scores");
    group.setAttribute("role", "group");
    group.setAttribute("aria-labelledby", h.id);
    var faces = ["😞", "🙁", "😐", "🙂", "😍"];
    var names = [t("Very bad"), t("Bad"), t("Okay"), t("Good"), t("Great")];
    faces.forEach(function (face, i) {
      var b = el("button", null, face);
      b.type = "button";
      b.setAttribute("aria-pressed", draft.score === i + 1 ? "true" : "false");
      b.setAttribute("aria-label", (i + 1) + " – " + names[i]);
      b.title = names[i];
      b.setAttribute("data-score", String(i + 1));
      b.setAttribute("data-focus", "score-" + c.id + "-" + (i + 1));
      b.onclick = function () { draft.score = i + 1; render(); };
      group.appendChild(b);
    });
    box.appendChild(group);
    if (draft.score) {
      var label = el("label", "sr-only", t("Tell us more (optional)"));
      label.htmlFor = "rate-comment-" + c.id;
      var ta = el("textarea");
      ta.id = "rate-comment-" + c.id;
      ta.setAttribute("data-focus", ta.id);
      ta.maxLength = 2000;
      ta.placeholder = t("Tell us more (optional)");
      ta.value = draft.comment;
      ta.oninput = function () { draft.comment = ta.value; };
      box.appendChild(label);
      box.appendChild(ta);
      var actions = el("div", "actions");
      var submit = el("button", "btn", t("Send rating"));
      submit.type = "button";
      submit.setAttribute("data-focus", "rate-send-" + c.id);
      submit.onclick = function () {
        submit.disabled = true;
        call("PUT", "/conversations/" + c.id + "/rating", { score: draft.score, comment: draft.comment.trim() })
          .then(function (r) { c.rating = r; delete S.drafts[c.id]; render(); })
          .catch(function (e) { submit.disabled = false; report(e); setStatus(e.message); });
      };
      actions.appendChild(submit);
      box.appendChild(actions);
    }
    return box;
  }

  // render(true): show the newest message (opening, the customer's own message); render("new"): messages
  // arrived, followed when the customer is at the bottom, else the "New messages" pill tells of them.
  var renderQueued = false, wantBottom = false, arrived = false, keepPlace = null;
  function render(how) {
    if (how === "new") arrived = true;
    else if (how) wantBottom = true;
    if (renderQueued) return;
    renderQueued = true;
    (w.requestAnimationFrame || setTimeout)(draw);
  }

  // --- keeping to the newest message ------------------------------------------------------------------
  // The log follows its bottom while the customer is there (or within 80 px of it), also when its height
  // changes later: images loading, the iframe shown at last (0 px high while closed). One who
  // scrolled up to read is left there. setTop is the scrollTop we set: its scroll event is not the customer's.
  var pinned = true, setTop = null;
  function nearBottom() { var l = $("log"); return l.scrollHeight - l.scrollTop - l.clientHeight < 80; }
  function jump() { var l = $("log"); l.scrollTop = l.scrollHeight; setTop = l.scrollTop; }
  function toBottom() { pinned = true; pill.hidden = true; jump(); }
  var pill = el("button", "new-messages");
  pill.type = "button";
  pill.id = "new-messages";
  pill.hidden = true;
  pill.onclick = toBottom;
  $("log").appendChild(pill);
  $("log").addEventListener("scroll", function () {
    var ours = $("log").scrollTop === setTop;
    setTop = null;
    if (ours) return; // our own jump: the content may have grown since
    pinned = nearBottom();
    if (pinned) pill.hidden = true;
  }, { passive: true });
  if (w.ResizeObserver) {
    var follow = new ResizeObserver(function () { if (pinned) jump(); });
    follow.observe($("log"));
    follow.observe($("items"));
  }
  $("log").addEventListener("load", function () { if (pinned) jump(); }, true); // load does not bubble

  var kept = {}; // key -> the node on screen: "c<id>" a conversation, "m<id>" a message, "p<cmid>" one on its way…
  function draw() {
    renderQueued = false;
    var log = $("log"), items = $("items");
    var force = wantBottom, fresh = arrived;
    wantBottom = arrived = false;
    var focused = d.activeElement && items.contains(d.activeElement) ? d.activeElement.getAttribute("data-focus") : null;
    var top = [], next = {}, added = [];
    function text(k, cls, s, tag) { return spec(k, s, function () { return el(tag || "div", cls, s); }); }
    if (S.inbox && S.inbox.greeting) top.push(text("g", "greeting", S.inbox.greeting, "p"));
    var all = sortedConvs();
    all.forEach(function (c, ci) {
      var list = [];
      if (ci > 0) list.push(text("c" + c.id + "d", "divider", t("New conversation")));
      var msgs = sortedMsgs(c);
      var lastMine = null;
      msgs.forEach(function (m) { if (m.direction === "in") lastMine = m; });
      var prevSender = null;
      msgs.forEach(function (m, i) {
        var opts = { lastOfConversation: i === msgs.length - 1 };
        var senderKey = m.direction + ":" + (m.sender ? m.sender.type + m.sender.id : "");
        opts.showName = senderKey !== prevSender;
        prevSender = senderKey;
        if (m === lastMine) {
          var read = m.status === "read" || (!!c.agent_last_read_at && ms(c.agent_last_read_at) >= Math.floor(ms(m.created_at)));
          opts.meta = read ? t("Read") : t("Sent");
          opts.status = read ? "read" : "sent";
        }
        list.push(bubble("m" + m.id, m, opts));
      });
      S.pending.forEach(function (p) {
        if (p.conv === c.id) list.push(pendingBubble(p));
      });
      if (c.merged_into_id) {
        list.push(text("c" + c.id + "e", "divider", t("This conversation continues in another one")));
      } else if (c.status === "resolved") {
        list.push(text("c" + c.id + "e", "divider", t("This conversation has been resolved")));
        if (c.rating !== undefined) {
          var draft = S.drafts[c.id], given = c.rating;
          var editable = !!given && new Date(given.editable_until) > new Date();
          var sig = JSON.stringify([c.n, locale, given, editable, draft ? draft.score : given ? -1 : 0]);
          list.push(spec("r" + c.id, sig, function () { return ratingCard(c); }));
        }
      }
      top.push(spec("c" + c.id, undefined, function (section) {
        if (!section) {
          section = el("section", "conversation");
          section.setAttribute("data-conversation", c.id);
        }
        sync(section, list, kept, next, added);
        return section;
      }));
    });
    var fresh = S.pending.filter(function (p) { return p.conv === null; });
    if (S.newMode && all.length) top.push(text("n", "divider", t("New conversation")));
    fresh.forEach(function (p) { top.push(pendingBubble(p)); });
    var last = latest();
    if (last && last.status === "resolved" && !S.newMode && !S.refused) {
      top.push(spec("s", t("Start a new conversation"), function () {
        var start = el("button", "btn", t("Start a new conversation"));
        start.type = "button";
        start.setAttribute("data-focus", "start-new");
        start.onclick = startNew;
        var wrap = el("div", "start-new");
        wrap.appendChild(start);
        return wrap;
      }));
    }
    sync(items, top, kept, next, added);
    kept = next;
    keepSelection(items, added);
    $("earlier").hidden = !(S.older.length || (all[0] && all[0].more));
    $("new-conversation").hidden = !all.length || S.newMode || !!S.refused;
    showPrechat();
    if (focused && !items.contains(d.activeElement)) {
      var again = items.querySelector('[data-focus="' + focused + '"]');
      if (again) again.focus();
    }
    if (keepPlace !== null) {
      log.scrollTop = log.scrollHeight - keepPlace;
      keepPlace = null;
      setTop = null;
      pinned = nearBottom();
    } else if (force) toBottom();
    else if (pinned || (fresh && nearBottom())) toBottom();
    else if (fresh) pill.hidden = false;
  }

  // A triple-click selects a message up to the start of whatever follows it: for the last one, that is the
  // composer below the log, so a message arriving next would land inside the selection. End such a
  // selection where the first new node starts, as if it had been there when the customer clicked.
  function keepSelection(items, added) {
    var sel = w.getSelection && w.getSelection();
    if (!sel || !sel.rangeCount || sel.isCollapsed) return;
    var r = sel.getRangeAt(0), first = null;
    if (items.contains(r.endContainer)) return;
    added.forEach(function (n) {
      if (r.comparePoint(n, 0) === 0 && (!first || n.compareDocumentPosition(first) & 4)) first = n;
    });
    if (!first) return;
    if (sel.anchorNode === r.startContainer && sel.anchorOffset === r.startOffset) sel.setBaseAndExtent(r.startContainer, r.startOffset, first, 0);
    else sel.setBaseAndExtent(first, 0, r.startContainer, r.startOffset);
  }

  function pendingBubble(p) {
    var m = { direction: "in", content: p.content, attachments: p.files, cmid: p.cmid };
    var text = p.state === "failed" ? t("Not sent: {reason}", { reason: p.error || "" })
      : p.state === "waiting" ? t("Waiting for connection…") : t("Sending…");
    return bubble("p" + p.cmid, m, { meta: text, status: p.state, retry: p.state === "failed" ? function () { deliver(p); render(); } : null },
      " pending" + (p.state === "failed" ? " failed" : ""));
  }

  function startNew() {
    S.newMode = true;
    S.batch++;
    render(true);
    $("text").focus();
  }

  function setStatus(text) {
    clearTimeout(statusTimer);
    var s = $("status");
    s.hidden = !text;
    s.textContent = text || "";
  }

  function showRefusal() {
    var r = $("refusal");
    r.hidden = !S.refused;
    r.textContent = S.refused || "";
    $("composer").hidden = !!S.refused;
  }

  function report(e) { if (w.console && e) console.warn("Destek:", e.message || e); }

  // --- pre-chat form -----------------------------------------------------------------------------
  function prechatNeeded() {
    var fields = (S.inbox && S.inbox.pre_chat_fields) || [];
    if (!fields.length || S.refused || sortedConvs().length) return [];
    return fields.filter(function (f) {
      if (S.user && S.user[f.field]) return false;
      return !(S.contact && S.contact[f.field]);
    });
  }
  function showPrechat() {
    var needed = prechatNeeded();
    var form = $("prechat");
    form.hidden = !needed.length;
    ["name", "email"].forEach(function (name) {
      var box = form.querySelector('[data-field="' + name + '"]');
      var f = needed.filter(function (x) { return x.field === name; })[0];
      box.hidden = !f;
      var input = box.querySelector("input");
      input.required = !!(f && f.required);
      input.setAttribute("aria-required", f && f.required ? "true" : "false");
    });
  }
  function prechatValues() {
    var out = {};
    prechatNeeded().forEach(function (f) {
      var v = $("prechat-" + f.field).value.trim();
      if (v) out[f.field] = v;
    });
    return out;
  }
  function prechatError() {
    var needed = prechatNeeded();
    for (var i = 0; i < needed.length; i++) {
      var input = $("prechat-" + needed[i].field), v = input.value.trim();
      if (needed[i].required && !v) return [input, needed[i].field === "name" ? t("Please tell us your name.") : t("Please tell us your email.")];
      if (needed[i].field === "email" && v && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v)) return [input, t("Please check your email address.")];
    }
    return null;
  }

  // --- help articles (the help center's FAQ search) ------------------------------------------------
  var faqTimer = null, faqAsked = 0;
  function searchArticles() {
    var q = $("faq-q").value.trim();
    var asked = ++faqAsked;
    var url = API + "/articles?limit=5&locale=" + encodeURIComponent(locale) + (q ? "&q=" + encodeURIComponent(q) : "");
    return fetch(url, { credentials: "omit" }).then(function (r) { return r.ok ? r.json() : []; }).then(function (hits) {
      if (asked !== faqAsked) return hits; // a newer search is on its way
      var list = $("faq-results");
      list.textContent = "";
      (Array.isArray(hits) ? hits : []).forEach(function (hit) {
        var li = el("li");
        var a = el("a", null, hit.title);
        a.href = /^https?:\/\//.test(hit.url) ? hit.url : safeUrl(hit.url);
        a.target = "_blank";
        a.rel = "noopener";
        li.appendChild(a);
        if (hit.snippet) li.appendChild(el("p", null, hit.snippet));
        list.appendChild(li);
      });
      $("faq-empty").hidden = !(q && !list.children.length);
      return hits;
    }).catch(function () { return []; });
  }
  function toggleFaq(show) {
    var panel = $("faq"), button = $("faq-toggle");
    panel.hidden = !show;
    button.setAttribute("aria-expanded", show ? "true" : "false");
    if (show) { searchArticles(); $("faq-q").focus(); }
  }
  function offerArticles() {
    // The button only shows when the help center has something to offer.
    searchArticles().then(function (hits) { $("faq-toggle").hidden = !(Array.isArray(hits) && hits.length); });
  }

  // --- wiring ----------------------------------------------------------------------------------
  function wire() {
    var text = $("text");
    $("composer").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var value = text.value;
      if (!value.trim()) return;
      var bad = prechatError();
      var err = $("prechat-error");
      if (bad) {
        err.textContent = bad[1]; err.hidden = false;
        bad[0].setAttribute("aria-invalid", "true");
        bad[0].focus();
        return;
      }
      err.hidden = true;
      text.value = "";
      autosize();
      send(value);
    });
    text.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        $("composer").requestSubmit ? $("composer").requestSubmit() : $("send").click();
      }
    });
    function autosize() { text.style.height = "auto"; text.style.height = Math.min(text.scrollHeight + 2, 128) + "px"; }
    text.addEventListener("input", function () { autosize(); if (text.value.trim()) typingStarted(); else typingStopped(); });
    $("file").addEventListener("change", function () {
      Array.prototype.forEach.call(this.files, upload);
      this.value = "";
    });
    d.addEventListener("paste", function (ev) {
      var items = (ev.clipboardData && ev.clipboardData.files) || [];
      if (!items.length || S.refused) return;
      ev.preventDefault();
      Array.prototype.forEach.call(items, upload);
    });
    $("earlier").addEventListener("click", loadEarlier);
    $("faq-toggle").addEventListener("click", function () { toggleFaq($("faq").hidden); });
    $("faq-q").addEventListener("input", function () { clearTimeout(faqTimer); faqTimer = setTimeout(searchArticles, 250); });
    $("faq-q").addEventListener("keydown", function (ev) { if (ev.key === "Escape") { ev.stopPropagation(); toggleFaq(false); $("faq-toggle").focus(); } });
    $("new-conversation").addEventListener("click", startNew);
    if (cfg.embed || params.get("close") === "1") {
      $("close").hidden = false;
      $("close").addEventListener("click", function () { emit("close"); });
    }
    d.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && cfg.embed) emit("close"); });
    d.addEventListener("visibilitychange", countUnread);
    w.addEventListener("online", function () { retryDelay = 1000; retryPending(); if (!S.ws) connect(); });
    w.addEventListener("message", onMessage);
  }

  // Messages from the loader (parent page) or from a native app (injected script: same origin).
  function onMessage(ev) {
    var fromParent = parentOrigin && ev.source === w.parent && ev.origin === parentOrigin;
    var fromNative = ev.source === w || (!cfg.embed && ev.origin === location.origin);
    if (!fromParent && !fromNative) return;
    var msg = ev.data;
    if (typeof msg === "string") { try { msg = JSON.parse(msg); } catch (e) { return; } }
    if (!msg || msg.destek !== 1 && !fromNative) return;
    command(msg);
  }
  function command(msg) {
    if (!msg || typeof msg.type !== "string") return;
    if (msg.type === "setUser") setUser(msg.user);
    else if (msg.type === "setAttributes") setAttributes(msg.attributes);
    else if (msg.type === "setLocale") setLocale(msg.locale);
    else if (msg.type === "setDevice") { Object.keys(msg.device || {}).forEach(function (k) { S.device[k] = msg.device[k]; }); }
    else if (msg.type === "open") { S.open = true; countUnread(); setTimeout(function () { $("text").focus(); }, 50); }
    else if (msg.type === "close") { S.open = false; }
    else if (msg.type === "init") boot(msg.token);
    else if (msg.type === "setPushToken" && (msg.provider === "fcm" || msg.provider === "apns") && msg.token) {
      S.push = { provider: msg.provider, token: String(msg.token) };
      registerPush();
    }
  }
  // For apps that inject JavaScript (evaluateJavascript / injectJavaScript / runJavaScript).
  w.DestekChat = {
    setUser: function (u) { command({ type: "setUser", user: u }); },
    setAttributes: function (a) { command({ type: "setAttributes", attributes: a }); },
    setLocale: function (l) { command({ type: "setLocale", locale: l }); },
    setDevice: function (dv) { command({ type: "setDevice", device: dv }); },
    setPushToken: function (provider, token) { command({ type: "setPushToken", provider: provider, token: token }); }
  };

  function fromUrl() {
    ["app_version", "os", "os_version", "device_model", "platform"].forEach(function (k) {
      if (params.get(k)) S.device[k] = params.get(k).slice(0, 128);
    });
    params.forEach(function (v, k) { if (k.indexOf("attr.") === 0) S.attributes[k.slice(5)] = v; });
    var id = params.get("user_id");
    if (id) {
      S.user = { id: id, hash: params.get("user_hash"), name: params.get("name"), email: params.get("email"), phone: params.get("phone") };
    }
  }

  function start() {
    applyLocale();
    wire();
    fromUrl();
    S.localeExplicit = cfg.locale_given;
    loadConfig();
    offerArticles();
    emit("ready", { labels: { open: t("Open chat"), close: t("Close chat") } });
    // Embedded by the loader: it answers "ready" with "init" and the contact token it keeps in the host
    // page's storage (ours may be blocked as third-party). A loader that never answers: go on alone.
    if (parentOrigin) setTimeout(boot, 3000); else boot();
  }

  var booted = false;
  function boot(hostToken) {
    if (booted) return;
    booted = true;
    if (typeof hostToken === "string" && hostToken && hostToken.length < 4096 && hostToken !== S.token) {
      S.token = hostToken;
      store.setItem(TOKEN_KEY, hostToken);
    } else if (S.token && !hostToken && parentOrigin) {
      postToParent({ destek: 1, type: "token", token: S.token }); // the host page did not have it yet
    }
    serial(function () {
      if (S.user) return identify();
      if (!S.token) return;
      return call("GET", "/contact").then(function (c) {
        S.contact = c;
        adoptLocale(c);
      }, function (e) {
        if (e.status === 401) { saveToken(null); return; }
        throw e;
      });
    }).then(function () {
      if (!S.refused && S.contact && !S.loaded) return loadHistory().then(connect);
      render();
    }).catch(report);
  }

  start();
})();
