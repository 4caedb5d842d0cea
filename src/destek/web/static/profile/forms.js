// Helpers for the profile's own forms (password, second factor, invitations): read fields, check that
// two passwords match, and show the server's answer next to its field.
import { ApiError, call, clearErrors, showErrors, t } from "../settings/api.js";

export { ApiError, call, t };

/** The named fields of a form as an object (checkboxes as booleans). */
export function values(form) {
  const data = {};
  for (const field of form.elements) {
    if (!field.name || field.hidden || field.disabled) continue;
    data[field.name] = field.type === "checkbox" ? field.checked : field.value;
  }
  return data;
}

/** Run `work` for a form's submit: errors go next to their fields, the button waits meanwhile. */
export async function submitting(form, work) {
  clearErrors(form);
  const button = form.querySelector("[type=submit]");
  if (button) button.disabled = true;
  try {
    await work();
  } catch (error) {
    if (error instanceof ApiError) showErrors(form, error);
    else throw error;
  } finally {
    if (button) button.disabled = false;
  }
}

/** A local error shown like the server's, next to `field`. */
export function fieldError(field, message) {
  return new ApiError(422, { error: { code: "invalid", message, field } });
}

/** The new password and its repetition must match (checked before anything is sent). */
export function checkRepeat(data, name, repeat = "repeat") {
  if (data[name] !== data[repeat]) throw fieldError(repeat, t("The two passwords are not the same."));
  delete data[repeat];
}

/** Where to go after a step: a path of this site only. */
export function safeNext(path, fallback = "/app") {
  return path && path.startsWith("/") && !path.startsWith("//") ? path : fallback;
}
