// The open conversation: header with actions, messages (day separators, notes, attachments, read
// receipts: messages.js), live updates, who else is viewing or typing, and the contact panel (an htmx fragment).
import { cap } from "./list.js";
import { MailDialog, lastCustomerMail, replyTo, threadCopies } from "./mail.js";
import { botBadge, closeLightbox, insightBadges, messageKey, messageNode } from "./messages.js";
import { ThreadScroll } from "./scroll.js";
import { api, dayKey, el, errorText, formatDateTime, formatDay, localizeTimes, t } from "./util.js";

const VIEWING_EVERY = 20000;
const VIEWER_EXPIRES = 50000;
const TYPING_EXPIRES = 7000;

export class ConversationPane {
  constructor(ctx, { onChanged }) {
    this.ctx = ctx;
    this.onChanged = onChanged;
    this.number = null;
    this.conv = null;
    this.messages = new Map();
    this.rendered = new Map(); // message id or day -> {key, node}: unchanged rows keep their node
    this.hasMore = false;
    this.viewers = new Map(); // agent id -> {name, typing, note, until}
    this.contactTyping = null; // {name, until}
    this.viewingTimer = null;
    this.$ = (id) => document.getElementById(id);
    this.scroll = new ThreadScroll(this.$("messages-wrap"), this.$("messages"));
    this.mailDialog = new MailDialog(ctx);
    this.bindActions();
    setInterval(() => this.renderPresence(), 2000);
  }

  // --- opening and closing ----------------------------------------------------------------------

  async open(number) {
    const previous = this.number;
    if (previous && previous !== number) this.sendViewing(previous, false);
    this.number = number;
    this.messages = new Map();
    this.rendered = new Map();
    this.viewers = new Map();
    this.contactTyping = null;
    this.pendingRead = false;
    this.early = []; // its message events that arrive while it loads (a reply's delivery status moves fast)
    this.$("conv-empty").hidden = true;
    this.$("conv").hidden = false;
    this.$("messages").replaceChildren();
    this.scroll.toBottom();
    this.rating = null;
    this.renderRating();
    const [detail, page, rating] = await Promise.all([
      api(`${this.ctx.base}/conversations/${number}`),
      api(`${this.ctx.base}/conversations/${number}/messages?limit=50`),
      api(`${this.ctx.base}/conversations/${number}/rating`).catch(() => null),
    ]);
    if (this.number !== number) return;
    this.conv = detail;
    this.rating = rating;
    this.renderRating();
    for (const message of page.items) this.messages.set(message.id, message);
    // Replayed in order over what was fetched: each message ends as its last event left it.
    for (const event of this.early) this.messages.set(event.message.id, event.message);
    this.early = [];
    this.hasMore = page.has_more;
    this.renderHeader();
    this.renderMessages();
    this.scroll.toBottom(); // the newest message; it stays in view while the panels around load
    this.renderPresence();
    this.loadContact();
    if (detail.unread_count > 0) this.markRead(); // reading nothing new would only make an event
    this.sendViewing(number, true);
    clearInterval(this.viewingTimer);
    this.viewingTimer = setInterval(() => this.number && this.sendViewing(this.number, true), VIEWING_EVERY);
  }

  close() {
    if (this.number) this.sendViewing(this.number, false);
    clearInterval(this.viewingTimer);
    this.number = null;
    this.conv = null;
    this.$("conv").hidden = true;
    this.$("conv-empty").hidden = false;
    this.$("contact-pane").replaceChildren();
  }

  async reloadDetail() {
    if (!this.number) return;
    const number = this.number;
    const detail = await api(`${this.ctx.base}/conversations/${number}`);
    if (this.number !== number) return;
    this.conv = detail;
    this.renderHeader();
    this.renderMessages();
  }

  /** After a reconnect that needed a resync: fetch what may have been missed. */
  async refresh() {
    if (!this.number) return;
    const number = this.number;
    const newest = Math.max(0, ...this.messages.keys());
    const page = await api(`${this.ctx.base}/conversations/${number}/messages?limit=100${newest ? `&after=${newest}` : ""}`);
    if (this.number !== number) return;
    for (const message of page.items) this.messages.set(message.id, message);
    await this.reloadDetail();
    if (page.items.length) this.scroll.arrived();
  }

  async loadOlder() {
    const oldest = Math.min(...this.messages.keys());
    const number = this.number;
    const page = await api(`${this.ctx.base}/conversations/${number}/messages?limit=50&before=${oldest}`);
    if (this.number !== number) return;
    for (const message of page.items) this.messages.set(message.id, message);
    this.hasMore = page.has_more;
    const wrap = this.$("messages-wrap");
    const fromBottom = wrap.scrollHeight - wrap.scrollTop;
    this.renderMessages();
    wrap.scrollTop = wrap.scrollHeight - fromBottom;
    this.scroll.release();
  }

  loadContact() {
    const target = this.$("contact-pane");
    const url = `/app/${this.ctx.accountId}/conversations/${this.number}/_contact`;
    window.htmx.ajax("GET", url, { target, swap: "innerHTML" }).then(() => localizeTimes(target));
  }

  async markRead() {
    if (!this.number) return;
    this.pendingRead = document.hidden; // read when the agent comes back to the tab
    if (document.hidden) return;
    const number = this.number;
    try {
      await api(`${this.ctx.base}/conversations/${number}/read`, { method: "POST" });
    } catch {
      /* best effort: the unread marker stays */
    }
  }

  sendViewing(number, viewing) {
    api(`${this.ctx.base}/conversations/${number}/viewing`, { method: "POST", body: { viewing } }).catch(() => {});
  }

  // --- events -----------------------------------------------------------------------------------

  /** An event from the websocket; returns true when it concerns the open conversation. */
  apply(event) {
    if (this.number && this.conv?.number !== this.number) {
      // Still loading: its message events wait for the fetched messages (see open()).
      const message = event.message;
      if (message && event.type.startsWith("message.") && message.conversation_number === this.number) this.early.push(event);
      return false;
    }
    if (!this.conv) return false;
    switch (event.type) {
      case "message.created":
      case "message.updated": {
        const message = event.message;
        if (message.conversation_id !== this.conv.id) return false;
        const newest = Math.max(0, ...this.messages.keys());
        this.messages.set(message.id, message);
        this.renderMessages();
        const mine = message.sender.type === "agent" && message.sender.id === this.ctx.user.id;
        if (event.type === "message.created" && mine) this.scroll.toBottom(); // the agent's own reply or note
        else if (message.id > newest) this.scroll.arrived();
        else this.scroll.changed();
        if (message.sender.type === "contact") {
          this.contactTyping = null;
          this.renderPresence();
          if (event.type === "message.created") this.markRead();
        }
        return true;
      }
      case "conversation.updated":
        if (event.conversation.id !== this.conv.id) return false;
        Object.assign(this.conv, event.conversation);
        this.renderHeader();
        this.renderMessages();
        return true;
      case "conversation.read":
        if (event.conversation_id !== this.conv.id) return false;
        if (event.reader_type === "contact") this.conv.contact_last_read_at = event.read_at;
        else this.conv.agent_last_read_at = event.read_at;
        this.renderMessages();
        return true;
      case "conversation.rated":
        if (event.rating.conversation_id !== this.conv.id) return false;
        this.rating = event.rating;
        this.renderRating();
        return true;
      case "contact.updated":
        if (event.contact.id !== this.conv.contact_id) return false;
        this.conv.contact = event.contact;
        this.renderHeader();
        this.loadContact();
        return true;
      default:
        return false;
    }
  }

  signal(frame) {
    if (!this.conv || frame.conversation_id !== this.conv.id) return;
    const sender = frame.sender || {};
    if (sender.type === "contact") {
      this.contactTyping = frame.typing ? { name: sender.name, until: Date.now() + TYPING_EXPIRES } : null;
    } else if (sender.type === "agent" && sender.id !== this.ctx.user.id) {
      const known = this.viewers.get(sender.id);
      const viewer = known || { name: sender.name, typing: false, note: false, until: 0 };
      if (frame.type === "viewing") {
        if (!frame.viewing) {
          this.viewers.delete(sender.id);
          this.renderPresence();
          return;
        }
        viewer.until = Date.now() + VIEWER_EXPIRES;
        // A newcomer learns at once that we are here too (instead of at our next heartbeat).
        if (!known) this.sendViewing(this.number, true);
      } else {
        if (!known && !frame.typing) return; // "stopped typing" from someone who already left
        viewer.typing = Boolean(frame.typing);
        viewer.note = Boolean(frame.private);
        viewer.typingUntil = Date.now() + TYPING_EXPIRES;
        viewer.until = Math.max(viewer.until, Date.now() + VIEWER_EXPIRES);
      }
      this.viewers.set(sender.id, viewer);
    }
    this.renderPresence();
  }

  renderPresence() {
    if (!this.conv) return;
    const now = Date.now();
    const typing = this.$("typing");
    if (this.contactTyping && this.contactTyping.until > now) {
      typing.textContent = t("{name} is typing…", { name: this.contactTyping.name || t("The customer") });
      typing.hidden = false;
    } else {
      this.contactTyping = null;
      typing.hidden = true;
      typing.textContent = "";
    }
    const lines = [];
    for (const [id, viewer] of this.viewers) {
      if (viewer.until < now) {
        this.viewers.delete(id);
        continue;
      }
      const busy = viewer.typing && (viewer.typingUntil || 0) > now;
      if (busy && viewer.note) lines.push(t("{name} is writing a note", { name: viewer.name }));
      else if (busy) lines.push(t("{name} is typing a reply", { name: viewer.name }));
      else lines.push(t("{name} is also viewing", { name: viewer.name }));
    }
    const collision = this.$("collision");
    collision.textContent = lines.join(" · ");
    collision.hidden = lines.length === 0;
  }

  // --- rendering --------------------------------------------------------------------------------

  renderHeader() {
    const conv = this.conv;
    const ctx = this.ctx;
    this.$("conv-contact").textContent = conv.contact?.name || conv.contact?.email || t("Visitor");
    this.$("conv-number").textContent = `#${conv.number}`;
    const subject = this.$("conv-subject");
    subject.textContent = conv.subject || "";
    subject.title = conv.subject || "";
    subject.hidden = !conv.subject;
    const badges = [el("span", { class: `badge status-${conv.status}`, text: t(cap(conv.status)) })];
    if (conv.status === "snoozed" && conv.snoozed_until) {
      badges.push(el("span", { class: "muted small", text: t("until {when}", { when: formatDateTime(conv.snoozed_until) }) }));
    }
    if (conv.priority !== "none") badges.push(el("span", { class: `badge priority-${conv.priority}`, text: t(cap(conv.priority)) }));
    if (conv.merged_into_id) badges.push(el("span", { class: "badge status-resolved", text: t("Merged") }));
    const bot = botBadge(conv, ctx);
    if (bot) badges.push(bot);
    badges.push(...insightBadges(conv));
    this.$("conv-badges").replaceChildren(...badges);
    const resolve = this.$("resolve-button");
    resolve.textContent = conv.status === "resolved" ? t("Reopen") : t("Resolve");

    const assignee = this.$("assignee-select");
    assignee.replaceChildren(
      el("option", { value: "", text: t("Unassigned") }),
      ...[...ctx.agents.values()]
        .filter((agent) => agent.active || agent.id === conv.assignee_id)
        .map((agent) => el("option", { value: agent.id, text: agent.id === ctx.user.id ? t("{name} (you)", { name: agent.name }) : agent.name })),
    );
    assignee.value = conv.assignee_id ? String(conv.assignee_id) : "";
    const team = this.$("team-select");
    team.replaceChildren(
      el("option", { value: "", text: t("No team") }),
      ...[...ctx.teams.values()].map((item) => el("option", { value: item.id, text: `${item.name} · L${item.tier}` })),
    );
    team.value = conv.team_id ? String(conv.team_id) : "";
    this.$("status-select").value = conv.status;
    this.$("snooze-field").hidden = conv.status !== "snoozed";
    if (conv.snoozed_until) this.$("snooze-until").value = toLocalInput(new Date(conv.snoozed_until));
    this.$("priority-select").value = conv.priority;

    const chips = conv.labels.map((name) =>
      el(
        "span",
        { class: "chip label-chip", style: `--dot: ${ctx.labelColors.get(name) || "#6b7280"}` },
        name,
        el("button", {
          type: "button",
          class: "chip-remove",
          "aria-label": t("Remove label {name}", { name }),
          text: "×",
          on: { click: () => this.setLabels(conv.labels.filter((label) => label !== name)) },
        }),
      ),
    );
    this.$("label-chips").replaceChildren(...chips);
    this.$("merge-field").hidden = !this.ctx.canMerge || Boolean(conv.merged_into_id);
    this.$("label-options").replaceChildren(
      ...[...ctx.labelColors.keys()].filter((name) => !conv.labels.includes(name)).map((name) => el("option", { value: name })),
    );
  }

  /** The customer's rating (CSAT) of this conversation, under its messages, as the widget shows it. */
  renderRating() {
    const box = this.$("conv-rating");
    const rating = this.rating;
    box.hidden = !rating;
    if (!rating) {
      box.replaceChildren();
      return;
    }
    box.replaceChildren(
      el("span", { class: "rating-label", text: t("Customer rating") }),
      el("span", {
        class: "rating-stars",
        role: "img",
        "aria-label": t("{score} out of 5", { score: rating.score }),
        text: "★".repeat(rating.score) + "☆".repeat(5 - rating.score),
      }),
      rating.comment ? el("q", { class: "rating-comment", text: rating.comment }) : null,
    );
  }

  renderMessages() {
    // Every event (a new message, a read receipt, a status change) renders the list again, but only
    // the rows that changed get new nodes: the others stay in the page untouched, so an agent's text
    // selection, an image and the scroll position survive a live update.
    const list = this.$("messages");
    const ordered = [...this.messages.values()].sort((a, b) => a.id - b.id);
    const nodes = [];
    const kept = new Map();
    const reuse = (id, key, make) => {
      const before = this.rendered.get(id);
      const node = before && before.key === key ? before.node : make();
      kept.set(id, { key, node });
      nodes.push(node);
    };
    const view = this.messageView();
    let day = null;
    for (const message of ordered) {
      const date = new Date(message.created_at);
      if (dayKey(date) !== day) {
        day = dayKey(date);
        const label = formatDay(date);
        reuse(`day:${day}`, label, () =>
          el("li", { class: "day-separator", role: "separator" }, el("span", { text: label })),
        );
      }
      reuse(message.id, messageKey(message, this.conv, view), () => messageNode(message, this.conv, view));
    }
    this.rendered = kept;
    reconcile(list, nodes);
    this.$("load-older").hidden = !this.hasMore;
    this.scroll.changed();
  }

  /** How this conversation's inbox shows its messages (see messageNode). */
  messageView() {
    const inbox = this.ctx.inboxes.get(this.conv?.inbox_id) || {};
    return {
      sends: Boolean(inbox.sends),
      email: inbox.channel_type === "email",
      recipients: (reply) => {
        // As the server addresses it: the customer's last mail before the reply, answered to all.
        const last = lastCustomerMail([...this.messages.values()].filter((m) => m.id < reply.id));
        return { to: replyTo(last, this.conv), cc: threadCopies(last, this.conv, inbox.own_addresses) };
      },
      onRetry: (message, button) => this.retry(message, button),
      onHtml: (message) => this.mailDialog.open(this.number, message),
    };
  }

  /** Send a failed reply again; its status moves on live (message.updated). */
  async retry(message, button) {
    const number = this.number;
    if (button) button.disabled = true;
    try {
      await api(`${this.ctx.base}/conversations/${number}/messages/${message.id}/retry`, { method: "POST" });
    } catch (error) {
      if (button) button.disabled = false;
      this.ctx.toast(errorText(error));
      return;
    }
    const known = this.messages.get(message.id);
    if (this.number !== number || !known || known.status !== "failed") return;
    const attributes = { ...known.content_attributes };
    delete attributes.delivery_error;
    this.messages.set(message.id, { ...known, status: "pending", content_attributes: attributes });
    this.renderMessages();
  }

  // --- actions ----------------------------------------------------------------------------------

  bindActions() {
    const change = async (path, body) => {
      if (!this.number) return;
      try {
        const updated = await api(`${this.ctx.base}/conversations/${this.number}/${path}`, { method: "POST", body });
        Object.assign(this.conv, updated);
        this.renderHeader();
        this.onChanged();
      } catch (error) {
        this.renderHeader(); // back to what is true
        this.ctx.toast(error.message);
      }
    };
    this.$("assignee-select").addEventListener("change", (event) =>
      change("assignment", { assignee_id: event.target.value ? Number(event.target.value) : null }),
    );
    this.$("team-select").addEventListener("change", (event) =>
      change("assignment", { team_id: event.target.value ? Number(event.target.value) : null }),
    );
    this.$("priority-select").addEventListener("change", (event) => change("priority", { priority: event.target.value }));
    this.$("status-select").addEventListener("change", (event) => {
      const status = event.target.value;
      if (status === "snoozed") {
        const field = this.$("snooze-field");
        field.hidden = false;
        const input = this.$("snooze-until");
        const tomorrow = new Date();
        tomorrow.setDate(tomorrow.getDate() + 1);
        tomorrow.setHours(9, 0, 0, 0);
        input.value = toLocalInput(tomorrow);
        input.min = toLocalInput(new Date());
        input.focus();
        change("status", { status: "snoozed", snoozed_until: tomorrow.toISOString() });
        return;
      }
      change("status", { status });
    });
    this.$("snooze-until").addEventListener("change", (event) => {
      const until = new Date(event.target.value);
      if (!Number.isNaN(until.getTime())) change("status", { status: "snoozed", snoozed_until: until.toISOString() });
    });
    this.$("resolve-button").addEventListener("click", () => this.toggleResolved());
    const input = this.$("label-input");
    const add = () => {
      const name = input.value.trim().toLowerCase();
      if (!name || !this.conv) return;
      input.value = "";
      if (!this.conv.labels.includes(name)) this.setLabels([...this.conv.labels, name]);
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        add();
      }
    });
    input.addEventListener("change", add);
    this.$("load-older").addEventListener("click", () => this.loadOlder());
    this.$("merge-button").addEventListener("click", () => this.openMerge());
    this.$("merge-cancel").addEventListener("click", () => this.closeMerge());
    this.$("merge-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.merge();
    });
    this.$("close-lightbox").addEventListener("click", closeLightbox);
    this.$("lightbox").addEventListener("click", (event) => {
      if (event.target.id === "lightbox") closeLightbox();
    });
  }

  async openMerge() {
    if (!this.conv) return;
    const params = new URLSearchParams({ contact_id: String(this.conv.contact_id), limit: "50" });
    const page = await api(`${this.ctx.base}/conversations?${params}`);
    const targets = page.items.filter((item) => item.id !== this.conv.id && !item.merged_into_id);
    const select = this.$("merge-target");
    select.replaceChildren(
      ...targets.map((item) =>
        el("option", { value: item.number, text: `#${item.number} · ${t(cap(item.status))} · ${item.last_message?.content || ""}`.slice(0, 90) }),
      ),
    );
    select.hidden = targets.length === 0;
    this.$("merge-none").hidden = targets.length > 0;
    this.$("merge-confirm").disabled = targets.length === 0;
    this.$("merge-error").textContent = "";
    this.$("merge-dialog").hidden = false;
    (targets.length ? select : this.$("merge-cancel")).focus();
  }

  closeMerge() {
    const dialog = this.$("merge-dialog");
    if (dialog.hidden) return false;
    dialog.hidden = true;
    this.$("merge-button").focus();
    return true;
  }

  async merge() {
    const into = Number(this.$("merge-target").value);
    if (!into || !this.number) return;
    try {
      await api(`${this.ctx.base}/conversations/${this.number}/merge`, { method: "POST", body: { into_number: into } });
    } catch (error) {
      this.$("merge-error").textContent = error.message;
      return;
    }
    this.closeMerge();
    this.onChanged();
    this.ctx.open(into);
  }

  async toggleResolved() {
    if (!this.conv) return;
    const status = this.conv.status === "resolved" ? "open" : "resolved";
    try {
      const updated = await api(`${this.ctx.base}/conversations/${this.number}/status`, { method: "POST", body: { status } });
      Object.assign(this.conv, updated);
      this.renderHeader();
      this.onChanged();
    } catch (error) {
      this.ctx.toast(error.message);
    }
  }

  async setLabels(labels) {
    try {
      const updated = await api(`${this.ctx.base}/conversations/${this.number}/labels`, { method: "PUT", body: { labels } });
      Object.assign(this.conv, updated);
      for (const name of updated.labels) if (!this.ctx.labelColors.has(name)) this.ctx.labelColors.set(name, "#6b7280");
      this.renderHeader();
      this.onChanged();
    } catch (error) {
      this.ctx.toast(error.message);
    }
  }
}

function toLocalInput(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Make `parent`'s children be `nodes`, in order, moving and removing as little as possible. */
function reconcile(parent, nodes) {
  let cursor = parent.firstChild;
  for (const node of nodes) {
    if (node === cursor) cursor = cursor.nextSibling;
    else parent.insertBefore(node, cursor);
  }
  while (cursor) {
    const next = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
}
