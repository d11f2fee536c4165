// The WebSocket: connect, dispatch JSON messages onto the bus, reconnect with backoff.
import { emit, on, setTransport, state } from "./state.js";

let ws = null;
let attempt = 0;
let timer = null;

// The tab's session id, kept for this tab only (sessionStorage): a reconnect after the
// server restarted or its worker died asks for it back and gets its run (hello.resumed).
const SESSION_KEY = "bp-session";

// Keys of the page, not of the training config (url.js never sends them to the server).
export const PAGE_KEYS = ["lang", "lesson"];

/** Does the page's hash carry training settings (keys besides the page's own)? */
export function linkHasConfig() {
  const keys = [...new URLSearchParams(location.hash.replace(/^#/, "")).keys()];
  return keys.some((k) => !PAGE_KEYS.includes(k));
}

function url() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  // Teacher mode (classroom.js): a class's code routes the socket to the server process of
  // the class; a spotlight's token makes it a read-only view of a student's session. A tab
  // also asks for its own session back (kept in sessionStorage: runs survive restarts).
  const page = new URLSearchParams(location.search);
  const q = new URLSearchParams();
  for (const k of ["class", "watch"]) if (page.get(k)) q.set(k, page.get(k));
  let sid = null;
  try { sid = sessionStorage.getItem(SESSION_KEY); } catch { /* storage off: a new session */ }
  if (sid && !q.has("watch")) q.set("session", sid);
  // A link with settings (#dataset=spiral&...): the new session waits for them and for
  // the page's play (main.js), so the run starts from step 0 of the linked config.
  else if (!q.has("watch") && linkHasConfig()) q.set("start", "paused");
  state.heldForLink = q.get("start") === "paused";
  const qs = q.toString();
  return `${proto}//${location.host}/ws${qs ? `?${qs}` : ""}`;
}

/** Open the socket again now (say, routed by a class code just typed): a new session. */
export function reconnect() {
  attempt = 0;
  if (ws) ws.close();
  else connect();
}

on("hello", (h) => {
  try { if (h.session) sessionStorage.setItem(SESSION_KEY, h.session); } catch { /* ignore */ }
});

export function connect() {
  clearTimeout(timer);
  ws = new WebSocket(url());
  ws.onopen = () => {
    attempt = 0;
    state.connected = true;
    emit("conn:open");
  };
  ws.onmessage = (ev) => {
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      console.warn("non-JSON message", ev.data);
      return;
    }
    if (msg && typeof msg.type === "string") emit(msg.type, msg);
  };
  ws.onclose = () => {
    const was = state.connected;
    state.connected = false;
    ws = null;
    const delay = Math.min(10000, 500 * 2 ** attempt);
    attempt += 1;
    emit("conn:lost", { delay, was });
    timer = setTimeout(connect, delay);
  };
  ws.onerror = () => {}; // onclose follows and handles it
}

setTransport((msg) => {
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(msg));
  return true;
});
