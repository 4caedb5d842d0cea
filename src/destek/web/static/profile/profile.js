// The profile page: password change, the person's sessions, managing the second factor. The name form
// is a settings-style form (settings.js); setting up the second factor is enrol.js; invitations.js.
import "../settings/settings.js";
import "./enrol.js";
import "./invitations.js";
import { formatAgo, formatDateTime } from "../dashboard/util.js";
import { showCodes } from "./enrol.js";
import { ApiError, call, checkRepeat, submitting, t, values } from "./forms.js";

const password = document.getElementById("change-password");
password.addEventListener("submit", (event) => {
  event.preventDefault();
  submitting(password, async () => {
    const data = values(password);
    checkRepeat(data, "new_password");
    await call("/api/v1/profile/password", "POST", data);
    password.reset();
    const status = password.querySelector("[data-status]");
    status.textContent = t("Password changed.");
    await loadSessions();
  });
});

// --- sessions ----------------------------------------------------------------------------------

const sessions = document.getElementById("sessions");
const sessionsError = document.getElementById("sessions-error");

function sessionRow(item) {
  const row = document.createElement("tr");
  row.dataset.session = String(item.id);
  const device = [item.browser, item.system].filter(Boolean).join(", ") || sessions.dataset.unknown;
  const cells = [device, item.ip || "—"].map((text) => Object.assign(document.createElement("td"), { textContent: text }));
  const seen = document.createElement("td");
  const when = item.last_seen_at || item.created_at;
  seen.append(Object.assign(document.createElement("time"), { dateTime: when, textContent: formatAgo(when), title: formatDateTime(when) }));
  const action = document.createElement("td");
  action.className = "actions";
  if (item.current) {
    action.append(Object.assign(document.createElement("span"), { className: "pill ok", textContent: sessions.dataset.this }));
  } else {
    const end = Object.assign(document.createElement("button"), { type: "button", className: "button small", textContent: sessions.dataset.end });
    end.addEventListener("click", () => endSession(item.id));
    action.append(end);
  }
  row.append(...cells, seen, action);
  return row;
}

async function loadSessions() {
  const items = await call("/api/v1/profile/sessions", "GET");
  sessions.replaceChildren(...items.map(sessionRow));
}

async function guarded(work) {
  sessionsError.textContent = "";
  try {
    await work();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    sessionsError.textContent = t(error.message);
  }
}

function endSession(id) {
  return guarded(async () => {
    await call(`/api/v1/profile/sessions/${id}`, "DELETE");
    await loadSessions();
  });
}

document.getElementById("end-other-sessions").addEventListener("click", () =>
  guarded(async () => {
    await call("/api/v1/profile/sessions", "DELETE");
    await loadSessions();
  }),
);

// --- the second factor, once on -----------------------------------------------------------------

const manage = document.getElementById("second-factor-manage");
manage?.addEventListener("submit", (event) => {
  event.preventDefault();
  const action = event.submitter?.dataset.action;
  if (action === "disable" && !window.confirm(t("Turn off the second factor? Logging in will need only the password."))) return;
  submitting(manage, async () => {
    const body = values(manage);
    if (action === "disable") {
      await call("/api/v1/profile/second-factor/disable", "POST", body);
      window.location.reload();
      return;
    }
    const result = await call("/api/v1/profile/second-factor/recovery-codes", "POST", body);
    manage.reset();
    const box = document.querySelector("[data-new-codes]");
    showCodes(box.querySelector("ol"), result.codes);
    box.hidden = false;
  });
});

await loadSessions();
document.body.dataset.ready = "true";
