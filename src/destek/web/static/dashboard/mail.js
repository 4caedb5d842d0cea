// E-mail in the conversation: who a mail came from and went to, its quoted history folded away, its
// original HTML (a sandboxed frame: dialog below), the tag of a mail nobody may answer automatically,
// and each reply's delivery status with Retry when it failed. Everything goes in as text.
import { el, formatDateTime, t } from "./util.js";

const AUTOMATIC = {
  auto_reply: "Auto-reply",
  bounce: "Bounce",
  list: "Mailing list",
};

/** The e-mail headers a message carries (customers' mails, and agents' replies with options). */
export function mailOf(message) {
  const mail = message.content_attributes?.email;
  return mail && typeof mail === "object" ? mail : null;
}

function people(list) {
  return Array.isArray(list) ? list.filter((item) => item && (item.email || typeof item === "string")) : [];
}

function address(person) {
  return typeof person === "string" ? person : person.email;
}

/** "Ayşe Yılmaz" for the compact line, "Ayşe Yılmaz <ayse@example.com>" in full. */
function personText(person, full) {
  if (typeof person === "string") return person;
  if (!person.name) return person.email;
  return full ? `${person.name} <${person.email}>` : person.name;
}

/** The small tag of a mail that must never be answered automatically. */
export function automaticTag(message) {
  const kind = message.content_attributes?.automatic;
  if (!AUTOMATIC[kind]) return null;
  return el("span", { class: `mail-tag mail-${kind}`, text: t(AUTOMATIC[kind]) });
}

/** "From … To … Cc …" in one line; opened, every address with name, and the date and subject. A reply
 * without addresses of its own went where the thread's replies go: `defaults` ({to, cc}). */
export function mailMeta(message, conv, defaults) {
  const mail = mailOf(message) || {};
  const incoming = message.direction === "in";
  const from = incoming && mail.from ? [mail.from] : [];
  let to = people(mail.to);
  let cc = people(mail.cc);
  if (!incoming) {
    if (!to.length) to = defaults?.to || [];
    if (!("cc" in mail)) cc = defaults?.cc || [];
  }
  const rows = [
    ["From", from],
    ["Reply-To", incoming ? people(mail.reply_to) : []],
    ["To", to],
    ["Cc", cc],
    ["Bcc", people(mail.bcc)],
  ].filter(([, list]) => list.length);
  if (!rows.length) return null;
  const compact = rows
    .filter(([label]) => label !== "Reply-To")
    .map(([label, list]) => `${t(label)}: ${list.map((p) => personText(p, false)).join(", ")}`)
    .join(" · ");
  const facts = [];
  for (const [label, list] of rows) {
    facts.push(el("dt", { text: t(label) }), el("dd", { text: list.map((p) => personText(p, true)).join(", ") }));
  }
  if (mail.date) facts.push(el("dt", { text: t("Date") }), el("dd", { text: formatDateTime(mail.date) }));
  if (mail.subject) facts.push(el("dt", { text: t("Subject") }), el("dd", { text: mail.subject }));
  return el(
    "details",
    { class: "mail-meta" },
    el("summary", { title: t("Show all addresses") }, el("span", { class: "mail-meta-line", text: compact })),
    el("dl", { class: "mail-facts" }, ...facts),
  );
}

/** The quoted history and the signature, folded behind "…" (as mail programs do). */
export function quotedNode(message) {
  const quoted = mailOf(message)?.quoted;
  if (typeof quoted !== "string" || !quoted.trim()) return null;
  const body = el("div", { class: "mail-quoted", hidden: true, text: quoted });
  const toggle = el("button", {
    type: "button",
    class: "quoted-toggle",
    "aria-expanded": "false",
    title: t("Show quoted text"),
    "aria-label": t("Show quoted text"),
    text: "•••",
    on: {
      click: () => {
        const open = body.hidden;
        body.hidden = !open;
        toggle.setAttribute("aria-expanded", String(open));
        const label = open ? t("Hide quoted text") : t("Show quoted text");
        toggle.title = label;
        toggle.setAttribute("aria-label", label);
      },
    },
  });
  return el("div", { class: "mail-quote" }, toggle, body);
}

/** Whether the mail's HTML shows images from the web (blocked until the agent loads them). */
export function hasRemoteImages(html) {
  if (typeof html !== "string") return false;
  return /<img\b[^>]*\bsrc\s*=\s*["']?\s*(https?:)?\/\//i.test(html) || /url\(\s*["']?\s*(https?:)?\/\//i.test(html);
}

// --- delivery status of replies sent through a channel (e-mail) ----------------------------------

/** pending | sent | delivered | read | failed. A reply the channel has not taken yet (no external id)
 * is still being sent, whatever the row says. */
export function channelStatus(message) {
  const status = message.status || "sent";
  if (status === "sent" && !message.external_id) return "pending";
  return status;
}

export function channelStatusNode(message, onRetry) {
  const status = channelStatus(message);
  const parts = [];
  if (status === "pending") parts.push(t("Sending…"));
  else if (status === "sent") parts.push(`✓ ${t("Sent")}`);
  else if (status === "delivered") parts.push(`✓✓ ${t("Delivered")}`);
  else if (status === "read") parts.push(`✓✓ ${t("Read")}`);
  else if (status === "failed") {
    const reason = message.content_attributes?.delivery_error;
    parts.push(
      el("span", { class: "failed-text", text: `⚠ ${t("Failed")}` }),
      reason ? el("span", { class: "failed-reason", text: reason }) : null,
      el("button", {
        type: "button",
        class: "button small retry",
        text: t("Retry"),
        on: { click: (event) => onRetry?.(message, event.currentTarget) },
      }),
    );
  }
  return el("div", { class: "msg-status", data: { status }, role: status === "failed" ? "alert" : null }, ...parts);
}

// --- the composer's copies: who else gets the reply ----------------------------------------------

/** The customer's last mail in the thread (its copies are the reply's copies). */
export function lastCustomerMail(messages) {
  const ordered = [...messages].sort((a, b) => b.id - a.id);
  return ordered.find((m) => m.direction === "in" && !m.private && mailOf(m)) || null;
}

/** Whom a reply goes to by default: the last mail's Reply-To, else its sender, else the contact. */
export function replyTo(last, conv) {
  const mail = last ? mailOf(last) : null;
  const list = people(mail?.reply_to).length ? people(mail.reply_to) : mail?.from ? [mail.from] : [];
  if (list.length) return list;
  return conv?.contact?.email ? [{ name: conv.contact.name || "", email: conv.contact.email }] : [];
}

/** The reply's copies as the thread has them (people: {name, email}): the last mail's To and Cc,
 * without the inbox's own addresses and those the reply goes to anyway. */
export function threadCopies(last, conv, own) {
  const mail = last ? mailOf(last) : null;
  if (!mail) return [];
  const skip = new Set([...(own || []), ...replyTo(last, conv).map((p) => address(p).toLowerCase())]);
  const out = [];
  for (const person of [...people(mail.to), ...people(mail.cc)]) {
    const key = address(person).toLowerCase();
    if (skip.has(key)) continue;
    skip.add(key);
    out.push(typeof person === "string" ? { name: "", email: person } : person);
  }
  return out;
}

const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

/** "a@x.com, b@y.com; c@z.com" → {addresses, wrong: the first that is not an address}. */
export function parseAddresses(text) {
  const addresses = [];
  for (const part of String(text || "").split(/[\s,;]+/)) {
    const value = part.trim().replace(/^<|>$/g, "");
    if (!value) continue;
    if (!ADDRESS.test(value)) return { addresses, wrong: part };
    if (!addresses.some((known) => known.toLowerCase() === value.toLowerCase())) addresses.push(value);
  }
  return { addresses, wrong: null };
}

// --- the original HTML, in a sandboxed frame -----------------------------------------------------

export class MailDialog {
  constructor(ctx) {
    this.ctx = ctx;
    this.box = document.getElementById("mail-dialog");
    this.frame = document.getElementById("mail-frame");
    this.notice = document.getElementById("mail-images");
    this.url = null;
    this.returnFocus = null;
    document.getElementById("load-images").addEventListener("click", () => this.loadImages());
    document.getElementById("close-mail").addEventListener("click", () => this.close());
    this.box.addEventListener("click", (event) => {
      if (event.target === this.box) this.close();
    });
  }

  open(number, message) {
    const mail = mailOf(message) || {};
    this.url = `/app/${this.ctx.accountId}/conversations/${number}/messages/${message.id}/html`;
    this.returnFocus = document.activeElement;
    document.getElementById("mail-dialog-subject").textContent = mail.subject || "";
    this.notice.hidden = !hasRemoteImages(mail.html);
    this.frame.src = this.url;
    this.box.hidden = false;
    document.getElementById("close-mail").focus();
  }

  loadImages() {
    if (!this.url) return;
    this.frame.src = `${this.url}?images=1`;
    this.notice.hidden = true;
  }

  close() {
    if (this.box.hidden) return false;
    this.box.hidden = true;
    this.frame.src = "about:blank";
    this.url = null;
    this.returnFocus?.focus?.();
    return true;
  }
}
