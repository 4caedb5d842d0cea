// The shell of every dashboard page: account switcher, profile menu (language, logout), nav drawer.
import { api, localizeTimes } from "./util.js";

const body = document.body;
localizeTimes(document);

const switcher = document.getElementById("account-switch");
if (switcher) switcher.addEventListener("change", () => window.location.assign(switchedPath(location.pathname, switcher.value)));

/** The same section in another account: settings stay settings (ids of this account are left out). */
export function switchedPath(path, accountId) {
  const settings = /^\/app\/\d+\/settings(\/[a-z_-]+)?/.exec(path);
  if (settings) return `/app/${accountId}/settings${settings[1] || ""}`;
  return `/app/${accountId}`;
}

for (const button of document.querySelectorAll("[data-set-locale]")) {
  button.addEventListener("click", async () => {
    const value = button.dataset.setLocale || null;
    await api("/api/v1/profile/locale", { method: "PUT", body: { locale: value } });
    window.location.reload();
  });
}

document.getElementById("logout")?.addEventListener("click", async () => {
  // Only a logout the server confirmed leads to the login page: with the cookie still valid, /login
  // would send the agent straight back here.
  const error = document.getElementById("logout-error");
  error.hidden = true;
  document.dispatchEvent(new CustomEvent("destek:logging-out"));
  let ok = false;
  try {
    const response = await fetch("/api/v1/auth/logout", { method: "POST", headers: { "X-Requested-With": "destek" } });
    ok = response.ok || response.status === 401;
  } catch {
    ok = false;
  }
  if (ok) window.location.assign("/login");
  else {
    error.hidden = false;
    document.dispatchEvent(new CustomEvent("destek:logout-failed"));
  }
});

const menu = document.getElementById("profile-menu");
document.addEventListener("click", (event) => {
  if (menu && menu.open && !menu.contains(event.target)) menu.open = false;
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && menu && menu.open) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});

const toggle = document.getElementById("nav-toggle");
toggle?.addEventListener("click", () => {
  const open = !body.classList.contains("nav-open");
  body.classList.toggle("nav-open", open);
  toggle.setAttribute("aria-expanded", String(open));
});

document.getElementById("open-help")?.addEventListener("click", () => {
  if (menu) menu.open = false;
  document.dispatchEvent(new CustomEvent("destek:help"));
});

// Mark the current view in the navigation (also after htmx swaps in fresh counts).
export function markCurrentView(view) {
  for (const link of document.querySelectorAll(".sidenav .view-link")) {
    const current = link.dataset.view !== undefined && link.dataset.view === view;
    link.classList.toggle("current", current);
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}
