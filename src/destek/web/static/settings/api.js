// The agent API as the settings pages call it: JSON (or FormData) with the session cookie and the
// X-Requested-With header the server asks of browser writes; errors as ApiError with the server's body.

export const CSRF = { "X-Requested-With": "destek" };
const catalog = JSON.parse(document.getElementById("settings-messages")?.textContent || "{}");

/** The page's translation of a UI text (the catalog the server put in #settings-messages). */
export const t = (text) => catalog[text] || text;

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || t("Something went wrong. Try again."));
    this.status = status;
    this.body = body;
  }
}

/** One request; the parsed JSON answer, or ApiError. A lapsed session goes to the login page. */
export async function call(url, method, body) {
  const options = { method, credentials: "same-origin", headers: { ...CSRF, Accept: "application/json" } };
  if (body instanceof FormData) options.body = body;
  else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  if (response.status === 401) {
    window.location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError(401, null);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
