// The agent API as the settings and profile pages call it: JSON (or FormData) with the session cookie
// and the X-Requested-With header the server asks of browser writes; errors as ApiError with the
// server's body, shown next to their fields by showErrors.

export const CSRF = { "X-Requested-With": "destek" };
const catalog = JSON.parse(document.querySelector("script[data-messages]")?.textContent || "{}");

/** The page's translation of a UI text (the catalog the server put in <script data-messages>). */
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

export function clearErrors(scope) {
  for (const slot of scope.querySelectorAll("[data-error-for]")) slot.textContent = "";
  for (const field of scope.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
}

/** Put each error next to its field (by name, then by the name's first part), else in the general slot. */
export function showErrors(scope, error) {
  const body = error.body?.error;
  const errors = body?.errors?.length ? body.errors : [{ field: body?.field || "", message: error.message }];
  for (const item of errors) {
    const field = item.field || "";
    const candidates = [field, field.split(".")[0], field.replace(/\.\d+.*$/, ""), ""];
    let slot = null;
    for (const name of candidates) {
      slot = scope.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
      if (slot) break;
    }
    if (!slot) slot = scope.querySelector("[data-error-for]");
    // A field of a part hidden by data-show-when: say it where it can be read.
    if (slot?.closest("[hidden]")) slot = scope.querySelector('[data-error-for=""]') || slot;
    // The server speaks English; a message the page's catalog knows is shown in the page's language,
    // and a slot with data-error-text says its field's rule in it instead (a range, a kind of address).
    if (slot && !slot.textContent) slot.textContent = slot.dataset.errorText || t(item.message);
    const input = field && scope.querySelector(`[name="${CSS.escape(field)}"], [name^="${CSS.escape(field)}."]`);
    if (input) input.setAttribute("aria-invalid", "true");
  }
}
