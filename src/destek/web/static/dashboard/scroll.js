// The thread keeps to its newest message as chat apps do: it opens at the bottom and follows what
// arrives while the agent is at (or near) the bottom; an agent who scrolled up to read is left there and
// gets a "New messages ↓" pill instead. Anything that changes the thread's height later (images loading,
// panels around it appearing) keeps a view that was at the bottom at the bottom.
import { el, t } from "./util.js";

const NEAR = 80; // px from the bottom that still count as "at the bottom"

export class ThreadScroll {
  constructor(wrap, content) {
    this.wrap = wrap;
    this.pinned = true; // follows the bottom
    this.setTop = null; // the scrollTop we set last: a scroll event for it is ours, not the agent's
    this.pill = el("button", {
      type: "button",
      id: "new-messages",
      class: "new-messages",
      hidden: true,
      text: t("New messages ↓"),
      on: { click: () => this.toBottom() },
    });
    wrap.append(this.pill);
    wrap.addEventListener("scroll", () => this.scrolled(), { passive: true });
    const follow = () => this.pinned && this.jump();
    new ResizeObserver(follow).observe(wrap); // the pane around it grew or shrank
    new ResizeObserver(follow).observe(content); // messages added, wrapped anew, images sized
    wrap.addEventListener("load", follow, true); // an image without known size loaded (load does not bubble)
  }

  nearBottom() {
    const wrap = this.wrap;
    return wrap.scrollHeight - wrap.scrollTop - wrap.clientHeight < NEAR;
  }

  scrolled() {
    const ours = this.wrap.scrollTop === this.setTop;
    this.setTop = null;
    if (ours) return; // our own jump: the content may have grown since
    this.pinned = this.nearBottom();
    if (this.pinned) this.pill.hidden = true;
  }

  jump() {
    const wrap = this.wrap;
    wrap.scrollTop = wrap.scrollHeight;
    this.setTop = wrap.scrollTop;
  }

  /** Show the newest message and follow from now on (opening a thread, the agent's own message, the pill). */
  toBottom() {
    this.pinned = true;
    this.pill.hidden = true;
    this.jump();
  }

  /** After new messages were added at the end: follow them, or tell an agent who reads further up. */
  arrived() {
    if (this.pinned || this.nearBottom()) this.toBottom();
    else this.pill.hidden = false;
  }

  /** Rows changed in place (a receipt, an edit): follow only when already following. */
  changed() {
    if (this.pinned) this.jump();
  }

  /** The agent keeps this position (loading older messages above): stop following. */
  release() {
    this.pinned = this.nearBottom();
    this.setTop = null;
  }
}
