// Settings pages: forms and buttons that call the agent API (JSON, session cookie + X-Requested-With),
// show the server's validation errors next to their fields, and reload to show the result.
//
//   <form data-api="/api/v1/..." data-method="PATCH" data-then="reload">      a form → one request
//     <input name="tier" data-type="int">  name="greetings.en" → {"greetings": {"en": ...}}
//     <input type="checkbox" name="user_ids" value="3" data-type="ids">     → {"user_ids": [3, ...]}
//     <p class="field-error" data-error-for="tier"></p>                     where its error is shown
//   data-members-api="/api/v1/.../members": user_ids go there (PUT) after the form's own request
//   <button data-api=... data-method="DELETE" data-confirm="Sure?">         a one-click change
//   <select data-api=... data-key="role">                                  a change on change
//   <button data-api=... data-then="secret" data-secret-key="token" data-secret-slot="bot-token">
//                                        show a secret the answer carries once (see showSecret)
//   <fieldset data-show-when="mode=external">  part of a form shown only while its field `mode` has
//                                        that value (see showWhen); without JS it is always shown
//   <div data-tabs><div role="tablist"><button role="tab" aria-controls="panel-id">...  tabs (see tabs)
//
// Text from the server is always set as text (textContent), never as HTML.

import { ApiError, call, clearErrors, showErrors, t } from "./api.js";

function setPath(target, path, value) {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key] ??= {};
  node[keys[keys.length - 1]] = value;
}

/** The form's fields as JSON: typed by data-type; empty texts inside objects (per-language texts) left out. */
export function collect(form) {
  const data = {};
  for (const field of form.elements) {
    if (!field.name || field.disabled || field.dataset.skip !== undefined) continue;
    const type = field.dataset.type || (field.type === "checkbox" ? "bool" : "text");
    if (type === "ids") {
      const list = (data[field.name] ??= []);
      if (field.checked) list.push(Number(field.value));
      continue;
    }
    if (field.type === "radio" && !field.checked) continue;
    let value;
    if (type === "bool") value = field.checked;
    else if (type === "int") value = field.value === "" ? null : Number.parseInt(field.value, 10);
    else if (type === "float") value = field.value === "" ? null : Number(field.value);
    else value = field.value;
    if (field.name.includes(".") && value === "") continue;
    if (type === "optional" && value === "") value = null;
    setPath(data, field.name, value);
  }
  const shape = SHAPES[form.dataset.shape];
  return shape ? shape(data, form) : data;
}

// Forms whose JSON is not a plain copy of their fields (a page's own module may add its shapes).
export const SHAPES = {
  widget(data) {
    const chosen = data.pre_chat || {};
    data.pre_chat_fields = ["name", "email"]
      .filter((name) => chosen[name])
      .map((name) => ({ field: name, required: Boolean((data.pre_chat_required || {})[name]) }));
    delete data.pre_chat;
    delete data.pre_chat_required;
    data.greetings ??= {};
    data.reply_notice ??= {};
    return data;
  },
  bot(data) {
    const rows = Object.values(data.topic || {});
    data.topics = rows
      .filter((row) => row.id && row.id.trim())
      .map((row) => ({
        id: row.id.trim(),
        labels: row.labels || {},
        team_id: row.team_id ? Number(row.team_id) : null,
      }));
    delete data.topic;
    for (const key of ["greeting", "handoff_message", "offline_message"]) data[key] ??= {};
    // The secret is write-only: an empty field sends null, which keeps the stored one.
    if ("webhook_secret" in data) data.webhook_secret = data.webhook_secret || null;
    if ("webhook_url" in data) data.webhook_url = data.webhook_url?.trim() || null;
    return data;
  },
};

// Why the bot would hand over (TrialOut.reason), as the settings page says it.
const TRIAL_REASONS = {
  asked: "the customer asks for a person",
  angry: "the customer is angry",
  urgent: "it is urgent and no article answers it surely enough",
  low_confidence: "no article answers it surely enough",
};

/** "{name}" placeholders of a translated text, filled with values (as text). */
function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
}

export function status(scope, text) {
  const slot = scope.querySelector("[data-status]");
  if (!slot) return;
  slot.textContent = text;
  if (text) setTimeout(() => (slot.textContent = ""), 4000);
}

// What follows a form's success, by data-then (a page's own module may add to it).
export const AFTER = {
  reload: () => window.location.reload(),
  stay: (result, form) => status(form, t("Saved")),
  open: (result, form) => window.location.assign(`${form.dataset.open}/${result.id}`),
  invite(result, form) {
    const box = document.getElementById("invite-result");
    box.querySelector("[data-invite=name]").textContent = result.name;
    box.querySelector("[data-invite=email]").textContent = result.email;
    box.querySelector("[data-invite=url]").textContent = result.url;
    box.hidden = false;
    form?.reset();
    box.scrollIntoView({ block: "nearest" });
    box.querySelector("button")?.focus();
  },
  password(result) {
    const box = document.getElementById("password-result");
    box.querySelector("[data-password=name]").textContent = result.agent.name;
    box.querySelector("[data-password=email]").textContent = result.agent.email;
    box.querySelector("[data-password=login]").textContent = result.login_url;
    box.querySelector("[data-password=password]").textContent = result.password;
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
    box.querySelector("button")?.focus();
  },
  bot(result, form) {
    const secret = form.elements.namedItem("webhook_secret");
    if (secret) {
      secret.value = ""; // never kept in the page once saved
      if (result.webhook_secret_set) secret.placeholder = t("Leave empty to keep the current secret");
      const state = form.querySelector("[data-secret-state]");
      if (state) state.textContent = t(result.webhook_secret_set ? "A secret is set." : "No secret yet.");
    }
    if (result.mode !== form.dataset.savedMode) {
      // The bot token's block is drawn for an external bot only: show the page as it now is.
      history.replaceState(null, "", "#bot-title");
      window.location.reload();
      return;
    }
    status(form, t("Saved"));
  },
  trial(result) {
    const box = document.getElementById("bot-trial");
    const part = (name) => box.querySelector(`[data-trial=${name}]`);
    const percent = (value) => Math.round(value * 100);
    const sure = fill(t("{sure}% sure; the bot answers from {threshold}%"), {
      sure: percent(result.confidence),
      threshold: percent(result.threshold),
    });
    let verdict;
    if (result.action === "answer") verdict = `${fill(t("It would answer with “{title}”."), { title: result.article.title })} ${sure}.`;
    else if (result.action === "hello") verdict = t("It would greet the customer and offer the topics.");
    else if (result.action === "thanks") verdict = t("It would say nothing: a thank-you with no question.");
    else {
      verdict = `${t("It would hand the conversation to a person:")} ${t(TRIAL_REASONS[result.reason] || result.reason)}.`;
      if (result.article && result.reason !== "asked") verdict += ` ${fill(t("Closest article: “{title}”"), { title: result.article.title })}, ${sure}.`;
    }
    part("verdict").textContent = verdict;
    part("verdict").dataset.action = result.action;
    const understood = [
      `${t("Language")}: ${result.language.toUpperCase()}`,
      `${t("Sentiment")}: ${t(result.sentiment || "neutral")}`,
    ];
    if (result.urgent) understood.push(t("urgent"));
    if (result.angry) understood.push(t("angry"));
    if (result.asks_person) understood.push(t("asks for a person"));
    part("understood").textContent = understood.join(" · ");
    const list = part("candidates");
    list.replaceChildren(
      ...result.candidates.map((hit) => {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = hit.url;
        link.target = "_blank";
        link.rel = "noopener";
        link.textContent = hit.title;
        item.append(link, ` — ${fill(t("{score}% match"), { score: percent(hit.score) })}`);
        return item;
      }),
    );
    part("heading").hidden = list.children.length === 0;
    box.hidden = false;
  },
  widget(result, form) {
    status(form, t("Saved"));
    const swatch = document.querySelector("[data-widget-swatch]");
    if (swatch) swatch.style.setProperty("--swatch", result.settings.color);
  },
};

async function submit(form) {
  clearErrors(form);
  const button = form.querySelector("[type=submit]");
  if (button) button.disabled = true;
  try {
    const data = collect(form);
    let members;
    if (form.dataset.membersApi) {
      members = data.user_ids || [];
      delete data.user_ids;
    }
    const result = await call(form.dataset.api, form.dataset.method || "POST", data);
    if (members) await call(form.dataset.membersApi, "PUT", { user_ids: members });
    (AFTER[form.dataset.then || "reload"] || AFTER.reload)(result, form);
  } catch (error) {
    if (error instanceof ApiError) showErrors(form, error);
    else throw error;
  } finally {
    if (button) button.disabled = false;
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-api]");
  if (!form) return;
  event.preventDefault();
  submit(form);
});

function scopeOf(node) {
  return node.closest("[data-row], form, section") || document.body;
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-api]");
  if (button) {
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    const scope = scopeOf(button);
    clearErrors(scope);
    button.disabled = true;
    try {
      const body = button.dataset.body ? JSON.parse(button.dataset.body) : undefined;
      const result = await call(button.dataset.api, button.dataset.method || "POST", body);
      if (button.dataset.then === "secret") showSecret(button, result);
      else if (button.dataset.then === "password" || button.dataset.then === "invite") AFTER[button.dataset.then](result, null);
      else window.location.reload();
    } catch (error) {
      if (error instanceof ApiError) showErrors(scope, error);
      else throw error;
    } finally {
      button.disabled = false;
    }
    return;
  }
  const copy = event.target.closest("button[data-copy]");
  if (copy) {
    const source = document.querySelector(copy.dataset.copy);
    const text = source?.value ?? source?.textContent ?? "";
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      source?.select?.();
      document.execCommand?.("copy");
    }
    const label = copy.textContent;
    copy.textContent = t("Copied");
    setTimeout(() => (copy.textContent = label), 2000);
    return;
  }
  if (event.target.closest("[data-reload]")) window.location.reload();
});

document.addEventListener("change", async (event) => {
  const field = event.target.closest("select[data-api], input[type=checkbox][data-api]");
  if (!field) return;
  const scope = scopeOf(field);
  clearErrors(scope);
  const value = field.type === "checkbox" ? field.checked : field.value;
  try {
    await call(field.dataset.api, field.dataset.method || "PATCH", { [field.dataset.key]: value });
    status(scope, t("Saved"));
    if (field.dataset.then === "reload") window.location.reload();
  } catch (error) {
    if (field.type === "checkbox") field.checked = !field.checked;
    else field.value = field.dataset.current ?? field.value;
    if (error instanceof ApiError) showErrors(scope, error);
    else throw error;
    return;
  }
  field.dataset.current = field.value;
});

/** data-then="secret": show result[data-secret-key || "secret"] once, in the element whose id is
 * data-secret-slot (default "inbox-secret"); unhide its copy button and the scope's [data-secret-note],
 * hide the scope's [data-secret-stale] (what the page said before, e.g. "No token yet."). */
function showSecret(button, result) {
  const slot = document.getElementById(button.dataset.secretSlot || "inbox-secret");
  const secret = result?.[button.dataset.secretKey || "secret"];
  if (!slot || !secret) return;
  slot.textContent = secret;
  slot.hidden = false;
  document.querySelector(`button[data-copy="#${CSS.escape(slot.id)}"]`)?.removeAttribute("hidden");
  const scope = scopeOf(button);
  scope.querySelector("[data-secret-note]")?.removeAttribute("hidden");
  for (const stale of scope.querySelectorAll("[data-secret-stale]")) stale.hidden = true;
}

/** The value of a form's field as data-show-when compares it: the checked radio's, a checkbox's when
 * checked ("" otherwise), else the field's value; null when the form has no such field. */
function fieldValue(form, name) {
  const field = form.elements.namedItem(name);
  if (field === null) return null;
  if (field instanceof RadioNodeList) return field.value;
  if (field.type === "checkbox" || field.type === "radio") return field.checked ? field.value : "";
  return field.value;
}

/** data-show-when="name=value": hide the parts of the form whose condition does not hold. Hidden fields
 * are still sent (they keep their values); it only spares the reader what does not apply. */
function showWhen(form) {
  for (const part of form.querySelectorAll("[data-show-when]")) {
    const [name, wanted] = part.dataset.showWhen.split("=");
    part.hidden = fieldValue(form, name) !== wanted;
  }
}

for (const form of document.querySelectorAll("form")) {
  if (form.querySelector("[data-show-when]")) showWhen(form);
}
document.addEventListener("change", (event) => {
  const form = event.target.form;
  if (form?.querySelector("[data-show-when]")) showWhen(form);
});

// The colour picker and its text field show the same value.
for (const picker of document.querySelectorAll("input[type=color][data-mirror]")) {
  const text = document.getElementById(picker.dataset.mirror);
  picker.addEventListener("input", () => (text.value = picker.value));
  text?.addEventListener("input", () => {
    if (/^#[0-9a-fA-F]{6}$/.test(text.value)) picker.value = text.value.toLowerCase();
  });
}

/** [data-tabs]: a tab list and its panels (role=tab with aria-controls, role=tabpanel). A click or
 * Enter shows a tab's panel; the arrow keys, Home and End move between the tabs (one tab stop). */
function tabs(root) {
  const list = root.querySelector("[role=tablist]");
  const all = () => [...list.querySelectorAll("[role=tab]")];
  const select = (tab, focus) => {
    for (const other of all()) {
      const chosen = other === tab;
      other.setAttribute("aria-selected", String(chosen));
      other.tabIndex = chosen ? 0 : -1;
      const panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !chosen;
    }
    if (focus) tab.focus();
  };
  list.addEventListener("click", (event) => {
    const tab = event.target.closest("[role=tab]");
    if (tab) select(tab, false);
  });
  list.addEventListener("keydown", (event) => {
    const tabs = all();
    const at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    select(tabs[(next + tabs.length) % tabs.length], true);
  });
}

for (const root of document.querySelectorAll("[data-tabs]")) tabs(root);

// Tests and scripts wait for this before using the page.
document.body.dataset.settingsReady = "true";
