// An invitation's page: accept as the logged-in person, or create a login and join.
import { call, checkRepeat, submitting, values } from "./forms.js";

const box = document.querySelector("[data-invitation]");
const token = box.dataset.token;
const home = `/app/${box.dataset.account}`;

box.querySelector("[data-accept]")?.addEventListener("click", () =>
  submitting(box, async () => {
    await call(`/api/v1/invitations/${encodeURIComponent(token)}/accept`, "POST");
    window.location.assign(home);
  }),
);

box.querySelector("[data-logout]")?.addEventListener("click", async () => {
  await call("/api/v1/auth/logout", "POST");
  window.location.reload();
});

const form = document.getElementById("register-form");
form?.addEventListener("submit", (event) => {
  event.preventDefault();
  submitting(form, async () => {
    const data = values(form);
    checkRepeat(data, "password");
    data.locale = document.documentElement.lang === "tr" ? "tr" : null;
    await call(`/api/v1/invitations/${encodeURIComponent(token)}/register`, "POST", data);
    window.location.assign(home);
  });
});
document.body.dataset.ready = "true";
