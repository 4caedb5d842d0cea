// Accept or decline an invitation waiting for the logged-in person (profile page, "no account" page).
import { ApiError, call, t } from "./forms.js";

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-invitation-action]");
  if (!button) return;
  const row = button.closest("[data-row]");
  const slot = row?.querySelector("[data-error-for]");
  if (slot) slot.textContent = "";
  button.disabled = true;
  try {
    const action = button.dataset.invitationAction;
    await call(`/api/v1/profile/invitations/${button.dataset.id}/${action}`, "POST");
    window.location.assign(action === "accept" ? "/app" : window.location.href);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (slot) slot.textContent = t(error.message);
    button.disabled = false;
  }
});
