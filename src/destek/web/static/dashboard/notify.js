// Desktop notifications and a short sound, for a new conversation or a customer's reply while the
// tab is hidden. Permission is asked only on a click (browsers refuse it otherwise).
import { t } from "./util.js";

let audio = null;

export function permission() {
  return "Notification" in window ? Notification.permission : "unsupported";
}

export async function askPermission() {
  if (!("Notification" in window)) return "unsupported";
  const answer = await Notification.requestPermission();
  chime(); // also unlocks audio, which browsers allow only after a gesture
  return answer;
}

export function chime() {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    const now = audio.currentTime;
    const gain = audio.createGain();
    gain.connect(audio.destination);
    gain.gain.setValueAtTime(0.0001, now);
    gain.gain.exponentialRampToValueAtTime(0.15, now + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.35);
    for (const [freq, at] of [[880, 0], [1320, 0.12]]) {
      const osc = audio.createOscillator();
      osc.type = "sine";
      osc.frequency.value = freq;
      osc.connect(gain);
      osc.start(now + at);
      osc.stop(now + at + 0.25);
    }
  } catch {
    /* no audio: the notification alone will do */
  }
}

/** Notify when the tab is hidden; a click brings the conversation up. */
export function notify(title, body, onClick) {
  window.destekNotified = (window.destekNotified || 0) + 1; // visible to tests
  if (!document.hidden) return;
  chime();
  if (permission() !== "granted") return;
  const note = new Notification(title, { body: body.slice(0, 140), tag: title, silent: true });
  note.onclick = () => {
    window.focus();
    onClick();
    note.close();
  };
}

export function describe(state) {
  return {
    granted: t("Notifications are on"),
    denied: t("Notifications are blocked in the browser settings"),
    default: t("Desktop notifications"),
    unsupported: t("This browser has no notifications"),
  }[state];
}
