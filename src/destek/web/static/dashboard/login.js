// The login form: POST /api/v1/auth/login sets the session cookie, then on to the page asked for. With
// a second factor on, the server asks for the app's code (401 second_factor_required): the code field
// appears and the form is sent again with it. A one-time password leads to choosing one's own.
const form = document.getElementById("login-form");
const error = document.getElementById("login-error");
const codeField = document.getElementById("code-field");

// The server's error codes that have a sentence of their own.
const MESSAGES = {
  second_factor_required: "codeNeeded",
  second_factor_invalid: "codeWrong",
  deactivated: "deactivated",
};

function safe(path) {
  return path && path.startsWith("/") && !path.startsWith("//") ? path : "/app";
}

// Refused by the login rate limit (429): say how long to wait, in seconds or, when long, minutes.
function tooMany(seconds) {
  if (seconds > 90) return error.dataset.limitedMinutes.replace("{n}", String(Math.ceil(seconds / 60)));
  return error.dataset.limitedSeconds.replace("{n}", String(Math.max(seconds, 2)));
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const body = { email: form.email.value, password: form.password.value };
    if (!codeField.hidden && form.code.value.trim()) body.code = form.code.value.trim();
    const response = await fetch("/api/v1/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Requested-With": "destek" },
      body: JSON.stringify(body),
    });
    if (response.ok) {
      const profile = await response.json();
      const next = safe(form.dataset.next);
      window.location.assign(profile.must_change_password ? `/password?next=${encodeURIComponent(next)}` : next);
      return;
    }
    const code = response.status === 401 ? (await response.json().catch(() => null))?.error?.code : null;
    if (response.status === 429) {
      error.textContent = tooMany(Number(response.headers.get("Retry-After")) || 60);
    } else if (MESSAGES[code]) {
      error.textContent = error.dataset[MESSAGES[code]];
      if (code.startsWith("second_factor")) {
        codeField.hidden = false;
        error.hidden = false;
        button.disabled = false;
        form.code.select();
        form.code.focus();
        return;
      }
    } else {
      error.textContent = response.status === 401 || response.status === 422 ? error.dataset.bad : error.dataset.failed;
    }
  } catch {
    error.textContent = error.dataset.failed;
  }
  error.hidden = false;
  button.disabled = false;
  form.password.select();
});
