// The login form: POST /api/v1/auth/login sets the session cookie, then on to the page asked for.
const form = document.getElementById("login-form");
const error = document.getElementById("login-error");

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
    const response = await fetch("/api/v1/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Requested-With": "destek" },
      body: JSON.stringify({ email: form.email.value, password: form.password.value }),
    });
    if (response.ok) {
      window.location.assign(form.dataset.next || "/app");
      return;
    }
    if (response.status === 429) {
      error.textContent = tooMany(Number(response.headers.get("Retry-After")) || 60);
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
