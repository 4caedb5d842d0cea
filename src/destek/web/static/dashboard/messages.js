// How a message looks: sender, time, text, quick replies, attachments (images open full size) and,
// for answers, Sent / Delivered / Read. E-mails add their addresses, folded quote, original HTML and
// each reply's delivery status (mail.js). All text goes in as text (URLs in it as links: linkify).
import { cap } from "./list.js";
import { automaticTag, channelStatus, channelStatusNode, mailMeta, mailOf, quotedNode } from "./mail.js";
import { el, formatDateTime, formatSize, formatTime, linkify, t } from "./util.js";

/** `view`: how the conversation's inbox shows messages — {sends: replies leave through a channel and
 * report their delivery, email: an e-mail inbox, recipients(reply): where a reply without addresses of
 * its own went, onRetry(message), onHtml(message)}. */
export function messageNode(message, conv, view = {}) {
  const kind = message.private ? "note" : message.sender.type === "system" ? "system" : message.direction;
  const mail = view.email && !message.private ? mailOf(message) : null;
  const parts = [];
  const head = el(
    "div",
    { class: "msg-head" },
    el("span", { class: "msg-sender", text: message.sender.name || (message.direction === "in" ? t("Customer") : t("Agent")) }),
    message.private ? el("span", { class: "note-tag", text: t("Private note") }) : null,
    view.email ? automaticTag(message) : null,
    el("time", { class: "msg-time", datetime: message.created_at, title: formatDateTime(message.created_at), text: formatTime(message.created_at) }),
  );
  parts.push(head);
  if (view.email && !message.private && message.sender.type !== "system") {
    parts.push(mailMeta(message, conv, message.direction === "out" ? view.recipients?.(message) : null));
  }
  const content = systemText(message) ?? message.content;
  if (content) parts.push(el("div", { class: "msg-body" }, linkify(content)));
  if (mail) parts.push(quotedNode(message));
  if (mail?.html && message.direction === "in") {
    parts.push(
      el(
        "div",
        { class: "mail-actions" },
        el("button", {
          type: "button",
          class: "button ghost small mail-html",
          title: t("The e-mail as it was written, with its formatting"),
          text: t("HTML"),
          on: { click: () => view.onHtml?.(message) },
        }),
      ),
    );
  }
  const replies = message.content_attributes?.quick_replies;
  if (message.content_type === "quick_replies" && Array.isArray(replies)) {
    parts.push(
      el(
        "div",
        { class: "quick-replies", "aria-label": t("Quick replies offered") },
        ...replies.map((reply) => el("span", { class: "quick-reply", text: reply.title })),
      ),
    );
  }
  // Inline images belong to the mail's HTML (shown there), not to the list of files.
  const files = (message.attachments || []).filter((file) => !(view.email && file.inline));
  if (files.length) parts.push(attachmentsNode(files));
  const why = botWhy(message);
  if (why) parts.push(el("div", { class: "msg-why muted small", text: why }));
  if (message.direction === "out" && !message.private && message.sender.type !== "system") {
    if (view.sends) parts.push(channelStatusNode(message, view.onRetry));
    else parts.push(el("div", { class: "msg-status", data: { status: deliveryOf(message, conv) }, text: deliveryText(message, conv) }));
  }
  return el("li", { class: `msg msg-${kind}${view.email ? " msg-mail" : ""}`, data: { id: message.id } }, ...parts);
}

/** Why the bot answered (for agents only: the customer never sees it): how sure it was of the article. */
function botWhy(message) {
  const { confidence, threshold } = message.content_attributes || {};
  if (message.sender?.type !== "bot" || typeof confidence !== "number" || typeof threshold !== "number") return null;
  return t("Answered from the help center: {sure}% sure (the bot answers from {threshold}%)", {
    sure: Math.round(confidence * 100),
    threshold: Math.round(threshold * 100),
  });
}

/** Notes the server writes in English (a merge), in the agent's language from their attributes. */
export function systemText(message) {
  const merge = message.content_attributes?.merge;
  if (!merge || !Number.isInteger(merge.source_number) || !Number.isInteger(merge.target_number)) return null;
  const name = message.sender?.name || t("Agent");
  if (message.conversation_number === merge.source_number) {
    return t("Merged into #{number} by {name}.", { number: merge.target_number, name });
  }
  return t("#{number} was merged into this conversation by {name}.", { number: merge.source_number, name });
}

/** What a message's node depends on: the same key, the same node (see renderMessages). */
export function messageKey(message, conv, view = {}) {
  const delivery = view.sends ? channelStatus(message) : deliveryText(message, conv);
  return `${delivery}|${view.email ? "mail" : ""}|${JSON.stringify(message)}`;
}

function deliveryOf(message, conv) {
  const readAt = conv?.contact_last_read_at;
  if (message.status === "read" || (readAt && new Date(readAt) >= new Date(message.created_at))) return "read";
  return message.status || "sent";
}

function deliveryText(message, conv) {
  const status = deliveryOf(message, conv);
  if (status === "read") return `✓✓ ${t("Read")}`;
  if (status === "delivered") return `✓✓ ${t("Delivered")}`;
  if (status === "failed") return `⚠ ${t("Not delivered")}`;
  return `✓ ${t("Sent")}`;
}

function attachmentsNode(files) {
  return el(
    "div",
    { class: "attachments" },
    ...files.map((file) => {
      if (file.content_type.startsWith("image/")) {
        return el(
          "a",
          {
            class: "thumb",
            href: file.url,
            target: "_blank",
            rel: "noopener",
            on: {
              click: (event) => {
                event.preventDefault();
                openLightbox(file);
              },
            },
          },
          el("img", { src: file.url, alt: file.filename, loading: "lazy", width: file.width || null, height: file.height || null }),
        );
      }
      return el("a", { class: "file", href: file.url, download: file.filename }, `📎 ${file.filename}`, el("span", { class: "muted", text: ` ${formatSize(file.size)}` }));
    }),
  );
}

/** Small badges from the bot and the language consumer: language, topic, sentiment, urgency. */
export function insightBadges(conv) {
  const badges = [];
  const badge = (key, text, title) => badges.push(el("span", { class: `badge insight insight-${key}`, title, text }));
  if (conv.language) badge("language", conv.language.toUpperCase(), t("Language"));
  if (conv.topic) badge("topic", conv.topic, t("Topic"));
  if (conv.sentiment && conv.sentiment !== "neutral") badge(`sentiment ${conv.sentiment}`, t(cap(conv.sentiment)), t("Sentiment"));
  if (typeof conv.urgency === "number" && conv.urgency >= 0.5) {
    badge("urgency", t("Urgency {value}%", { value: Math.round(conv.urgency * 100) }), t("Urgency"));
  }
  return badges;
}

/** Where the conversation stands with the bot: with the bot, resolved by it, or handed over to a person. */
export function botBadge(conv, ctx) {
  const badge = (key, text) => el("span", { class: `badge bot-state bot-${key}`, title: t("Bot"), text });
  if (conv.bot_resolved) return badge("resolved", t("Bot resolved"));
  if (conv.handed_over_at) return badge("handed-over", t("Handed over"));
  const botInbox = ctx?.inboxes.get(conv.inbox_id)?.bot;
  if (botInbox && !conv.first_reply_at && conv.status !== "resolved") return badge("active", t("Bot"));
  return null;
}

function openLightbox(file) {
  const box = document.getElementById("lightbox");
  const img = document.getElementById("lightbox-img");
  img.src = file.url;
  img.alt = file.filename;
  box.hidden = false;
  document.getElementById("close-lightbox").focus();
}

export function closeLightbox() {
  const box = document.getElementById("lightbox");
  if (box.hidden) return false;
  box.hidden = true;
  document.getElementById("lightbox-img").removeAttribute("src");
  return true;
}
