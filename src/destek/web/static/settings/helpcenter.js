// Help-center authoring (Settings → Help center), beside settings.js (which runs the plain forms):
// - the article editor: one tab per language, save as draft / publish / unpublish through the agent API,
//   a live preview of the Markdown rendered by the server (the same sanitiser as the public pages);
// - categories moved up and down (their positions rewritten in the new order);
// - import of .md / .zip files.
// Errors are put next to their field; text from the server is set as text, except the preview, which is
// the server's sanitised HTML (the very HTML the public page will show).

import { ApiError, call, t } from "./api.js";

function clearErrors(scope) {
  for (const slot of scope.querySelectorAll("[data-error-for]")) slot.textContent = "";
  for (const field of scope.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
}

/** Each error next to its field: "translations.en.title" and "title" both go to the title's slot. */
function showErrors(scopes, error) {
  const body = error.body?.error;
  const errors = body?.errors?.length ? body.errors : [{ field: body?.field || "", message: error.message }];
  for (const item of errors) {
    const parts = (item.field || "").split(".");
    const name = parts[0] === "translations" ? parts[2] || "" : parts[0];
    let slot = null;
    for (const scope of scopes) {
      slot = scope.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
      if (slot) {
        scope.querySelector(`[name="${CSS.escape(name)}"]`)?.setAttribute("aria-invalid", "true");
        break;
      }
    }
    slot ??= scopes[0].querySelector('[data-error-for=""]');
    if (slot && !slot.textContent) slot.textContent = item.message;
  }
}

function say(scope, text) {
  const slot = scope.querySelector("[data-status]");
  if (slot) slot.textContent = text;
}

// --- the article editor --------------------------------------------------------------------------

const editor = document.querySelector("[data-hc-editor]");

function selectTab(locale) {
  for (const tab of editor.querySelectorAll("[role=tab]")) {
    tab.setAttribute("aria-selected", String(tab.dataset.tab === locale));
  }
  for (const panel of editor.querySelectorAll("[role=tabpanel]")) panel.hidden = panel.dataset.locale !== locale;
  const url = new URL(location.href);
  url.searchParams.set("locale", locale);
  url.searchParams.delete("saved"); // "saved" is said once, by the page a save leads to
  history.replaceState(null, "", url);
}

function translationOf(form) {
  const data = {};
  for (const name of ["title", "summary", "body"]) data[name] = form.elements[name].value;
  const slug = form.elements.slug.value.trim();
  data.slug = slug || null;
  data.questions = form.elements.questions.value
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return data;
}

function categoryValue() {
  const value = editor.querySelector("[data-hc-category]").value;
  return value ? Number(value) : null;
}

async function save(form, status) {
  const panel = form.closest("[role=tabpanel]");
  const locale = panel.dataset.locale;
  const api = editor.dataset.api;
  const head = editor.querySelector(".panel");
  clearErrors(head);
  clearErrors(form);
  const buttons = form.querySelectorAll("button");
  for (const button of buttons) button.disabled = true;
  try {
    const translation = { ...translationOf(form), status };
    let id = editor.dataset.article;
    if (!id) {
      const article = await call(`${api}/articles`, "POST", {
        category_id: categoryValue(),
        translations: { [locale]: translation },
      });
      id = article.id;
    } else {
      const category = categoryValue();
      if (String(category ?? "") !== editor.dataset.category) {
        await call(`${api}/articles/${id}`, "PATCH", { category_id: category });
        editor.dataset.category = String(category ?? "");
      }
      await call(`${api}/articles/${id}/translations/${encodeURIComponent(locale)}`, "PUT", translation);
    }
    delete editor.dataset.dirty;
    window.location.assign(`${editor.dataset.base}/articles/${id}?locale=${encodeURIComponent(locale)}&saved=1`);
  } catch (error) {
    if (error instanceof ApiError) showErrors([form, head], error);
    else throw error;
    for (const button of buttons) button.disabled = false;
  }
}

async function act(button, run) {
  const form = button.closest("form");
  if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
  clearErrors(form);
  button.disabled = true;
  try {
    await run();
  } catch (error) {
    if (error instanceof ApiError) showErrors([form], error);
    else throw error;
  } finally {
    button.disabled = false;
  }
}

// The preview: asked for a moment after typing stops; an older answer never replaces a newer one.
const PREVIEW_DELAY = 300;
async function refreshPreview(form) {
  const target = form.querySelector("[data-preview]");
  const ticket = (target.dataset.ticket = String(Number(target.dataset.ticket || 0) + 1));
  try {
    const result = await call(`${editor.dataset.base}/preview`, "POST", { body: form.elements.body.value });
    if (target.dataset.ticket === ticket) target.innerHTML = result.html; // sanitised by the server
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
  }
}

function wire(panel) {
  const form = panel.querySelector("form");
  let timer = null;
  form.elements.body.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => refreshPreview(form), PREVIEW_DELAY);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save(form, event.submitter?.dataset.hcSave || "draft");
  });
  form.querySelector("[data-hc-save=published]:not([type=submit])")?.addEventListener("click", () =>
    save(form, "published"),
  );
  const translationUrl = () =>
    `${editor.dataset.api}/articles/${editor.dataset.article}/translations/${encodeURIComponent(panel.dataset.locale)}`;
  const unpublish = form.querySelector("[data-hc-unpublish]");
  unpublish?.addEventListener("click", () =>
    act(unpublish, async () => {
      await call(`${translationUrl()}/unpublish`, "POST");
      window.location.reload();
    }),
  );
  const remove = form.querySelector("[data-hc-delete-translation]");
  remove?.addEventListener("click", () =>
    act(remove, async () => {
      await call(translationUrl(), "DELETE");
      window.location.assign(`${editor.dataset.base}/articles/${editor.dataset.article}`);
    }),
  );
}

if (editor) {
  for (const panel of editor.querySelectorAll("[role=tabpanel]")) wire(panel);
  editor.querySelector("[role=tablist]").addEventListener("click", (event) => {
    const tab = event.target.closest("[role=tab]");
    if (tab) selectTab(tab.dataset.tab);
  });

  // "Add translation": a new tab for a language code (en, de, pt-BR...).
  const adder = editor.querySelector("[data-hc-add-locale]");
  adder.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(adder);
    const raw = adder.elements.locale.value.trim();
    const match = /^([A-Za-z]{2,3})(?:[-_]([A-Za-z0-9]{2,8}))?$/.exec(raw);
    if (!match) {
      adder.querySelector("[data-error-for=locale]").textContent = t("A language code such as de or pt-BR.");
      adder.elements.locale.setAttribute("aria-invalid", "true");
      return;
    }
    const locale = match[1].toLowerCase() + (match[2] ? `-${match[2].toUpperCase()}` : "");
    if (!editor.querySelector(`[role=tab][data-tab="${CSS.escape(locale)}"]`)) {
      const tab = document.createElement("button");
      Object.assign(tab, { type: "button", id: `hc-tab-${locale}`, textContent: locale });
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", `hc-panel-${locale}`);
      tab.dataset.tab = locale;
      tab.dataset.testid = `hc-tab-${locale}`;
      adder.before(tab);
      const template = document.getElementById("hc-panel-template");
      const holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replaceAll("__locale__", locale); // our own markup; locale is checked
      const panel = holder.firstElementChild;
      editor.querySelector("#hc-panel-template").before(panel);
      wire(panel);
    }
    adder.elements.locale.value = "";
    selectTab(locale);
  });

  // An existing article moves to another category at once; a new one takes it with its first save.
  const category = editor.querySelector("[data-hc-category]");
  category.addEventListener("change", async () => {
    if (!editor.dataset.article) return;
    const head = editor.querySelector(".panel");
    clearErrors(head);
    try {
      await call(`${editor.dataset.api}/articles/${editor.dataset.article}`, "PATCH", { category_id: categoryValue() });
      editor.dataset.category = category.value;
      say(head.querySelector(".hc-category-field"), t("Saved"));
    } catch (error) {
      category.value = editor.dataset.category;
      if (error instanceof ApiError) showErrors([head], error);
      else throw error;
    }
  });

  // Leaving with unsaved text asks first (saving navigates on purpose, after clearing the flag).
  editor.addEventListener("input", (event) => {
    if (event.target.closest(".hc-translation")) editor.dataset.dirty = "true";
  });
  window.addEventListener("beforeunload", (event) => {
    if (editor.dataset.dirty === "true") event.preventDefault();
  });

  const remove = editor.querySelector("[data-hc-delete-article]");
  remove?.addEventListener("click", async () => {
    if (!window.confirm(remove.dataset.confirm)) return;
    remove.disabled = true;
    try {
      await call(`${editor.dataset.api}/articles/${editor.dataset.article}`, "DELETE");
      window.location.assign(editor.dataset.base);
    } catch (error) {
      remove.disabled = false;
      if (error instanceof ApiError) showErrors([editor.querySelector(".panel")], error);
      else throw error;
    }
  });
  if (new URL(location.href).searchParams.get("saved")) {
    const open = editor.querySelector("[role=tabpanel]:not([hidden])");
    if (open) say(open, t("Saved"));
  }
}

// --- categories: move up / down ------------------------------------------------------------------

const categoryList = document.querySelector("[data-hc-categories]");
categoryList?.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-hc-move]");
  if (!button) return;
  const items = [...categoryList.querySelectorAll("[data-category]")];
  const from = items.indexOf(button.closest("[data-category]"));
  const to = from + Number(button.dataset.hcMove);
  if (to < 0 || to >= items.length) return;
  [items[from], items[to]] = [items[to], items[from]];
  button.disabled = true;
  try {
    // Positions become 0, 1, 2... in the new order (equal positions would leave the order to chance).
    await Promise.all(
      items.map((item, position) =>
        call(`${categoryList.dataset.api}/${item.dataset.category}`, "PATCH", { position }),
      ),
    );
    window.location.reload();
  } catch (error) {
    button.disabled = false;
    if (error instanceof ApiError) showErrors([button.closest("form")], error);
    else throw error;
  }
});

// --- import -------------------------------------------------------------------------------------

const importer = document.querySelector("[data-hc-import]");
importer?.elements.file.addEventListener("change", async () => {
  const files = importer.elements.file.files;
  if (!files.length) return;
  clearErrors(importer);
  const data = new FormData();
  for (const file of files) data.append("file", file);
  say(importer, t("Importing…"));
  try {
    const report = await call(importer.dataset.hcImport, "POST", data);
    say(
      importer,
      t("Imported: {created} new, {updated} updated.")
        .replace("{created}", report.created)
        .replace("{updated}", report.updated),
    );
    setTimeout(() => window.location.reload(), 1200);
  } catch (error) {
    say(importer, "");
    if (error instanceof ApiError) showErrors([importer], error);
    else throw error;
  } finally {
    importer.elements.file.value = "";
  }
});

document.body.dataset.helpcenterReady = "true";
