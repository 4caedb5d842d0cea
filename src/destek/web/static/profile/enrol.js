// Setting up the second factor: password → QR code and key → a code from the app → recovery codes.
import { call, safeNext, submitting, t, values } from "./forms.js";

/** Show recovery codes in a list, with a download as a text file. */
export function showCodes(list, codes) {
  list.replaceChildren(...codes.map((code) => Object.assign(document.createElement("li"), { textContent: code })));
}

function download(codes) {
  const text = `${t("Destek recovery codes")}\n\n${codes.join("\n")}\n`;
  const link = Object.assign(document.createElement("a"), {
    href: URL.createObjectURL(new Blob([text], { type: "text/plain" })),
    download: "destek-recovery-codes.txt",
  });
  link.click();
  URL.revokeObjectURL(link.href);
}

for (const box of document.querySelectorAll("[data-enrol]")) {
  const step = (name) => box.querySelector(`[data-step=${name}]`);
  const show = (name) => {
    for (const part of box.querySelectorAll("[data-step]")) part.hidden = part.dataset.step !== name;
    step(name).querySelector("input, button")?.focus();
  };
  let codes = [];
  step("password").addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(step("password"), async () => {
      const setup = await call("/api/v1/profile/second-factor/setup", "POST", values(step("password")));
      step("code").querySelector("img").src = setup.qr_svg;
      step("code").querySelector(".secret").textContent = setup.secret.replace(/(.{4})/g, "$1 ").trim();
      show("code");
    });
  });
  step("code").addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(step("code"), async () => {
      const result = await call("/api/v1/profile/second-factor/confirm", "POST", values(step("code")));
      codes = result.codes;
      showCodes(step("codes").querySelector("ol"), codes);
      show("codes");
      // What the page said before ("Off") is no longer true.
      for (const stale of document.querySelectorAll("[data-enrol-off]")) stale.hidden = true;
    });
  });
  step("codes").querySelector("[data-download]").addEventListener("click", () => download(codes));
  step("codes").querySelector("[data-done]").addEventListener("click", () => {
    if (box.dataset.next) window.location.assign(safeNext(box.dataset.next));
    else window.location.reload();
  });
}
