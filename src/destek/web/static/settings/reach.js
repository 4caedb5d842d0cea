// A chat inbox's Settings, "Reaching customers who have left": the channel form's JSON ({settings,
// secrets}: a key only when pasted or chosen, null when removed), the key files read into their fields
// and checked before they leave (the server only finds a wrong file when a push fails), and what the page
// shows once saved ("✓ Saved" beside each key set). Text from the server goes in as text.
import { ApiError, t } from "./api.js";
import { AFTER, SHAPES, status } from "./settings.js";

const MAX_KEY = 20000; // characters: the server's limit for a secret (a service-account file is ~2.4 kB)
const NUMBERS = ["email_after_minutes", "push_after_seconds"];
const APNS_IDS = ["apns_key_id", "apns_team_id", "apns_bundle_id"];

/** What is wrong with a Firebase service-account key file's text, or "". */
function fcmProblem(text) {
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    return t("This is not JSON: use the whole key file Firebase gives (Project settings, Service accounts, Generate new private key).");
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return t("This is not a service-account key file: use the whole file Firebase gives.");
  }
  if ("project_info" in data && "client" in data) {
    return t("This is the app's google-services.json. The server needs a service-account key: Firebase console, Project settings, Service accounts, Generate new private key.");
  }
  const complete = ["project_id", "client_email", "private_key"].every(
    (name) => typeof data[name] === "string" && data[name].trim(),
  );
  if ((data.type ?? "service_account") !== "service_account" || !complete) {
    return t("This is not a service-account key file (it has type, project_id, client_email and private_key): use the whole file Firebase gives.");
  }
  return "";
}

/** What is wrong with an APNs .p8 key's text, or "". */
function p8Problem(text) {
  return /-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/.test(text)
    ? ""
    : t("This is not a .p8 key: the file starts with -----BEGIN PRIVATE KEY-----.");
}

const CHECKS = { fcm_service_account: fcmProblem, apns_private_key: p8Problem };

function removing(form, name) {
  return Boolean(form.querySelector(`[data-remove-secret="${CSS.escape(name)}"]`)?.checked);
}

function savedKey(form, name) {
  return form.querySelector(`[data-secret-for="${CSS.escape(name)}"]`)?.classList.contains("saved");
}

SHAPES.reach = (data, form) => {
  const settings = data.settings || {};
  // An emptied number returns to its default rather than being refused.
  for (const name of NUMBERS) if (settings[name] === null) delete settings[name];
  if (typeof settings.chat_url === "string") {
    settings.chat_url = settings.chat_url.trim();
    if (!settings.chat_url) delete settings.chat_url;
  }
  const secrets = {};
  const errors = [];
  for (const [name, value] of Object.entries(data.secrets || {})) {
    const text = value.trim();
    if (!text) continue; // nothing typed: the saved key stays
    const problem = text.length > MAX_KEY ? t("This file is too long to be a key.") : CHECKS[name]?.(text);
    if (problem) errors.push({ field: `secrets.${name}`, message: problem });
    secrets[name] = text;
  }
  for (const box of form.querySelectorAll("[data-remove-secret]")) {
    if (box.checked) secrets[box.dataset.removeSecret] = null;
  }
  // An iOS key signs for one developer team and app: without its ids Apple refuses every push.
  const p8 = "apns_private_key" in secrets ? secrets.apns_private_key !== null : savedKey(form, "apns_private_key");
  if (p8) {
    for (const name of APNS_IDS) {
      if (!settings[name]) errors.push({ field: `settings.${name}`, message: t("Needed with an iOS key.") });
    }
  }
  if (errors.length) throw new ApiError(422, { error: { message: errors[0].message, errors } });
  const body = { settings };
  if (Object.keys(secrets).length) body.secrets = secrets;
  return body;
};

AFTER.reach = (result, form) => {
  for (const [name, value] of Object.entries(result.settings || {})) {
    const field = form.elements.namedItem(`settings.${name}`);
    if (!field) continue;
    if (field.type === "checkbox") field.checked = Boolean(value);
    else field.value = value ?? "";
  }
  for (const [name, set] of Object.entries(result.secrets || {})) {
    const field = form.elements.namedItem(`secrets.${name}`);
    if (field) {
      field.value = ""; // never kept in the page once saved
      field.placeholder = set ? t("Leave empty to keep it") : t("Paste the key file here, or choose the file.");
    }
    const state = form.querySelector(`[data-secret-for="${CSS.escape(name)}"]`);
    if (state) {
      state.textContent = set ? t("Saved") : t("Not set");
      state.classList.toggle("saved", set);
    }
    const remove = form.querySelector(`[data-remove-secret="${CSS.escape(name)}"]`);
    if (remove) {
      remove.checked = false;
      remove.closest("[data-remove-row]").hidden = !set;
    }
  }
  const problem = form.closest("section")?.querySelector("[data-channel-problem]");
  if (problem) {
    problem.querySelector("[data-problem-text]").textContent = result.problem || "";
    problem.hidden = !result.problem;
  }
  status(form, t("Saved"));
};

// A key file chosen from the disk: its text goes into the key's field (and is checked when saving).
for (const input of document.querySelectorAll("[data-key-file]")) {
  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    const field = input.form.elements.namedItem(`secrets.${input.dataset.keyFile}`);
    const slot = input.form.querySelector(`[data-error-for="secrets.${CSS.escape(input.dataset.keyFile)}"]`);
    if (!file || !field) return;
    slot.textContent = "";
    if (file.size > MAX_KEY * 4) {
      slot.textContent = t("This file is too long to be a key.");
      input.value = "";
      return;
    }
    field.value = await file.text();
    input.value = ""; // the same file chosen again reads it again
    field.focus();
  });
}

// Tests and scripts wait for this before using the form (settings.js has already said it is ready).
document.body.dataset.reachReady = "true";
