// The conversation list: one view (mine, unassigned, a team, a label...), sorted, searched, paged,
// refreshed when events arrive; checkboxes for bulk actions.
import { botBadge, insightBadges } from "./messages.js";
import { api, el, formatDateTime, formatDuration, formatShort, t } from "./util.js";

const PAGE = 25;

export function viewTitle(ctx, view) {
  const [kind, value] = splitView(view);
  switch (kind) {
    case "mine": return t("Mine");
    case "unassigned": return t("Unassigned");
    case "all": return t("All");
    case "status": return t(value.charAt(0).toUpperCase() + value.slice(1));
    case "team": return ctx.teams.get(Number(value))?.name || t("Team");
    case "inbox": return ctx.inboxes.get(Number(value))?.name || t("Inbox");
    case "label": return value;
    default: return t("All");
  }
}

export function splitView(view) {
  const at = view.indexOf(":");
  return at < 0 ? [view, ""] : [view.slice(0, at), view.slice(at + 1)];
}

/** The agent API query of a view (+ search and sort). A search looks in every status. */
export function viewQuery(view, { q, sort }) {
  const params = new URLSearchParams();
  const [kind, value] = splitView(view);
  let status = "open";
  if (kind === "mine") params.set("assignee", "me");
  else if (kind === "unassigned") params.set("assignee", "none");
  else if (kind === "status") status = value;
  else if (kind === "team") params.set("team_id", value);
  else if (kind === "inbox") params.set("inbox_id", value);
  else if (kind === "label") params.set("label", value);
  if (q) params.set("q", q);
  else params.set("status", status);
  params.set("sort", sort || "last_activity");
  return params;
}

export class ConversationList {
  constructor(ctx, { onOpen, onSelection }) {
    this.ctx = ctx;
    this.onOpen = onOpen;
    this.onSelection = onSelection;
    this.root = document.getElementById("conversation-list");
    this.empty = document.getElementById("list-empty");
    this.more = document.getElementById("load-more");
    this.items = [];
    this.nextCursor = null;
    this.selected = new Set();
    this.current = null;
    this.view = "all";
    this.q = "";
    this.sort = "last_activity";
    this.loading = 0;
    this.more.addEventListener("click", () => this.loadMore());
  }

  query() {
    return viewQuery(this.view, { q: this.q, sort: this.sort });
  }

  /** Reload the first page (at least as many rows as shown now, so a refresh never shortens it). */
  async reload() {
    const ticket = ++this.loading;
    const params = this.query();
    params.set("limit", String(Math.min(100, Math.max(PAGE, this.items.length))));
    const page = await api(`${this.ctx.base}/conversations?${params}`);
    if (ticket !== this.loading) return; // a newer reload started meanwhile
    this.items = page.items;
    this.nextCursor = page.next_cursor;
    const numbers = new Set(this.items.map((item) => item.number));
    for (const number of this.selected) if (!numbers.has(number)) this.selected.delete(number);
    this.render();
  }

  async loadMore() {
    if (!this.nextCursor) return;
    const params = this.query();
    params.set("limit", String(PAGE));
    params.set("cursor", this.nextCursor);
    const page = await api(`${this.ctx.base}/conversations?${params}`);
    const known = new Set(this.items.map((item) => item.number));
    this.items.push(...page.items.filter((item) => !known.has(item.number)));
    this.nextCursor = page.next_cursor;
    this.render();
  }

  get(number) {
    return this.items.find((item) => item.number === number);
  }

  setCurrent(number) {
    this.current = number;
    for (const row of this.root.children) {
      const current = Number(row.dataset.number) === number;
      row.classList.toggle("current", current);
      const link = row.querySelector(".conv-link");
      if (current) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    }
  }

  /** The conversation `step` rows away from the current one (j/k). */
  neighbour(step) {
    if (!this.items.length) return null;
    const at = this.items.findIndex((item) => item.number === this.current);
    if (at < 0) return this.items[step > 0 ? 0 : this.items.length - 1].number;
    const next = this.items[Math.min(this.items.length - 1, Math.max(0, at + step))];
    return next.number;
  }

  render() {
    const rows = this.items.map((item) => this.row(item));
    this.root.replaceChildren(...rows);
    this.empty.hidden = this.items.length > 0;
    this.more.hidden = !this.nextCursor;
    this.setCurrent(this.current);
    this.onSelection(this.selected);
  }

  row(item) {
    const ctx = this.ctx;
    const last = item.last_message;
    let preview = "";
    if (last) {
      const text = last.content || (last.attachments ? t("Attachment") : "");
      if (last.private) preview = `${t("Note")}: ${text}`;
      else if (last.sender_type !== "contact") preview = `↩ ${text}`;
      else preview = text;
    }
    const assignee = item.assignee_id ? ctx.agents.get(item.assignee_id)?.name || "?" : t("Unassigned");
    const inbox = ctx.inboxes.get(item.inbox_id)?.name || "";
    const unread = item.unread_count > 0;
    const checkbox = el("input", {
      type: "checkbox",
      class: "select",
      "aria-label": t("Select conversation #{number}", { number: item.number }),
      checked: this.selected.has(item.number),
      on: {
        change: (event) => {
          if (event.target.checked) this.selected.add(item.number);
          else this.selected.delete(item.number);
          this.onSelection(this.selected);
        },
      },
    });
    const waiting = this.sort === "waiting" && item.waiting_since;
    const when = waiting ? item.waiting_since : item.last_activity_at;
    const link = el(
      "a",
      {
        class: "conv-link",
        href: `/app/${ctx.accountId}/conversations/${item.number}`,
        on: {
          click: (event) => {
            if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
            event.preventDefault();
            this.onOpen(item.number);
          },
        },
      },
      el(
        "span",
        { class: "conv-line" },
        el("span", { class: "conv-name", text: item.contact.name || item.contact.email || t("Visitor") }),
        el("span", { class: "conv-num muted", text: `#${item.number}` }),
        el("time", {
          class: waiting ? "conv-time waiting" : "conv-time muted",
          datetime: when,
          title: formatDateTime(when),
          text: waiting ? t("waiting {time}", { time: formatDuration(when) }) : formatShort(when),
        }),
      ),
      item.subject ? el("span", { class: "conv-line conv-subject-line", text: item.subject }) : null,
      el(
        "span",
        { class: "conv-line" },
        el("span", { class: "conv-preview", text: preview }),
        unread ? el("span", { class: "unread-dot", "aria-label": t("{count} unread", { count: item.unread_count }), text: item.unread_count }) : null,
      ),
      el(
        "span",
        { class: "conv-line conv-meta" },
        el("span", { class: "chip inbox-chip", text: inbox }),
        el("span", { class: item.assignee_id ? "chip" : "chip unassigned", text: assignee }),
        item.priority !== "none" ? el("span", { class: `badge priority-${item.priority}`, text: t(cap(item.priority)) }) : null,
        item.status !== "open" ? el("span", { class: `badge status-${item.status}`, text: t(cap(item.status)) }) : null,
        botBadge(item, ctx),
        ...insightBadges(item),
        el("span", { class: "sla", data: { sla: "" } }),
        ...item.labels.slice(0, 3).map((name) => el("span", { class: "chip label-chip", text: name })),
      ),
    );
    return el(
      "li",
      { class: `conv-item${unread ? " unread" : ""}`, data: { number: item.number } },
      checkbox,
      link,
    );
  }
}

export function cap(word) {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
