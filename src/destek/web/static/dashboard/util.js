// Small helpers shared by the dashboard's modules: translations, DOM building, the API, times.
// Every text that comes from a customer or an agent goes into the page as text (textContent),
// never as HTML.

let catalog = {};
let uiLocale = document.documentElement.lang || "en";

export function setMessages(messages, locale) {
  catalog = messages || {};
  uiLocale = locale || uiLocale;
}

export function locale() {
  return uiLocale;
}

/** The translation of an English UI text; {name} placeholders are filled from vars. */
export function t(text, vars) {
  let found = catalog[text] || text;
  if (vars) {
    for (const [key, value] of Object.entries(vars)) found = found.split(`{${key}}`).join(String(value));
  }
  return found;
}

/** el("li", {class: "x", data: {number: 3}, on: {click: fn}}, "text", child) */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "data") for (const [k, v] of Object.entries(value)) node.dataset[k] = String(v);
    else if (key === "on") for (const [k, v] of Object.entries(value)) node.addEventListener(k, v);
    else if (key === "text") node.textContent = String(value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// http(s) URLs in a message's text; what ends a sentence after one ("." "," ")" …) is not part of it.
const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING = ".,;:!?'\"*…»”’";

function trimUrl(url) {
  const count = (char) => url.split(char).length - 1;
  for (;;) {
    const last = url.slice(-1);
    if (last && TRAILING.includes(last)) url = url.slice(0, -1);
    else if (last === ")" && count("(") < count(")")) url = url.slice(0, -1);
    else if (last === "]" && count("[") < count("]")) url = url.slice(0, -1);
    else return url;
  }
}

/** A message's text as nodes: text nodes, and <a> for each http(s) URL in it (never parsed as HTML). */
export function linkify(text) {
  const nodes = [];
  let from = 0;
  for (const match of String(text).matchAll(URL_IN_TEXT)) {
    const url = trimUrl(match[0]);
    let href = null;
    try {
      const parsed = new URL(url);
      if ((parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname) href = parsed.href;
    } catch {
      href = null;
    }
    if (!href) continue;
    if (match.index > from) nodes.push(document.createTextNode(text.slice(from, match.index)));
    nodes.push(el("a", { href, target: "_blank", rel: "noopener noreferrer", text: url }));
    from = match.index + url.length;
  }
  if (from < text.length) nodes.push(document.createTextNode(text.slice(from)));
  return nodes;
}

export const CSRF = { "X-Requested-With": "destek" };

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** An API error in the agent's language: known codes are translated, others keep the server's text. */
export function errorText(error) {
  if (!(error instanceof ApiError)) return error?.message || String(error);
  const { code, field } = error.body?.error || {};
  if (error.status === 429) return t("Too many requests: wait a moment and try again.");
  if (error.status >= 500) return t("The server had a problem. Try again in a moment.");
  switch (code) {
    case "too_large": return t("The file is too large.");
    case "unsupported_type": return t("This type of file cannot be sent.");
    case "not_found": return t("Not found: it may have been deleted or moved.");
    case "forbidden": return t("You are not allowed to do this.");
    case "conflict":
      if (field === "conversation") return t("This conversation was merged into another one: write there.");
      return t("Someone changed this meanwhile. Reload and try again.");
    case "invalid":
      if (field === "content") return t("Write a message or attach a file.");
      if (field === "private") return t("This cannot be sent as a private note.");
      if (/^email\.(cc|bcc|to)/.test(field || "")) return t("An address in Cc or Bcc is not valid: check them.");
      return error.message;
    default:
      return error.message;
  }
}

/** fetch JSON with the session cookie and the CSRF header; throws ApiError on 4xx/5xx. */
export async function api(path, { method = "GET", body, form } = {}) {
  const headers = { ...CSRF, Accept: "application/json" };
  const options = { method, headers, credentials: "same-origin" };
  if (form) options.body = form;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  if (response.status === 401) {
    window.location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError(401, null);
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// --- times, in the agent's language and the browser's time zone ---------------------------------

const formats = new Map();
function fmt(options) {
  const key = JSON.stringify(options);
  if (!formats.has(key)) formats.set(key, new Intl.DateTimeFormat(uiLocale, options));
  return formats.get(key);
}

export function dayKey(date) {
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

export function formatTime(iso) {
  return iso ? fmt({ hour: "2-digit", minute: "2-digit" }).format(new Date(iso)) : "";
}

export function formatDateTime(iso) {
  return iso ? fmt({ dateStyle: "medium", timeStyle: "short" }).format(new Date(iso)) : "";
}

/** "Today", "Yesterday" or the date, for a separator between days. */
export function formatDay(date) {
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (dayKey(date) === dayKey(today)) return t("Today");
  if (dayKey(date) === dayKey(yesterday)) return t("Yesterday");
  const sameYear = date.getFullYear() === today.getFullYear();
  return fmt(sameYear ? { weekday: "long", day: "numeric", month: "long" } : { dateStyle: "long" }).format(date);
}

/** The list's short time: 14:05 today, "Mon" this week, 12 Mar before. */
export function formatShort(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  const now = new Date();
  if (dayKey(date) === dayKey(now)) return formatTime(iso);
  if (now - date < 6 * 86400000) return fmt({ weekday: "short" }).format(date);
  return fmt({ day: "numeric", month: "short" }).format(date);
}

/** How long ago, in words: "5 min", "3 h", "2 d". */
export function formatAgo(iso) {
  if (!iso) return "";
  const minutes = Math.max(0, Math.round((Date.now() - new Date(iso)) / 60000));
  const rtf = new Intl.RelativeTimeFormat(uiLocale, { numeric: "auto", style: "narrow" });
  if (minutes < 60) return rtf.format(-minutes, "minute");
  if (minutes < 48 * 60) return rtf.format(-Math.round(minutes / 60), "hour");
  return rtf.format(-Math.round(minutes / 1440), "day");
}

/** How long since then, as a duration: "5 min", "3 hr", "2 days" (in the agent's language). */
export function formatDuration(iso) {
  const minutes = Math.max(0, Math.round((Date.now() - new Date(iso)) / 60000));
  const [value, unit] =
    minutes < 60 ? [minutes, "minute"] : minutes < 48 * 60 ? [Math.round(minutes / 60), "hour"] : [Math.round(minutes / 1440), "day"];
  return new Intl.NumberFormat(uiLocale, { style: "unit", unit, unitDisplay: "short" }).format(value);
}

/** Fill every <time datetime> the server rendered, in the agent's language and zone. */
export function localizeTimes(root) {
  for (const node of root.querySelectorAll("time[datetime]")) {
    const iso = node.getAttribute("datetime");
    if (!iso) continue;
    node.textContent = node.dataset.format === "relative" ? formatAgo(iso) : formatDateTime(iso);
    node.title = formatDateTime(iso);
  }
}

export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** Typing in a field: single-key shortcuts must not fire. */
export function isTyping(target) {
  if (!(target instanceof Element)) return false;
  return Boolean(target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']"));
}
