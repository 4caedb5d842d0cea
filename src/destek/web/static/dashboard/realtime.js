// The agent websocket (/ws, authenticated by the session cookie): subscribe with the last seq seen,
// replay what was missed after a reconnect, reconnect with backoff. See docs/realtime.md.

export class Realtime {
  constructor(accountId, { onEvent, onSignal, onReady, onState }) {
    this.accountId = accountId;
    this.onEvent = onEvent;
    this.onSignal = onSignal;
    this.onReady = onReady; // (fresh: bool) — fresh: refetch the state over REST
    this.onState = onState;
    this.since = null; // the last seq applied
    this.delay = 1000;
    this.socket = null;
    this.watchdog = null;
    this.heartbeat = 25;
    this.needsFetch = true; // the first subscribe and each resync start from REST
    this.stopped = false; // no reconnecting (tests hold the socket down with it)
    this.loggingOut = false; // the page itself goes to the login page
    this.retry = null;
    // The browser knows of a network change before the socket does: a dead socket would otherwise
    // only be noticed by the watchdog (twice the heartbeat), and a long backoff would outlast the
    // outage. Drop it at once when offline; reconnect (resuming from the cursor) as soon as online.
    window.addEventListener("offline", () => this.wentOffline());
    window.addEventListener("online", () => this.cameOnline());
    // Logging out ends the session, and the server closes its sockets (4001): the page that logs out
    // goes to the login page itself; the socket must not race it there.
    document.addEventListener("destek:logging-out", () => {
      this.loggingOut = true;
      clearTimeout(this.retry);
    });
    document.addEventListener("destek:logout-failed", () => {
      this.loggingOut = false;
      if (!this.socket) this.connect();
    });
  }

  wentOffline() {
    if (this.stopped) return;
    clearTimeout(this.watchdog);
    clearTimeout(this.retry);
    const old = this.socket;
    this.socket = null; // its frames and close are ignored from now on
    if (old) old.close();
    this.onState("offline");
    // navigator.onLine can be wrong (it only knows of a network interface): keep trying, slowly.
    this.retry = setTimeout(() => this.connect(), this.delay);
  }

  lostState() {
    return navigator.onLine ? "reconnecting" : "offline";
  }

  cameOnline() {
    if (this.stopped) return;
    this.delay = 1000;
    this.connect();
  }

  connect() {
    clearTimeout(this.retry);
    if (this.stopped || this.loggingOut) return;
    if (this.socket) {
      const old = this.socket;
      this.socket = null; // its frames and close are ignored from now on
      old.close();
    }
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/ws`);
    this.socket = socket;
    this.onState(this.since === null ? "connecting" : this.lostState());
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify({ type: "subscribe", account_id: this.accountId, since: this.since }));
    });
    socket.addEventListener("message", (message) => this.receive(socket, message));
    socket.addEventListener("close", (close) => this.closed(socket, close));
  }

  receive(socket, message) {
    if (socket !== this.socket) return;
    this.kick();
    let frame;
    try {
      frame = JSON.parse(message.data);
    } catch {
      return;
    }
    switch (frame.type) {
      case "subscribed":
        this.delay = 1000;
        this.heartbeat = frame.heartbeat || 25;
        if (this.since === null) this.since = frame.seq;
        if (this.needsFetch) {
          this.needsFetch = false;
          this.onReady(true);
        }
        break;
      case "event":
        this.since = frame.seq;
        this.onEvent(frame.event, frame.seq);
        break;
      case "caught_up":
        this.since = Math.max(this.since || 0, frame.seq);
        this.onState("live");
        this.onReady(false);
        break;
      case "resync":
        // The cursor is too old: fetch the state afresh and continue from the head.
        this.since = frame.seq;
        this.needsFetch = true;
        break;
      case "ping":
        socket.send(JSON.stringify({ type: "pong" }));
        break;
      case "typing":
      case "viewing":
        this.onSignal(frame);
        break;
      default:
        break;
    }
  }

  kick() {
    clearTimeout(this.watchdog);
    // Nothing heard for twice the heartbeat: the connection is dead even if the browser thinks not.
    this.watchdog = setTimeout(() => this.socket && this.socket.close(), this.heartbeat * 2000 + 1000);
  }

  closed(socket, close) {
    if (socket !== this.socket) return;
    clearTimeout(this.watchdog);
    this.socket = null;
    if (this.loggingOut) return;
    if (close.code === 4001) {
      window.location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      return;
    }
    if (close.code === 4400) {
      this.onState("offline");
      return; // a bug in this page: do not loop
    }
    this.onState(this.lostState());
    const wait = this.delay + Math.random() * 500;
    this.delay = Math.min(this.delay * 2, 30000);
    this.retry = setTimeout(() => this.connect(), wait);
  }

  /** Drop the connection now (tests and the "offline" button); it comes back by itself. */
  drop() {
    if (this.socket) this.socket.close();
  }
}
