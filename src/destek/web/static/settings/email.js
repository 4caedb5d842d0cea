// An e-mail inbox's Settings: the channel form's JSON ({settings, secrets}: a secret only when typed),
// what the page shows once it is saved ("Saved" beside each secret set), the provider presets, Test
// connection, and processing again a mail that could not be read. Text from the server goes in as text.
import { ApiError, call, t } from "./api.js";
import { AFTER, SHAPES, status } from "./settings.js";

SHAPES.channel = (data) => {
  // Empty fields were left out by collect(): those settings return to their defaults, and a secret
  // left empty keeps its stored value.
  const body = { settings: data.settings || {} };
  if (data.secrets && Object.keys(data.secrets).length) body.secrets = data.secrets;
  return body;
};

AFTER.channel = (result, form) => {
  for (const [name, set] of Object.entries(result.secrets || {})) {
    const field = form.elements.namedItem(`secrets.${name}`);
    if (field) {
      field.value = ""; // never kept in the page once saved
      field.placeholder = set ? t("Leave empty to keep it") : "";
    }
    const state = form.querySelector(`[data-secret-for="${CSS.escape(name)}"]`);
    if (state) {
      state.textContent = set ? t("Saved") : t("Not set");
      state.classList.toggle("saved", set);
    }
  }
  const problem = document.querySelector("[data-channel-problem]");
  if (problem) {
    problem.querySelector("[data-problem-text]").textContent = result.problem || "";
    problem.hidden = !result.problem;
  }
  status(form, t("Saved"));
};

// --- provider presets ------------------------------------------------------------------------------

for (const select of document.querySelectorAll("[data-mail-preset]")) {
  const presets = JSON.parse(select.dataset.presets || "{}");
  select.addEventListener("change", () => {
    const preset = presets[select.value];
    if (!preset) return;
    for (const [name, value] of Object.entries(preset)) {
      const field = select.form.elements.namedItem(`settings.${name}`);
      if (field) field.value = String(value);
    }
    // The OAuth provider changed with it: its parts shown by data-show-when follow.
    select.form.elements.namedItem("settings.oauth_provider")?.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

// --- Test connection -------------------------------------------------------------------------------

for (const button of document.querySelectorAll("[data-channel-check]")) {
  const result = button.parentElement.querySelector("[data-check-result]");
  button.addEventListener("click", async () => {
    button.disabled = true;
    result.hidden = false;
    result.dataset.ok = "";
    result.textContent = t("Testing the connection…");
    try {
      const answer = await call(button.dataset.channelCheck, "POST");
      result.dataset.ok = String(answer.ok);
      result.textContent = answer.ok
        ? t("The connection works: the mail servers accepted the login.")
        : `${t("The connection failed:")} ${answer.problem}`;
      const problem = document.querySelector("[data-channel-problem]");
      if (problem) {
        problem.querySelector("[data-problem-text]").textContent = answer.problem || "";
        problem.hidden = answer.ok;
      }
    } catch (error) {
      result.dataset.ok = "false";
      result.textContent = error instanceof ApiError ? error.message : t("Something went wrong. Try again.");
    } finally {
      button.disabled = false;
    }
  });
}

// --- mail that could not be read: process again -----------------------------------------------------

const RETAKEN = {
  processed: "Processed: it is in the inbox now.",
  duplicate: "It was already in the inbox.",
  ignored: "Read: there was nothing in it to store.",
};

for (const button of document.querySelectorAll("[data-inbound-retry]")) {
  const row = button.closest("tr");
  const note = row.querySelector("[data-inbound-result]");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const answer = await call(button.dataset.inboundRetry, "POST");
      note.hidden = false;
      if (answer.status === "failed") {
        row.querySelector("[data-inbound-error]").textContent = answer.error;
        note.textContent = t("Still unreadable.");
        note.className = "small form-error";
        button.disabled = false;
      } else {
        note.textContent = t(RETAKEN[answer.status] || RETAKEN.processed);
        note.className = "small ok";
        button.hidden = true;
      }
    } catch (error) {
      note.hidden = false;
      note.className = "small form-error";
      note.textContent = error instanceof ApiError ? error.message : t("Something went wrong. Try again.");
      button.disabled = false;
    }
  });
}
