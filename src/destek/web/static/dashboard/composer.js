// The composer: reply or private note, Enter sends and Shift+Enter adds a line, "/" searches canned
// responses, paste or drop files (uploaded at once, sent with the message), typing signals. In an
// e-mail conversation a reply shows whom it goes to, with Cc (the thread's copies) and Bcc.
import { lastCustomerMail, parseAddresses, replyTo, threadCopies } from "./mail.js";
import { ApiError, api, debounce, el, errorText, formatSize, t, uuid } from "./util.js";

const TYPING_EVERY = 3000;
const TYPING_IDLE = 4000;

export class Composer {
  constructor(ctx, pane) {
    this.ctx = ctx;
    this.pane = pane;
    this.form = document.getElementById("composer");
    this.text = document.getElementById("composer-text");
    this.error = document.getElementById("composer-error");
    this.menu = document.getElementById("canned-menu");
    this.pendingList = document.getElementById("pending-files");
    this.files = []; // {id, filename, size} uploaded, waiting to be sent
    this.uploading = 0;
    this.canned = [];
    this.cannedAt = -1;
    this.typingSentAt = 0;
    this.typingIdle = null;
    this.outbox = Promise.resolve(); // replies being sent, in order
    this.mail = {
      fields: document.getElementById("mail-fields"),
      to: document.getElementById("mail-to"),
      toggle: document.getElementById("cc-toggle"),
      ccRow: document.getElementById("cc-row"),
      bccRow: document.getElementById("bcc-row"),
      cc: document.getElementById("mail-cc"),
      bcc: document.getElementById("mail-bcc"),
      active: false, // the open conversation is an e-mail one
      edited: false, // the agent changed the copies: new mails in the thread no longer refill them
    };
    this.bind();
    this.setMode("reply");
  }

  get mode() {
    return this.form.dataset.mode;
  }

  setMode(mode) {
    this.form.dataset.mode = mode;
    for (const radio of this.form.querySelectorAll("input[name=mode]")) radio.checked = radio.value === mode;
    this.text.placeholder = mode === "note" ? this.text.dataset.notePlaceholder : this.text.dataset.replyPlaceholder;
    this.mail.fields.hidden = !this.mail.active || mode === "note";
  }

  focus(mode) {
    if (mode) this.setMode(mode);
    this.text.focus();
  }

  /** Another conversation was opened: start clean. */
  reset() {
    this.stopTyping();
    this.text.value = "";
    this.files = [];
    this.renderFiles();
    this.hideCanned();
    this.showError("");
    this.mail.active = false;
    this.mail.edited = false;
    this.mail.cc.value = "";
    this.mail.bcc.value = "";
    this.showCopies(false);
    this.setMode("reply");
  }

  // --- e-mail recipients ------------------------------------------------------------------------

  /** The open conversation's recipients: To as the thread has it, Cc prefilled with the thread's
   * copies (unless the agent changed them). Called when a conversation opens and when mail arrives. */
  updateRecipients() {
    const conv = this.pane.conv;
    const inbox = conv ? this.ctx.inboxes.get(conv.inbox_id) : null;
    this.mail.active = inbox?.channel_type === "email";
    this.setMode(this.mode);
    if (!this.mail.active) return;
    const last = lastCustomerMail(this.pane.messages.values());
    const to = replyTo(last, conv);
    this.mail.to.textContent = to.map((p) => (p.name ? `${p.name} <${p.email}>` : p.email)).join(", ") || "—";
    if (!this.mail.edited) {
      const copies = threadCopies(last, conv, inbox.own_addresses);
      this.mail.cc.value = copies.map((person) => person.email).join(", ");
      if (copies.length) this.showCopies(true);
    }
  }

  showCopies(open) {
    this.mail.ccRow.hidden = !open;
    this.mail.bccRow.hidden = !open;
    this.mail.toggle.hidden = open;
    this.mail.toggle.setAttribute("aria-expanded", String(open));
  }

  /** The `email` options of a reply ({cc, bcc}; undefined when there is nothing to say), or null after
   * saying which address is wrong. Copies the agent left as prefilled are not sent: the server copies
   * the thread's people itself (reply to all), exactly those shown. */
  mailOptions() {
    const cc = parseAddresses(this.mail.cc.value);
    const bcc = parseAddresses(this.mail.bcc.value);
    const wrong = cc.wrong ?? bcc.wrong;
    if (wrong !== null) {
      this.showCopies(true);
      this.showError(t("Not an e-mail address: {value}", { value: wrong }));
      (cc.wrong !== null ? this.mail.cc : this.mail.bcc).focus();
      return null;
    }
    const options = {};
    if (this.mail.edited) options.cc = cc.addresses;
    if (bcc.addresses.length) options.bcc = bcc.addresses;
    return Object.keys(options).length ? options : undefined;
  }

  bind() {
    this.mail.toggle.addEventListener("click", () => {
      this.showCopies(true);
      this.mail.cc.focus();
    });
    this.mail.cc.addEventListener("input", () => (this.mail.edited = true));
    this.mail.bcc.addEventListener("input", () => this.showError(""));
    for (const field of [this.mail.cc, this.mail.bcc]) {
      field.addEventListener("keydown", (event) => {
        if (event.key !== "Enter") return;
        event.preventDefault(); // an address field never sends the reply: on to the text
        this.text.focus();
      });
    }
    this.form.addEventListener("change", (event) => {
      if (event.target.name === "mode") this.setMode(event.target.value);
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    this.text.addEventListener("keydown", (event) => this.keydown(event));
    this.text.addEventListener("input", () => {
      this.typing();
      this.searchCanned();
    });
    this.text.addEventListener("blur", () => setTimeout(() => this.hideCanned(), 150));
    this.text.addEventListener("paste", (event) => {
      const files = [...(event.clipboardData?.files || [])];
      if (files.length) {
        event.preventDefault();
        this.upload(files);
      }
    });
    const pane = document.getElementById("conv");
    pane.addEventListener("dragover", (event) => {
      if ([...(event.dataTransfer?.types || [])].includes("Files")) {
        event.preventDefault();
        pane.classList.add("dropping");
      }
    });
    pane.addEventListener("dragleave", (event) => {
      if (!pane.contains(event.relatedTarget)) pane.classList.remove("dropping");
    });
    pane.addEventListener("drop", (event) => {
      pane.classList.remove("dropping");
      const files = [...(event.dataTransfer?.files || [])];
      if (files.length) {
        event.preventDefault();
        this.upload(files);
      }
    });
    document.getElementById("file-input").addEventListener("change", (event) => {
      this.upload([...event.target.files]);
      event.target.value = "";
    });
  }

  keydown(event) {
    if (!this.menu.hidden && this.canned.length) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        this.cannedAt = (this.cannedAt + step + this.canned.length) % this.canned.length;
        this.renderCanned();
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        this.pickCanned(this.canned[Math.max(0, this.cannedAt)]);
        return;
      }
      if (event.key === "Escape") {
        event.preventDefault();
        this.hideCanned();
        return;
      }
    }
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !event.altKey) {
      event.preventDefault();
      this.send();
    } else if (event.key === "Escape") {
      this.text.blur();
    }
  }

  // --- sending ----------------------------------------------------------------------------------

  send() {
    const number = this.pane.number;
    const content = this.text.value;
    if (!number) return;
    if (this.uploading) {
      this.showError(t("Wait for the upload to finish."));
      return;
    }
    if (!content.trim() && !this.files.length) return;
    this.showError("");
    const email = this.mail.active && this.mode === "reply" ? this.mailOptions() : undefined;
    if (email === null) return; // a wrong address, said beside the composer
    const files = this.files;
    const body = {
      content,
      private: this.mode === "note",
      client_message_id: uuid(),
      attachment_ids: files.map((file) => file.id),
      email,
    };
    if (email?.bcc) this.mail.bcc.value = ""; // blind copies are chosen per reply
    // Cleared at once: what the agent types while this reply is on its way is their next message, and
    // the answer to this one must not wipe it. Replies go one at a time, in the order written.
    this.text.value = "";
    this.files = [];
    this.renderFiles();
    this.outbox = this.outbox
      .then(() => this.deliver(number, body, files))
      .catch((error) => console.error(error));
  }

  async deliver(number, body, files) {
    let sent = false;
    // A retry after a network error reuses the same client_message_id: never sent twice. Offline, the
    // reply waits for the connection (as the widget's messages do) instead of failing.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const message = await api(`${this.ctx.base}/conversations/${number}/messages`, { method: "POST", body });
        sent = true;
        this.showError("");
        if (this.pane.number === number) this.pane.apply({ type: "message.created", message });
        this.stopTyping();
        break;
      } catch (error) {
        if (error instanceof ApiError) {
          this.showError(errorText(error));
          break;
        }
        if (!navigator.onLine) {
          this.showError(t("Waiting for the connection… the reply is sent when it is back."));
          await new Promise((resolve) => window.addEventListener("online", resolve, { once: true }));
          attempt = -1; // a fresh set of attempts once the network is back
        } else if (attempt === 2) this.showError(t("Could not send. Check the connection and try again."));
        else await new Promise((resolve) => setTimeout(resolve, 800 * (attempt + 1)));
      }
    }
    if (!sent && this.pane.number === number) {
      // Not sent: the text and files go back into the composer, before anything typed since.
      this.text.value = this.text.value ? `${body.content}\n${this.text.value}` : body.content;
      this.files = [...files, ...this.files];
      this.renderFiles();
    }
  }

  showError(text) {
    this.error.textContent = text;
  }

  // --- typing signals ---------------------------------------------------------------------------

  typing() {
    const number = this.pane.number;
    if (!number) return;
    const now = Date.now();
    if (now - this.typingSentAt > TYPING_EVERY) {
      this.typingSentAt = now;
      this.postTyping(number, true);
    }
    clearTimeout(this.typingIdle);
    this.typingIdle = setTimeout(() => this.stopTyping(), TYPING_IDLE);
  }

  stopTyping() {
    clearTimeout(this.typingIdle);
    if (this.typingSentAt && this.pane.number) this.postTyping(this.pane.number, false);
    this.typingSentAt = 0;
  }

  postTyping(number, typing) {
    api(`${this.ctx.base}/conversations/${number}/typing`, {
      method: "POST",
      body: { typing, private: this.mode === "note" },
    }).catch(() => {});
  }

  // --- attachments ------------------------------------------------------------------------------

  async upload(files) {
    const number = this.pane.number;
    if (!number) return;
    for (const file of files) {
      const form = new FormData();
      form.append("file", file, file.name || "pasted.png");
      const entry = { id: null, filename: file.name || "pasted.png", size: file.size, pending: true };
      this.files.push(entry);
      this.uploading++;
      this.renderFiles();
      try {
        const stored = await api(`${this.ctx.base}/conversations/${number}/attachments`, { method: "POST", form });
        entry.id = stored.id;
        entry.pending = false;
      } catch (error) {
        this.files = this.files.filter((item) => item !== entry);
        this.showError(t("{file}: {error}", { file: entry.filename, error: errorText(error) }));
      }
      this.uploading--;
      this.renderFiles();
    }
  }

  renderFiles() {
    this.pendingList.replaceChildren(
      ...this.files.map((file) =>
        el(
          "li",
          { class: file.pending ? "pending-file uploading" : "pending-file" },
          `📎 ${file.filename} `,
          el("span", { class: "muted", text: file.pending ? t("uploading…") : formatSize(file.size) }),
          el("button", {
            type: "button",
            class: "chip-remove",
            "aria-label": t("Remove {file}", { file: file.filename }),
            text: "×",
            on: {
              click: () => {
                this.files = this.files.filter((item) => item !== file);
                this.renderFiles();
              },
            },
          }),
        ),
      ),
    );
  }

  // --- canned responses -------------------------------------------------------------------------

  cannedQuery() {
    // "/" at the start of the text or of a word starts a search; the query runs to the caret.
    const before = this.text.value.slice(0, this.text.selectionStart);
    const match = /(^|\s)\/([^\s/]*)$/.exec(before);
    return match ? { query: match[2], start: before.length - match[2].length - 1 } : null;
  }

  searchCanned = debounce(async () => {
    const found = this.cannedQuery();
    if (!found || !this.pane.conv) {
      this.hideCanned();
      return;
    }
    const params = new URLSearchParams({ q: found.query, conversation_id: String(this.pane.conv.id) });
    try {
      const page = await api(`${this.ctx.base}/canned_responses?${params}`);
      this.canned = (page.items || []).slice(0, 8);
    } catch {
      this.canned = [];
    }
    this.cannedAt = 0;
    this.renderCanned();
  }, 150);

  renderCanned() {
    if (!this.canned.length) {
      const found = this.cannedQuery();
      this.menu.replaceChildren(el("li", { class: "canned-empty muted", text: found ? t("No canned response matches.") : "" }));
      this.menu.hidden = !found;
      return;
    }
    this.menu.replaceChildren(
      ...this.canned.map((item, index) =>
        el(
          "li",
          {
            role: "option",
            class: index === this.cannedAt ? "canned-item active" : "canned-item",
            "aria-selected": index === this.cannedAt ? "true" : "false",
            on: {
              mousedown: (event) => {
                event.preventDefault();
                this.pickCanned(item);
              },
            },
          },
          el("span", { class: "canned-code", text: `/${item.short_code}` }),
          el("span", { class: "canned-title", text: item.title }),
          el("span", { class: "canned-preview muted", text: item.rendered || item.content }),
        ),
      ),
    );
    this.menu.hidden = false;
  }

  pickCanned(item) {
    const found = this.cannedQuery();
    if (!item || !found) return;
    const text = item.rendered || item.content;
    const value = this.text.value;
    const end = this.text.selectionStart;
    this.text.value = value.slice(0, found.start) + text + value.slice(end);
    const caret = found.start + text.length;
    this.text.setSelectionRange(caret, caret);
    this.hideCanned();
    this.text.focus();
  }

  /** Put text at the caret (an article link, a suggestion), on its own when the reply is empty. */
  insert(text) {
    const value = this.text.value;
    const start = this.text.selectionStart ?? value.length;
    const end = this.text.selectionEnd ?? start;
    const before = value.slice(0, start);
    const after = value.slice(end);
    const lead = before && !/\s$/.test(before) ? " " : "";
    const trail = after && !/^\s/.test(after) ? " " : "";
    this.text.value = before + lead + text + trail + after;
    const caret = (before + lead + text).length;
    this.text.focus();
    this.text.setSelectionRange(caret, caret);
  }

  hideCanned() {
    this.menu.hidden = true;
    this.canned = [];
  }
}
