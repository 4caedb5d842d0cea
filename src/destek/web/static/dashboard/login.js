// The login form: POST /api/v1/auth/login sets the session cookie, then on to the page asked for.
const form = document.getElementById("login-form");
const error = document.getElementById("login-error");

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
    error.textContent = response.status === 401 || response.status === 422 ? error.dataset.bad : error.dataset.failed;
  } catch {
    error.textContent = error.dataset.failed;
  }
  error.hidden = false;
  button.disabled = false;
  form.password.select();
});
