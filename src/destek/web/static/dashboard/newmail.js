// "New e-mail": an agent writes first, from one of the account's e-mail inboxes. The mail is sent to
// the address (a contact is found or made for it) and the new conversation opens.
import { parseAddresses } from "./mail.js";
import { api, el, errorText, t } from "./util.js";

export class NewMail {
  constructor(ctx, { onSent }) {
    this.ctx = ctx;
    this.onSent = onSent;
    this.$ = (id) => document.getElementById(id);
    this.box = this.$("newmail-dialog");
    this.form = this.$("newmail-form");
    this.inboxes = [...ctx.inboxes.values()].filter((inbox) => inbox.channel_type === "email");
    const button = this.$("new-mail");
    button.hidden = this.inboxes.length === 0;
    this.$("newmail-inbox").replaceChildren(
      ...this.inboxes.map((inbox) => el("option", { value: inbox.id, text: inbox.name })),
    );
    this.$("newmail-inbox-field").hidden = this.inboxes.length < 2;
    button.addEventListener("click", () => this.open());
    this.$("newmail-cancel").addEventListener("click", () => this.close());
    this.box.addEventListener("click", (event) => {
      if (event.target === this.box) this.close();
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
  }

  open() {
    this.$("newmail-error").textContent = "";
    this.box.hidden = false;
    this.$("newmail-to").focus();
  }

  close() {
    if (this.box.hidden) return false;
    this.box.hidden = true;
    this.$("new-mail").focus();
    return true;
  }

  async send() {
    const error = this.$("newmail-error");
    error.textContent = "";
    const to = parseAddresses(this.$("newmail-to").value);
    if (to.wrong !== null || to.addresses.length !== 1) {
      error.textContent = to.wrong
        ? t("Not an e-mail address: {value}", { value: to.wrong })
        : t("Write one e-mail address in To.");
      this.$("newmail-to").focus();
      return;
    }
    const body = {
      inbox_id: Number(this.$("newmail-inbox").value),
      email: to.addresses[0],
      subject: this.$("newmail-subject").value.trim(),
      content: this.$("newmail-text").value,
    };
    const button = this.$("newmail-send");
    button.disabled = true;
    try {
      const conversation = await api(`${this.ctx.base}/conversations`, { method: "POST", body });
      this.form.reset();
      this.close();
      this.onSent();
      this.ctx.open(conversation.number);
    } catch (failure) {
      const field = failure.body?.error?.field;
      error.textContent = field === "email" ? t("The address in To is not valid.") : errorText(failure);
    } finally {
      button.disabled = false;
    }
  }
}
