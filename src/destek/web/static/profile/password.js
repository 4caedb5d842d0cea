// Choose your own password (after a one-time password): POST /api/v1/profile/password, then on.
import { call, checkRepeat, safeNext, submitting, values } from "./forms.js";

const form = document.getElementById("password-form");
form.addEventListener("submit", (event) => {
  event.preventDefault();
  submitting(form, async () => {
    const data = values(form);
    checkRepeat(data, "new_password");
    await call("/api/v1/profile/password", "POST", { ...data, end_other_sessions: true, revoke_api_tokens: false });
    window.location.assign(safeNext(form.dataset.next));
  });
});
document.body.dataset.ready = "true";
