// Help for the reply: the article picker (a search over published help-center articles in the
// conversation's language; the button, or "#?" typed in the composer) and the Suggestions panel
// (relevant articles, replies from similar resolved conversations, canned responses).
import { api, debounce, el, t } from "./util.js";

/** The text an article link is inserted as. */
export function articleText(article) {
  return `${article.title} — ${article.url}`;
}

export class ArticlePicker {
  constructor(ctx, pane, composer) {
    this.ctx = ctx;
    this.pane = pane;
    this.composer = composer;
    this.box = document.getElementById("article-picker");
    this.input = document.getElementById("article-search");
    this.results = document.getElementById("article-results");
    this.hits = [];
    this.at = 0;
    this.ticket = 0;
    document.getElementById("insert-article").addEventListener("click", () => (this.box.hidden ? this.open() : this.close()));
    this.input.addEventListener("input", debounce(() => this.search(), 200));
    this.input.addEventListener("keydown", (event) => this.keydown(event));
    composer.text.addEventListener("input", () => {
      // "#?" typed in the composer opens the picker (the two characters are removed).
      const caret = composer.text.selectionStart;
      const value = composer.text.value;
      if (value.slice(caret - 2, caret) === "#?") {
        composer.text.value = value.slice(0, caret - 2) + value.slice(caret);
        composer.text.setSelectionRange(caret - 2, caret - 2);
        this.open();
      }
    });
  }

  open() {
    this.box.hidden = false;
    this.input.value = "";
    this.hits = [];
    this.render(false);
    this.input.focus();
  }

  close({ focus = true } = {}) {
    if (this.box.hidden) return false;
    this.box.hidden = true;
    if (focus) this.composer.text.focus();
    return true;
  }

  async search() {
    const q = this.input.value.trim();
    const ticket = ++this.ticket;
    if (!q) {
      this.hits = [];
      this.render(false);
      return;
    }
    const params = new URLSearchParams({ q, limit: "8" });
    const language = this.pane.conv?.language;
    if (language) params.set("locale", language);
    let hits = [];
    try {
      hits = await api(`${this.ctx.base}/articles/search?${params}`);
    } catch {
      hits = [];
    }
    if (ticket !== this.ticket) return; // a newer search started meanwhile
    this.hits = hits;
    this.at = 0;
    this.render(true);
  }

  keydown(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      this.close();
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && this.hits.length) {
      event.preventDefault();
      this.at = (this.at + (event.key === "ArrowDown" ? 1 : -1) + this.hits.length) % this.hits.length;
      this.render(true);
    } else if (event.key === "Enter") {
      event.preventDefault(); // never submits the reply
      if (this.hits.length) this.pick(this.hits[this.at]);
    }
  }

  render(searched) {
    if (!this.hits.length) {
      this.results.replaceChildren(
        searched ? el("li", { class: "canned-empty muted", text: t("No article matches.") }) : null,
      );
      return;
    }
    this.results.replaceChildren(
      ...this.hits.map((hit, index) =>
        el(
          "li",
          {
            role: "option",
            class: index === this.at ? "canned-item article-item active" : "canned-item article-item",
            "aria-selected": index === this.at ? "true" : "false",
            on: {
              mousedown: (event) => {
                event.preventDefault();
                this.pick(hit);
              },
            },
          },
          el("span", { class: "canned-code", text: hit.locale.toUpperCase() }),
          el("span", { class: "canned-title", text: hit.title }),
          el("span", { class: "canned-preview muted", text: hit.snippet }),
        ),
      ),
    );
  }

  pick(hit) {
    this.close({ focus: false });
    this.composer.insert(articleText(hit));
  }
}

export class SuggestionsPanel {
  constructor(ctx, pane, composer) {
    this.ctx = ctx;
    this.pane = pane;
    this.composer = composer;
    this.root = document.getElementById("suggestions");
    this.list = document.getElementById("suggestion-list");
    this.ticket = 0;
    this.number = null;
    document.getElementById("suggestions-toggle").addEventListener("click", () => {
      const open = this.root.classList.toggle("collapsed") === false;
      document.getElementById("suggestions-toggle").setAttribute("aria-expanded", String(open));
    });
  }

  clear() {
    this.number = null;
    this.ticket++;
    this.root.hidden = true;
    this.list.replaceChildren();
  }

  /** Load (or refresh) the suggestions of the open conversation. */
  async load(number) {
    const ticket = ++this.ticket;
    this.number = number;
    let found;
    try {
      found = await api(`${this.ctx.base}/conversations/${number}/suggestions`);
    } catch {
      found = null;
    }
    if (ticket !== this.ticket || this.pane.number !== number) return;
    const items = [];
    for (const article of found?.articles || []) {
      items.push(this.item("article", t("Article"), article.title, article.snippet, () => articleText(article)));
    }
    for (const reply of found?.replies || []) {
      items.push(
        this.item("reply", t("Earlier reply #{number}", { number: reply.conversation_number }), reply.answer, reply.question, () => reply.answer),
      );
    }
    for (const canned of found?.canned || []) {
      items.push(this.item("canned", `/${canned.short_code}`, canned.title, canned.content, () => this.rendered(canned)));
    }
    this.list.replaceChildren(...items);
    this.root.hidden = items.length === 0;
  }

  item(kind, tag, title, detail, text) {
    return el(
      "li",
      { class: `suggestion suggestion-${kind}` },
      el(
        "button",
        {
          type: "button",
          class: "suggestion-button",
          title: t("Put it in the reply"),
          on: {
            click: async () => this.composer.insert(await text()),
          },
        },
        el("span", { class: "suggestion-tag", text: tag }),
        el("span", { class: "suggestion-title", text: title }),
        detail ? el("span", { class: "suggestion-detail muted", text: detail }) : null,
      ),
    );
  }

  /** A canned response with its variables filled in for this conversation. */
  async rendered(canned) {
    try {
      const params = new URLSearchParams({ q: canned.short_code, conversation_id: String(this.pane.conv.id) });
      const page = await api(`${this.ctx.base}/canned_responses?${params}`);
      const match = (page.items || []).find((item) => item.id === canned.id);
      if (match) return match.rendered || match.content;
    } catch {
      /* the raw text will do */
    }
    return canned.content;
  }
}
