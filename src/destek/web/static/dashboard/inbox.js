// The inbox page: the views, the list, the open conversation, live updates, shortcuts, bulk actions.
import { ArticlePicker, SuggestionsPanel } from "./assist.js";
import { markCurrentView } from "./base.js";
import { Composer } from "./composer.js";
import { ConversationPane } from "./conversation.js";
import { ConversationList, viewTitle } from "./list.js";
import { closeLightbox } from "./messages.js";
import { NewMail } from "./newmail.js";
import { askPermission, describe, notify, permission } from "./notify.js";
import { Realtime } from "./realtime.js";
import { api, debounce, el, isTyping, setMessages, t } from "./util.js";

const boot = JSON.parse(document.getElementById("boot").textContent);
setMessages(boot.messages, boot.locale);

const ctx = {
  accountId: boot.account_id,
  base: `/api/v1/accounts/${boot.account_id}`,
  user: boot.user,
  agents: new Map(boot.agents.map((agent) => [agent.id, agent])),
  teams: new Map(boot.teams.map((team) => [team.id, team])),
  inboxes: new Map(boot.inboxes.map((inbox) => [inbox.id, inbox])),
  labelColors: new Map(boot.labels.map((label) => [label.name, label.color])),
  canMerge: Boolean(boot.can_merge),
  open: (number) => openConversation(number),
  toast,
};

const $ = (id) => document.getElementById(id);
const body = document.body;
const params = new URLSearchParams(location.search);

const list = new ConversationList(ctx, {
  onOpen: (number) => openConversation(number),
  onSelection: (selected) => {
    renderBulk(selected);
    updateTitle();
  },
});
list.view = params.get("view") || "all";
list.q = params.get("q") || "";
list.sort = params.get("sort") || "last_activity";
$("search").value = list.q;
$("sort").value = list.sort;

const pane = new ConversationPane(ctx, { onChanged: () => refreshSoon() });
const composer = new Composer(ctx, pane);
const picker = new ArticlePicker(ctx, pane, composer);
const suggestions = new SuggestionsPanel(ctx, pane, composer);
const newMail = new NewMail(ctx, { onSent: () => refreshSoon() });

// --- views and navigation --------------------------------------------------------------------

function urlFor(number) {
  const query = new URLSearchParams();
  if (list.view !== "all") query.set("view", list.view);
  if (list.q) query.set("q", list.q);
  if (list.sort !== "last_activity") query.set("sort", list.sort);
  const path = number ? `/app/${ctx.accountId}/conversations/${number}` : `/app/${ctx.accountId}`;
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

function showView() {
  $("view-title").textContent = list.q ? t("Search: {q}", { q: list.q }) : viewTitle(ctx, list.view);
  markCurrentView(list.view);
  updateTitle();
}

function updateTitle() {
  const unread = list.items.filter((item) => item.unread_count > 0).length;
  const title = `${viewTitle(ctx, list.view)} · ${boot.account_name} · Destek`;
  document.title = unread ? `(${unread}) ${title}` : title;
}

async function setView(view) {
  list.view = view;
  list.q = "";
  $("search").value = "";
  list.selected.clear();
  showView();
  history.pushState({ number: pane.number }, "", urlFor(pane.number));
  body.classList.remove("nav-open");
  await list.reload();
}

document.addEventListener("click", (event) => {
  const link = event.target.closest(".sidenav .view-link[data-view]");
  if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  setView(link.dataset.view);
});
document.body.addEventListener("htmx:afterSwap", (event) => {
  if (event.target.id === "sidenav") markCurrentView(list.view);
});
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-open-number]");
  if (!link || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  openConversation(Number(link.dataset.openNumber));
});

$("search").addEventListener(
  "input",
  debounce(() => {
    list.q = $("search").value.trim();
    showView();
    history.replaceState({ number: pane.number }, "", urlFor(pane.number));
    list.reload();
  }, 250),
);
$("search").addEventListener("keydown", (event) => {
  if (event.key === "Escape") $("search").blur();
});
$("sort").addEventListener("change", () => {
  list.sort = $("sort").value;
  history.replaceState({ number: pane.number }, "", urlFor(pane.number));
  list.reload();
});

const drafts = new Map(); // conversation number -> {text, mode}: kept while switching conversations

async function openConversation(number, { push = true } = {}) {
  if (pane.number !== number) {
    if (pane.number) drafts.set(pane.number, { text: composer.text.value, mode: composer.mode });
    composer.reset();
    picker.close({ focus: false });
    suggestions.clear();
    const draft = drafts.get(number);
    if (draft) {
      composer.text.value = draft.text;
      composer.setMode(draft.mode);
      drafts.delete(number);
    }
  }
  list.setCurrent(number);
  body.classList.add("show-conversation");
  body.classList.remove("show-contact");
  if (push) history.pushState({ number }, "", urlFor(number));
  try {
    await pane.open(number);
  } catch (error) {
    toast(error.message);
    return;
  }
  if (pane.number === number) composer.updateRecipients();
  suggestions.load(number);
  const item = list.get(number);
  if (item) {
    item.unread_count = 0;
    list.render();
  }
}

function closeConversation({ push = true } = {}) {
  pane.close();
  suggestions.clear();
  list.setCurrent(null);
  body.classList.remove("show-conversation", "show-contact");
  if (push) history.pushState({ number: null }, "", urlFor(null));
}

window.addEventListener("popstate", () => {
  const match = /\/conversations\/(\d+)/.exec(location.pathname);
  if (match) openConversation(Number(match[1]), { push: false });
  else closeConversation({ push: false });
});
$("back-to-list").addEventListener("click", () => closeConversation());
$("contact-toggle").addEventListener("click", () => {
  const open = !body.classList.contains("show-contact");
  body.classList.toggle("show-contact", open);
  $("contact-toggle").setAttribute("aria-expanded", String(open));
});
$("contact-pane").addEventListener("click", (event) => {
  if (event.target.closest("[data-close-contact]")) body.classList.remove("show-contact");
});

// --- bulk actions ------------------------------------------------------------------------------

function renderBulk(selected) {
  const count = selected.size;
  $("bulk-actions").hidden = count === 0;
  $("bulk-count").textContent = count ? t("{count} selected", { count }) : t("Select");
  $("select-all").checked = count > 0 && count === list.items.length;
  $("select-all").indeterminate = count > 0 && count < list.items.length;
}

function fillBulkMenus() {
  $("bulk-assign").replaceChildren(
    el("option", { value: "", text: t("Assign to…") }),
    el("option", { value: String(ctx.user.id), text: t("Me") }),
    ...[...ctx.agents.values()].filter((a) => a.active && a.id !== ctx.user.id).map((a) => el("option", { value: a.id, text: a.name })),
    el("option", { value: "none", text: t("Unassigned") }),
  );
  $("bulk-label").replaceChildren(
    el("option", { value: "", text: t("Add label…") }),
    ...[...ctx.labelColors.keys()].map((name) => el("option", { value: name, text: name })),
  );
}
fillBulkMenus();

$("select-all").addEventListener("change", (event) => {
  list.selected = new Set(event.target.checked ? list.items.map((item) => item.number) : []);
  list.render();
});

async function bulk(action) {
  const numbers = [...list.selected];
  if (!numbers.length) return;
  const failures = [];
  // A few at a time: quick for a page of 25, gentle on the server.
  for (let i = 0; i < numbers.length; i += 5) {
    await Promise.all(
      numbers.slice(i, i + 5).map((number) =>
        action(number).catch((error) => failures.push(`#${number}: ${error.message}`)),
      ),
    );
  }
  list.selected.clear();
  if (failures.length) toast(failures.join("; "));
  else toast(t("Done: {count} conversations", { count: numbers.length }));
  await refreshNow();
}

$("bulk-resolve").addEventListener("click", () =>
  bulk((number) => api(`${ctx.base}/conversations/${number}/status`, { method: "POST", body: { status: "resolved" } })),
);
$("bulk-assign").addEventListener("change", (event) => {
  const value = event.target.value;
  event.target.value = "";
  if (!value) return;
  const assignee = value === "none" ? null : Number(value);
  bulk((number) => api(`${ctx.base}/conversations/${number}/assignment`, { method: "POST", body: { assignee_id: assignee } }));
});
$("bulk-label").addEventListener("change", (event) => {
  const name = event.target.value;
  event.target.value = "";
  if (!name) return;
  bulk(async (number) => {
    const current = await api(`${ctx.base}/conversations/${number}`);
    if (current.labels.includes(name)) return;
    await api(`${ctx.base}/conversations/${number}/labels`, { method: "PUT", body: { labels: [...current.labels, name] } });
  });
});

// --- live updates ------------------------------------------------------------------------------

function counts() {
  window.htmx.trigger(document.body, "destek:counts");
}

async function refreshNow() {
  counts();
  await list.reload();
}
const refreshSoon = debounce(() => refreshNow().catch(() => {}), 300);

// Who each conversation belongs to (number -> assignee id or null), from the list and from events,
// so a notification goes only to the agent concerned: a new unassigned conversation (once, with its
// first message), a customer's reply in a conversation assigned to me, a conversation assigned to me.
const assignees = new Map();
const announcing = new Set(); // new conversations whose first customer message is still to come

async function assigneeOf(number) {
  if (assignees.has(number)) return assignees.get(number);
  const item = list.get(number);
  if (item) return item.assignee_id;
  try {
    const conversation = await api(`${ctx.base}/conversations/${number}`);
    assignees.set(number, conversation.assignee_id);
    return conversation.assignee_id;
  } catch {
    return undefined; // not visible to this agent: not theirs
  }
}

async function notifyMessage(message) {
  const number = message.conversation_number;
  const body = message.content || t("Attachment");
  const name = message.sender.name || t("Customer");
  const open = () => openConversation(number);
  if (announcing.delete(number)) {
    notify(t("New conversation #{number}", { number }), `${name}: ${body}`, open);
    return;
  }
  if ((await assigneeOf(number)) === ctx.user.id) notify(name, body, open);
}

function onEvent(event) {
  pane.apply(event);
  switch (event.type) {
    case "conversation.created": {
      const conversation = event.conversation;
      assignees.set(conversation.number, conversation.assignee_id);
      // Announced with its first customer message (the conversation alone has no text yet).
      if (!conversation.assignee_id || conversation.assignee_id === ctx.user.id) announcing.add(conversation.number);
      refreshSoon();
      break;
    }
    case "message.created": {
      const message = event.message;
      if (message.sender.type === "contact" && !message.private) notifyMessage(message);
      if (message.conversation_number === suggestions.number && message.sender.type === "contact") {
        suggestions.load(message.conversation_number);
      }
      if (message.conversation_number === pane.number && message.sender.type === "contact") composer.updateRecipients();
      refreshSoon();
      break;
    }
    case "conversation.updated": {
      const conversation = event.conversation;
      const before = assignees.get(conversation.number);
      assignees.set(conversation.number, conversation.assignee_id);
      if ((event.changed || []).includes("assignee_id")) {
        const announced = announcing.delete(conversation.number);
        if (conversation.assignee_id === ctx.user.id && before !== ctx.user.id) {
          notify(t("Assigned to you: #{number}", { number: conversation.number }), "", () => openConversation(conversation.number));
        } else if (announced && !conversation.assignee_id) announcing.add(conversation.number);
      }
      refreshSoon();
      break;
    }
    case "conversation.read":
      refreshSoon();
      break;
    case "contact.updated":
      if (list.items.some((item) => item.contact.id === event.contact.id)) refreshSoon();
      break;
    default:
      break;
  }
}

const connection = $("connection");
const realtime = new Realtime(ctx.accountId, {
  onEvent,
  onSignal: (frame) => pane.signal(frame),
  onReady: (fresh) => {
    if (fresh) {
      refreshNow().catch((error) => toast(error.message));
      pane.refresh().catch(() => {});
    }
  },
  onState: (state) => {
    connection.dataset.state = state;
    connection.textContent = { live: t("Live"), connecting: t("Connecting…"), reconnecting: t("Reconnecting…"), offline: t("Offline") }[state] || "";
  },
});
window.destekRealtime = realtime; // tests drop the connection with it

document.addEventListener("visibilitychange", () => {
  if (!document.hidden && pane.number && pane.pendingRead) pane.markRead();
});
window.addEventListener("pagehide", () => {
  if (pane.number) {
    fetch(`${ctx.base}/conversations/${pane.number}/viewing`, {
      method: "POST",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-Requested-With": "destek" },
      body: JSON.stringify({ viewing: false }),
    }).catch(() => {});
  }
});

// --- notifications -----------------------------------------------------------------------------

const notifyButton = $("enable-notifications");
notifyButton.textContent = describe(permission());
notifyButton.addEventListener("click", async () => {
  notifyButton.textContent = describe(await askPermission());
});

// --- keyboard shortcuts ------------------------------------------------------------------------

function openHelp() {
  $("help").hidden = false;
  $("close-help").focus();
}
function closeHelp() {
  if ($("help").hidden) return false;
  $("help").hidden = true;
  return true;
}
document.addEventListener("destek:help", openHelp);
$("close-help").addEventListener("click", closeHelp);
$("help").addEventListener("click", (event) => {
  if (event.target.id === "help") closeHelp();
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    if (closeHelp() || closeLightbox() || pane.closeMerge() || pane.mailDialog.close() || newMail.close()) event.preventDefault();
    return;
  }
  if (event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target)) return;
  if (!$("help").hidden && event.key !== "?") return;
  if (!$("merge-dialog").hidden || !$("mail-dialog").hidden || !$("newmail-dialog").hidden) return;
  let handled = true;
  switch (event.key) {
    case "j":
    case "k": {
      const number = list.neighbour(event.key === "j" ? 1 : -1);
      if (number) {
        openConversation(number);
        list.root.querySelector(`[data-number="${number}"]`)?.scrollIntoView({ block: "nearest" });
      }
      break;
    }
    case "r":
      if (pane.number) composer.focus("reply");
      break;
    case "n":
      if (pane.number) composer.focus("note");
      break;
    case "e":
      if (pane.number && pane.conv?.status !== "resolved") pane.toggleResolved();
      break;
    case "/":
      $("search").focus();
      break;
    case "?":
      if ($("help").hidden) openHelp();
      else closeHelp();
      break;
    default:
      handled = false;
  }
  if (handled) event.preventDefault();
});

// --- toasts ------------------------------------------------------------------------------------

function toast(text) {
  let box = document.getElementById("toasts");
  if (!box) {
    box = el("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(box);
  }
  const note = el("p", { class: "toast", text });
  box.append(note);
  setTimeout(() => note.remove(), 5000);
}

// --- start ---------------------------------------------------------------------------------------

showView();
list.reload().catch((error) => toast(error.message));
realtime.connect();
if (boot.number) openConversation(boot.number, { push: false });
